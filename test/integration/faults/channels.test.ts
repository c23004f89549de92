/**
 * Notification channels failing, through the real alert-dispatch function
 * (functions framework) on the embedded backend, fed by the embedded queue's
 * push dispatcher as the local stack feeds it, with `alertDispatchFlush`
 * called every step as the scheduler calls it:
 *
 * - Slack answers 429 with `Retry-After`, then 500 for ten minutes: the next
 *   try of that page waits at least as long as Slack asked, every page
 *   arrives once after Slack recovers, and email is not held back.
 * - SMTP refuses connections: the Slack page still goes out at once; the
 *   email is kept pending and delivered once when SMTP is back on its port.
 *
 * Time is a fake clock: jest fakes `Date` only (timers stay real), so the
 * function's clock, the queue's redelivery backoff, the outbox's retry times
 * and the recorder's "until" all read the same stepped time and ten minutes
 * take a few seconds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../../functions/alert-dispatch';
import { PushDispatcher } from '../../../shared/adapters/local/push-dispatcher';
import type { SqliteEventBus } from '../../../shared/adapters/local/sqlite-event-bus';
import { loadConfig } from '../../../shared/config';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import type { Alert } from '../../../shared/contracts/messages/alert';
import { deadLetterSubscriptionOf } from '../../../shared/topology';
import { openBackend, type Backend } from '../../../shared/wiring/backend';
import { closeFunctionRuntimes } from '../../../shared/wiring/function-runtime';
import { ensureTopology } from '../../../shared/wiring/topology-setup';
import { useFunctionEnv, type FunctionEnv } from '../../helpers/function-env';
import { startFunctionServer, type FunctionServer } from '../../helpers/function-server';
import { startRecorder, type Recorder } from '../../helpers/http-recorder';
import {
  describeWithSmtpServer,
  startSmtpServer,
  type ReceivedMail,
  type SmtpServer,
} from '../../helpers/smtp-server';
import { fakeDateOnly } from './helpers/fake-date';
import { duplicatesIn, reportReliability, slackNotificationId } from './helpers/reliability';

/** The flush entry requires a bearer token off Google Cloud, as the local stack's scheduler sends. */
const FLUSH_TOKEN = 'flush-token-for-the-fault-suite';
/** A fixed start for the fake clock: nothing here reads the real date. */
const T0 = Date.parse('2031-03-03T09:00:00.000Z');
const BOOKS = ['9780722532935', '9780141439518', '9780061120084'];
const RETRY_AFTER_S = 120;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits in real time (performance.now: `Date` is fake here and stands still, so the
 * helpers' own Date-based deadlines would never pass) until `done` holds.
 */
async function until(what: string, done: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

interface World {
  stateDir: string;
  backend: Backend;
  slack: Recorder;
  smtp: SmtpServer;
  dispatch: FunctionServer;
  flushServer: FunctionServer;
  dispatcher: PushDispatcher;
  close(): Promise<void>;
}

function alertFor(isbn: string, n: number): Alert {
  return {
    kind: 'rmse_above_threshold',
    severity: 'critical',
    status: 'firing',
    isbn,
    summary: `RMSE ${120 + n} is above the limit 80`,
    details: {},
    source: 'health-check',
    observedAt: new Date(Date.now()).toISOString(),
    correlationId: `corr-fault-${n}`,
  };
}

describeWithSmtpServer('fault: notification channels failing (real alert-dispatch, fake clock)', () => {
  let fnEnv: FunctionEnv | undefined;
  let world: World;

  beforeEach(() => {
    fakeDateOnly(T0);
  });

  afterEach(async () => {
    await world?.close();
    jest.useRealTimers();
    fnEnv?.restore();
    fnEnv = undefined;
  });

  async function openWorld(smtp: SmtpServer): Promise<World> {
    const stateDir = mkdtempSync(join(tmpdir(), 'fg-faults-channels-'));
    const slack = await startRecorder();
    fnEnv?.restore();
    fnEnv = useFunctionEnv({
      FG_STATE_DIR: stateDir,
      FG_LOG_LEVEL: 'error',
      // Staging: production refuses a plain-http Slack URL; criticals page both channels as in production.
      FG_ENVIRONMENT: 'staging',
      FG_BACKEND: 'local',
      SLACK_WEBHOOK_URL: `${slack.url}/services/T0/B0/faultsecret`,
      SMTP_URL: smtp.url,
      ALERT_EMAIL_TO: 'oncall@example.com',
      ALERT_EMAIL_FROM: 'forecast-guard <alerts@example.com>',
      FG_FLUSH_TOKEN: FLUSH_TOKEN,
    });
    const backend = openBackend(loadConfig(fnEnv.env));
    await ensureTopology(backend.bus);
    const dispatch = await startFunctionServer('alertDispatch');
    const flushServer = await startFunctionServer('alertDispatchFlush');
    const dispatcher = new PushDispatcher({
      bus: backend.bus as SqliteEventBus,
      subscription: 'alerts--alert-dispatch',
      projectId: 'demo-local',
      endpoint: dispatch.url,
      pullWaitMs: 20,
    });
    dispatcher.start();
    return {
      stateDir,
      backend,
      slack,
      smtp,
      dispatch,
      flushServer,
      dispatcher,
      close: async () => {
        // The queue's pull waits on the fake clock: keep it moving until the dispatcher has stopped.
        let stopped = false;
        const stopping = dispatcher.stop().finally(() => (stopped = true));
        while (!stopped) {
          jest.setSystemTime(Date.now() + 1000);
          await sleep(10);
        }
        await stopping;
        await dispatch.close();
        await flushServer.close();
        await closeFunctionRuntimes();
        await backend.close();
        await slack.close();
        rmSync(stateDir, { recursive: true, force: true });
      },
    };
  }

  /** What the scheduler does between alerts: one call of `alertDispatchFlush`. */
  async function flush(w: World): Promise<void> {
    const res = await fetch(w.flushServer.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${FLUSH_TOKEN}` },
    });
    expect(res.status).toBe(200);
  }

  /** Moves the fake clock by `ms`, lets the queue redeliver, and calls the flush. */
  async function step(w: World, ms: number): Promise<void> {
    jest.setSystemTime(Date.now() + ms);
    await sleep(60);
    await flush(w);
  }

  /** Open deliveries left in the outbox (not yet delivered, not given up). */
  async function openDeliveries(w: World): Promise<number> {
    const docs = await w.backend.state.query<{
      channel: string;
      deliveredAt?: string;
      payload: { closed?: boolean };
    }>(COLLECTIONS.pendingNotifications);
    return docs.filter((d) => d.data.channel !== 'dispatch' && !d.data.deliveredAt && !d.data.payload.closed)
      .length;
  }

  async function deadLettered(w: World): Promise<number> {
    const dead = await w.backend.bus.pull(deadLetterSubscriptionOf('alerts'), 100, 0);
    return dead.length;
  }

  function emailIds(mails: ReceivedMail[]): string[] {
    return mails.map((m) => m.headers['x-forecast-guard-notification'] ?? m.subject);
  }

  it('Slack 429 with Retry-After (honoured), then 500 for ten minutes: every page once after recovery, email unaffected', async () => {
    const started = performance.now();
    const smtp = await startSmtpServer();
    try {
      world = await openWorld(smtp);
      const w = world;
      w.slack.failNext(1, 429, { body: 'rate_limited', headers: { 'retry-after': String(RETRY_AFTER_S) } });
      w.slack.failUntil(new Date(T0 + 10 * 60_000), 500, { body: 'internal_error' });

      for (const [n, isbn] of BOOKS.entries())
        await w.backend.bus.publish('alerts', { data: alertFor(isbn, n) });
      await until('the first Slack POSTs', () => w.slack.requests.length >= BOOKS.length);
      await until('the emails', () => smtp.messages().length >= BOOKS.length);
      const emailsAtOnce = smtp.messages().length;

      // Fifteen fake minutes in 15 s steps: the outage, then enough for the longest backoff to come round.
      for (let t = 0; t < 15 * 60_000; t += 15_000) await step(w, 15_000);

      const posts = w.slack.requests;
      const accepted = posts.filter((r) => r.status === 200);
      const ids = accepted.map(slackNotificationId);
      // The 429's page: its next POST came no sooner than Slack asked.
      const limited = posts.find((r) => r.status === 429)!;
      const limitedId = slackNotificationId(limited);
      const next = posts.find(
        (r) => r !== limited && slackNotificationId(r) === limitedId && r.receivedAt > limited.receivedAt,
      );
      expect(next).toBeDefined();
      expect(next!.receivedAt.getTime() - limited.receivedAt.getTime()).toBeGreaterThanOrEqual(
        RETRY_AFTER_S * 1000,
      );
      // Nothing accepted during the outage; every page accepted after it.
      for (const r of accepted) expect(r.receivedAt.getTime()).toBeGreaterThanOrEqual(T0 + 10 * 60_000);
      expect(posts.filter((r) => r.status === 500).length).toBeGreaterThan(0);

      const mails = smtp.messages();
      expect(emailsAtOnce).toBe(BOOKS.length);
      const open = await openDeliveries(w);
      const dead = await deadLettered(w);
      const missingPages = BOOKS.length - new Set(ids).size;
      const missingMails = BOOKS.length - new Set(emailIds(mails)).size;
      reportReliability(
        'slack-429-then-500-for-10-min',
        {
          messages: BOOKS.length,
          notifications: accepted.length + mails.length,
          duplicates: duplicatesIn(ids) + duplicatesIn(emailIds(mails)),
          lost: missingPages + missingMails + open,
          halfSwitched: 0,
          extra: {
            slackPosts: posts.length,
            slack429: posts.filter((r) => r.status === 429).length,
            slack500: posts.filter((r) => r.status === 500).length,
            retryAfterWaitedS: (next!.receivedAt.getTime() - limited.receivedAt.getTime()) / 1000,
            emails: mails.length,
            alertsDeadLettered: dead,
            fakeMinutes: 15,
          },
        },
        started,
      );
    } finally {
      await smtp.stop();
    }
  }, 60_000);

  it('SMTP refusing connections: Slack pages at once, every email delivered once when SMTP is back', async () => {
    const started = performance.now();
    const first = await startSmtpServer();
    let second: SmtpServer | undefined;
    try {
      world = await openWorld(first);
      const w = world;
      // SMTP down: nothing listens on its port any more (connections refused).
      await first.stop();

      for (const [n, isbn] of BOOKS.entries())
        await w.backend.bus.publish('alerts', { data: alertFor(isbn, n) });
      await until('the Slack pages', () => w.slack.requests.length >= BOOKS.length);
      const pagesAtOnce = w.slack.requests.filter((r) => r.status === 200).length;
      expect(pagesAtOnce).toBe(BOOKS.length);

      // Three fake minutes of refused connections; then SMTP is back on the same port.
      for (let t = 0; t < 3 * 60_000; t += 15_000) await step(w, 15_000);
      const pendingWhileDown = await openDeliveries(w);
      expect(pendingWhileDown).toBe(BOOKS.length);
      second = await startSmtpServer({ port: first.port });
      for (let t = 0; t < 20 * 60_000 && second.messages().length < BOOKS.length; t += 30_000)
        await step(w, 30_000);
      // A few more steps: nothing further may arrive.
      for (let i = 0; i < 4; i++) await step(w, 60_000);

      const mails = [...first.messages(), ...second.messages()];
      const ids = w.slack.requests.filter((r) => r.status === 200).map(slackNotificationId);
      const open = await openDeliveries(w);
      reportReliability(
        'smtp-refusing-connections',
        {
          messages: BOOKS.length,
          notifications: ids.length + mails.length,
          duplicates: duplicatesIn(ids) + duplicatesIn(emailIds(mails)),
          lost: BOOKS.length - new Set(ids).size + (BOOKS.length - new Set(emailIds(mails)).size) + open,
          halfSwitched: 0,
          extra: {
            slackPages: ids.length,
            emails: mails.length,
            pendingWhileDown,
            alertsDeadLettered: await deadLettered(w),
          },
        },
        started,
      );
    } finally {
      await first.stop();
      await second?.stop();
    }
  }, 60_000);
});
