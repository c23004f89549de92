/**
 * Google's emulators failing under the real functions (functions framework),
 * wired as `forecast-guard up --emulators` wires them: state in Firestore,
 * the Pub/Sub emulator pushing to health-check, alert-dispatch and rollback,
 * the model world in the embedded registry, Slack a local HTTP recorder and
 * email aiosmtpd. This suite starts its own emulators (helpers/outages.ts)
 * so its outages never touch the ones other suites share.
 *
 * - Firestore goes away in the middle of a health check, and in the middle
 *   of an all-models rollback: clients are cut off, the emulator is killed
 *   and started again on the same port with the data it had committed
 *   (export before the kill, import at the start; see outages.ts for why
 *   that is the honest model). Pub/Sub redelivers what failed.
 * - Pub/Sub is killed and restarted on the same port while alert-dispatch
 *   works through a batch of alerts. The emulator forgets topics,
 *   subscriptions and unacknowledged messages, which a real outage does
 *   not: the test recreates the topology and republishes every alert (the
 *   redelivery a real Pub/Sub would make, for all of them, acked or not).
 *   What it proves: long-lived clients reconnect to the restarted emulator,
 *   and no alert is lost or told twice however often it arrives.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../../functions/alert-dispatch';
import '../../../functions/health-check';
import '../../../functions/rollback';
import { loadConfig } from '../../../shared/config';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import type { RollbackBackup, RollbackRecord } from '../../../shared/contracts/documents/rollback';
import type { Alert } from '../../../shared/contracts/messages/alert';
import { backupIdFor } from '../../../shared/domain/rollback/ids';
import { demoDegrade } from '../../../shared/services/demo';
import { seedEmbeddedFleet } from '../../../shared/wiring/seed';
import { openBackend, SALES_CSV_FILE, type Backend } from '../../../shared/wiring/backend';
import { closeFunctionRuntimes } from '../../../shared/wiring/function-runtime';
import { ensureTopology } from '../../../shared/wiring/topology-setup';
import { uniqueProjectId } from '../../helpers/emulators';
import { useFunctionEnv, type FunctionEnv } from '../../helpers/function-env';
import { startFunctionServer, type FunctionServer } from '../../helpers/function-server';
import { startRecorder, type Recorder } from '../../helpers/http-recorder';
import { describeWithSmtpServer, startSmtpServer, type SmtpServer } from '../../helpers/smtp-server';
import { consistent, servingOf } from '../rollback/helpers/fleet';
import {
  describeWithOwnEmulators,
  startOwnFirestore,
  startOwnPubSub,
  type OwnFirestore,
  type OwnPubSub,
} from './helpers/outages';
import { duplicatesIn, reportReliability, slackNotificationId } from './helpers/reliability';

const BOOKS = 12;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(
  what: string,
  done: () => Promise<boolean> | boolean,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await done())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

describeWithSmtpServer('fault: emulator outages under the real functions', () => {
  describeWithOwnEmulators('Firestore and Pub/Sub', () => {
    let fnEnv: FunctionEnv | undefined;
    const project = uniqueProjectId('demo-fg-faults');
    let stateDir: string;
    let firestore: OwnFirestore;
    let pubsub: OwnPubSub;
    let backend: Backend;
    let slack: Recorder;
    let smtp: SmtpServer;
    let servers: FunctionServer[] = [];
    let endpoints: Record<string, string> = {};
    let degraded: string[] = [];

    const topology = () =>
      ensureTopology(backend.bus, {
        pushEndpointFor: (consumer, topic) =>
          endpoints[consumer] && `${endpoints[consumer]}/projects/${project}/topics/${topic}`,
      });

    beforeAll(async () => {
      [firestore, pubsub] = await Promise.all([startOwnFirestore(() => [project]), startOwnPubSub()]);
      stateDir = mkdtempSync(join(tmpdir(), 'fg-faults-emulators-'));
      slack = await startRecorder();
      smtp = await startSmtpServer();
      const thresholds = join(stateDir, 'thresholds.json');
      // The test's backend and the functions reach this suite's emulators through their config alone.
      fnEnv = useFunctionEnv({
        FG_STATE_DIR: stateDir,
        FG_LOG_LEVEL: process.env.FG_FAULTS_LOG_LEVEL ?? 'error',
        FG_ENVIRONMENT: 'staging',
        FG_THRESHOLDS_FILE: thresholds,
        FG_BACKEND: 'gcp',
        FG_GROUP_WAIT: '3s',
        GOOGLE_CLOUD_PROJECT: project,
        FIRESTORE_EMULATOR_HOST: firestore.host,
        PUBSUB_EMULATOR_HOST: pubsub.host,
        SLACK_WEBHOOK_URL: `${slack.url}/services/T0/B0/faultsecret`,
        SMTP_URL: smtp.url,
        ALERT_EMAIL_TO: 'oncall@example.com',
        ALERT_EMAIL_FROM: 'forecast-guard <alerts@example.com>',
      });
      writeFileSync(thresholds, '{}');
      const config = loadConfig(fnEnv.env);
      const seeding = openBackend(config);
      await seedEmbeddedFleet(
        { stateDir, salesCsv: join(stateDir, SALES_CSV_FILE), books: BOOKS, seed: 42 },
        seeding,
      );
      await seeding.close();
      backend = openBackend(config);
      // Two books go bad; their breaches page (critical), as in production.
      degraded = (await backend.serving.listServing()).slice(0, 2).map((s) => s.isbn);
      writeFileSync(
        thresholds,
        JSON.stringify(Object.fromEntries(degraded.map((isbn) => [isbn, { breachSeverity: 'critical' }]))),
      );
      for (const isbn of degraded)
        await demoDegrade(isbn, {
          registry: backend.embeddedRegistry!,
          serving: backend.serving,
          bus: backend.bus,
        });
      const health = await startFunctionServer('healthCheck');
      const dispatch = await startFunctionServer('alertDispatch');
      const rollback = await startFunctionServer('rollback');
      servers = [health, dispatch, rollback];
      endpoints = { 'health-check': health.url, 'alert-dispatch': dispatch.url, rollback: rollback.url };
      await topology();
    }, 120_000);

    afterAll(async () => {
      for (const s of servers) await s.close();
      await closeFunctionRuntimes();
      await backend?.close();
      await slack?.close();
      await smtp?.stop();
      await firestore?.stop();
      await pubsub?.stop();
      if (stateDir) rmSync(stateDir, { recursive: true, force: true });
      fnEnv?.restore();
    });

    /** Starts a Firestore outage at the `k`-th chunk any client sends from now on; resolves when it is over. */
    function outageAt(
      k: number,
      downMs = 2000,
    ): { over: Promise<{ downMs: number }>; triggered: () => boolean } {
      let seen = 0;
      let started: Promise<{ downMs: number }> | undefined;
      let fire!: (p: Promise<{ downMs: number }>) => void;
      const over = new Promise<{ downMs: number }>((resolve) => (fire = (p) => void p.then(resolve)));
      firestore.onClientData(() => {
        seen += 1;
        if (seen === k && !started) {
          firestore.onClientData(undefined);
          started = firestore.outage({ downMs });
          fire(started);
        }
      });
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(
          () =>
            reject(
              new Error(
                `the Firestore outage never started: fewer than ${k} client chunks in 30 s (saw ${seen})`,
              ),
            ),
          30_000,
        ).unref(),
      );
      return { over: Promise.race([over, timeout]), triggered: () => started !== undefined };
    }

    /** Waits until no Slack POST or email has arrived for `quietMs`. */
    async function settle(quietMs = 6000): Promise<void> {
      let seen = -1;
      while (seen !== slack.requests.length + smtp.messages().length) {
        seen = slack.requests.length + smtp.messages().length;
        await sleep(quietMs);
      }
    }

    const pages = () => slack.requests.filter((r) => r.status === 200);
    const mailIds = () => smtp.messages().map((m) => m.headers['x-forecast-guard-notification'] ?? m.subject);

    it('Firestore killed and restarted (committed data carried over) in the middle of a health check: one report, each page and email once', async () => {
      const started = performance.now();
      const k = 2 + Math.floor(Math.random() * 6);
      const outage = outageAt(k);
      await backend.bus.publish('health-check-requests', { data: { trigger: 'schedule' } });
      const { downMs } = await outage.over;
      await until(
        'the health report',
        async () => (await backend.state.query(COLLECTIONS.healthReports)).length > 0,
      );
      await until('a page per degraded book', () => pages().length >= degraded.length);
      await settle();
      const reports = await backend.state.query(COLLECTIONS.healthReports);
      const ids = pages().map(slackNotificationId);
      const paged = new Set(
        degraded.filter((isbn) => pages().some((p) => JSON.stringify(p.body).includes(isbn))),
      );
      const mailed = new Set(degraded.filter((isbn) => smtp.messages().some((m) => m.text.includes(isbn))));
      // A condition told twice, under any notification id, is a duplicate too: count each fingerprint
      // (one per book and kind) across the pages, and across the emails. A book whose conditions came
      // in after its group had gone out is paged again for those conditions alone: not a duplicate.
      const fingerprints = (text: string) => [...text.matchAll(/fingerprint ([0-9a-f]+)/g)].map((m) => m[1]!);
      const pagedConditions = pages().flatMap((p) => [...new Set(fingerprints(JSON.stringify(p.body)))]);
      const mailedConditions = smtp.messages().flatMap((m) => [...new Set(fingerprints(m.text))]);
      const titles = pages().map((p) => (p.body as { text?: string }).text ?? '');
      if (process.env.FG_FAULTS_LOG_LEVEL) process.stdout.write(`pages: ${JSON.stringify(titles)}\n`);
      expect(reports).toHaveLength(1);
      reportReliability(
        `firestore-restart-during-health-check (cut at client chunk ${k}, down ${downMs} ms)`,
        {
          messages: 1,
          notifications: ids.length + smtp.messages().length,
          duplicates:
            duplicatesIn(ids) +
            duplicatesIn(mailIds()) +
            duplicatesIn(pagedConditions) +
            duplicatesIn(mailedConditions) +
            (reports.length - 1),
          lost:
            degraded.length - paged.size + (degraded.length - mailed.size) + (reports.length === 0 ? 1 : 0),
          halfSwitched: 0,
          extra: {
            reports: reports.length,
            conditions: new Set(pagedConditions).size,
            pagesPerBook: degraded.map((isbn) => titles.filter((t) => t.includes(isbn)).length).join('/'),
            books: BOOKS,
            degraded: degraded.length,
          },
        },
        started,
      );
    }, 120_000);

    it('Firestore killed and restarted (committed data carried over) in the middle of an all-models rollback: every book at its target or as before, none half-switched', async () => {
      const started = performance.now();
      const isbns = (await backend.serving.listServing()).map((s) => s.isbn).sort();
      const before = await Promise.all(isbns.map((isbn) => servingOf({ backend }, isbn)));
      const requestId = `faults-all-${project}`;
      // A run of 12 books sends 14 TCP chunks here, fewer on a busy machine (HTTP/2 frames travel
      // together): cut within the first half of them.
      const k = 3 + Math.floor(Math.random() * 5);
      const outage = outageAt(k);
      await backend.bus.publish('rollback-requests', {
        data: {
          requestId,
          scope: { all: true },
          target: { kind: 'previous' },
          reason: 'fault suite: Firestore outage during an all-models rollback',
          requestedBy: 'faults@example.com',
          correlationId: `corr-${requestId}`,
        },
      });
      const { downMs } = await outage.over;
      const head = async () =>
        (await backend.state.get<RollbackBackup>(COLLECTIONS.rollbackBackups, backupIdFor(requestId)))?.data;
      await until('the rollback run to finish', async () => (await head())?.status === 'done', 90_000);
      const records = new Map(
        (
          await backend.state.query<RollbackRecord>(COLLECTIONS.rollbackRecords, {
            where: [{ field: 'requestId', op: '==', value: requestId }],
          })
        ).map((r) => [r.data.isbn, r.data]),
      );
      let halfSwitched = 0;
      let lost = 0;
      let unrecordedSwitches = 0;
      for (const [n, isbn] of isbns.entries()) {
        const now = await servingOf({ backend }, isbn);
        const record = records.get(isbn);
        // Half-switched: the alias does not name the one version taking all traffic, or a book recorded
        // as switched is not at its target; a book without a succeeded record must be as before.
        if (!consistent(now)) halfSwitched += 1;
        else if (record?.status === 'succeeded') {
          if (now.alias !== record.to) halfSwitched += 1;
        } else if (JSON.stringify(now) !== JSON.stringify(before[n])) unrecordedSwitches += 1;
        // Lost: a book the run says nothing about (no record), so nobody is told what became of it.
        if (!record) lost += 1;
      }
      reportReliability(
        `firestore-restart-during-all-models-rollback (cut at client chunk ${k}, down ${downMs} ms)`,
        {
          messages: 1,
          notifications: 0,
          duplicates: 0,
          lost,
          halfSwitched,
          extra: {
            books: isbns.length,
            succeeded: [...records.values()].filter((r) => r.status === 'succeeded').length,
            records: records.size,
            unrecordedSwitches,
          },
        },
        started,
      );
    }, 150_000);

    it('Pub/Sub killed and restarted on the same port during alert dispatch: every alert told once, however often it arrives', async () => {
      const started = performance.now();
      slack.clear();
      const mailsBefore = smtp.messages().length;
      const isbns = (await backend.serving.listServing()).map((s) => s.isbn).slice(0, 8);
      const alerts: Alert[] = isbns.map((isbn, n) => ({
        kind: 'endpoint_unhealthy',
        severity: 'critical',
        status: 'firing',
        isbn,
        summary: `canary prediction failed for ${isbn} (fault suite ${n})`,
        details: {},
        source: 'health-check',
        observedAt: new Date(Date.parse('2031-03-03T09:00:00.000Z') + n).toISOString(),
        correlationId: `corr-pubsub-fault-${n}`,
      }));
      let messages = 0;
      for (const alert of alerts) {
        await backend.bus.publish('alerts', { data: alert });
        messages += 1;
      }
      // Restart while pages are going out: some sent, some not yet.
      await until('the first pages', () => slack.requests.length >= 2, 30_000);
      const lastIdBefore = Number(await backend.bus.publish('model-lifecycle', { data: { probe: true } }));
      const { downMs } = await pubsub.restart();
      const pagesAtRestart = pages().length;
      // The restarted emulator knows nothing: recreate the topology, then publish every alert again through
      // the same long-lived client (it must reconnect), as a real Pub/Sub would redeliver what was not acked.
      await topology();
      // The emulator also numbers messages from 1 again, which Pub/Sub never does (ids are unique): the
      // functions would take a reused id for a message they already handled. Move its counter past the
      // ids used before the restart, so what follows is what a real outage looks like.
      let id = 0;
      while (id <= lastIdBefore)
        id = Number(await backend.bus.publish('model-lifecycle', { data: { filler: id } }));
      for (const alert of alerts) {
        await backend.bus.publish('alerts', { data: alert });
        messages += 1;
      }
      await until(
        'a page per alert',
        () => new Set(pages().map(slackNotificationId)).size >= alerts.length,
        60_000,
      );
      await settle();
      const ids = pages().map(slackNotificationId);
      const mails = smtp.messages().slice(mailsBefore);
      const mIds = mails.map((m) => m.headers['x-forecast-guard-notification'] ?? m.subject);
      reportReliability(
        `pubsub-restart-during-alert-dispatch (down ${downMs} ms)`,
        {
          messages,
          notifications: ids.length + mails.length,
          duplicates: duplicatesIn(ids) + duplicatesIn(mIds),
          lost: alerts.length - new Set(ids).size + (alerts.length - new Set(mIds).size),
          halfSwitched: 0,
          extra: {
            alerts: alerts.length,
            pagesBeforeRestart: pagesAtRestart,
            slackPosts: slack.requests.length,
          },
        },
        started,
      );
    }, 120_000);
  });
});
