/**
 * The alerting done-when checks, through the real Slack and email notifiers
 * (the http-recorder as Slack's webhook, aiosmtpd as the mail server), run by
 * alert-dispatch.test.ts on the embedded state store and by
 * alert-dispatch.firestore.test.ts on Firestore's emulator. Time is a
 * stepped clock, so repeat intervals pass without sleeping.
 */
import { SqliteEventBus } from '../../../shared/adapters/local/sqlite-event-bus';
import type { Alert } from '../../../shared/contracts/messages/alert';
import { createSilentLogger } from '../../../shared/logging/capture';
import { randomIds } from '../../../shared/ports/clock';
import {
  handlePubSubDelivery,
  type PubSubFunctionSpec,
  type PubSubRuntime,
} from '../../../shared/runtime/pubsub-function';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import type { AlertState } from '../../../shared/contracts/documents/alert-state';
import type { HealthReport } from '../../../shared/contracts/documents/health-report';
import { dispatchAlert, flushPendingNotifications } from '../../../shared/services/alert-dispatch';
import { runDailySummary } from '../../../shared/services/daily-summary';
import type { AlertDispatchDeps } from '../../../shared/services/alert-dispatch/deps';
import { OUTBOX } from '../../../shared/services/alert-dispatch/outbox';
import type { CapturedLogs } from '../../../shared/logging/capture';
import { ensureTopology } from '../../../shared/wiring/topology-setup';
import { reportFigure } from '../../helpers/figures';
import { startRecorder, type Recorder } from '../../helpers/http-recorder';
import { describeWithSmtpServer, startSmtpServer, type SmtpServer } from '../../helpers/smtp-server';
import { Alert as AlertSchema } from '../../../shared/contracts/messages/alert';
import {
  SLACK_PATH,
  EMAIL_TO,
  realDeps,
  slackPages,
  steppedClock,
  type StateBackend,
  type SteppedClock,
} from './harness';

const ISBN = '9780722532935';
const ISBN_2 = '9780241003008';
const HOUR = 3_600_000;

/** The done-when checks on one state backend (each test opens a fresh store). */
export function describeDoneWhen(backend: StateBackend): void {
  describeWithSmtpServer(`alert dispatch to Slack and email [${backend.label} state]`, () => {
    let slack: Recorder;
    let smtp: SmtpServer;
    let clock: SteppedClock;
    let deps: AlertDispatchDeps;
    let logs: CapturedLogs;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      slack = await startRecorder();
      smtp = await startSmtpServer();
    });
    afterAll(async () => {
      await slack?.close();
      await smtp?.stop();
    });
    beforeEach(async () => {
      slack.clear();
      clock = steppedClock();
      const opened = await backend.open(clock);
      cleanup = opened.cleanup;
      ({ deps, logs } = realDeps(opened.state, clock, { slack, smtp }));
    });
    afterEach(() => cleanup());

    const mailsTo = (isbn: string) => smtp.messages().filter((m) => m.subject.includes(isbn));

    function healthAlert(run: number, overrides: Partial<Alert> = {}): Alert {
      return {
        kind: 'rmse_above_threshold',
        severity: 'critical',
        status: 'firing',
        isbn: ISBN,
        modelVersion: '22',
        summary: 'RMSE 112.4 is above the production limit 80',
        details: { rmse: 112.4, threshold: 80 },
        source: 'health-check',
        observedAt: clock.now().toISOString(),
        correlationId: `corr-${backend.label}-run-${run}-${Date.now()}`,
        runId: `hc-${backend.label}-${run}`,
        environment: 'production',
        ...overrides,
      };
    }

    it('sends the same critical alert across three runs as exactly one Slack POST and one email, then one resolution notice', async () => {
      const before = smtp.messages().length;
      for (let run = 1; run <= 3; run++) {
        await dispatchAlert(healthAlert(run), {}, deps);
        clock.advance(HOUR / 6);
      }
      expect(slackPages(slack)).toHaveLength(1);
      expect(slackPages(slack)[0]!.text).toContain(
        `[CRITICAL] ${ISBN} v22: RMSE 112.4 is above the production limit 80`,
      );
      expect(smtp.messages().length - before).toBe(1);
      const mail = smtp.messages().at(-1)!;
      expect(mail).toMatchObject({ to: [EMAIL_TO] });
      expect(mail.subject).toContain('[CRITICAL]');

      await dispatchAlert(
        healthAlert(4, { status: 'resolved', severity: 'info', summary: 'RMSE back to 41.2' }),
        {},
        deps,
      );
      await dispatchAlert(
        healthAlert(5, { status: 'resolved', severity: 'info', summary: 'RMSE back to 41.2' }),
        {},
        deps,
      );
      const pages = slackPages(slack);
      expect(pages).toHaveLength(2);
      expect(pages[1]!.text).toContain(`[RESOLVED] ${ISBN} v22: cleared: RMSE back to 41.2`);
      expect(smtp.messages().length - before).toBe(2);
      expect(smtp.messages().at(-1)!.subject).toContain('[RESOLVED]');
    });

    it('notifies once for 100 concurrent deliveries of one alert message, and for 100 distinct messages of one alert', async () => {
      const bus = SqliteEventBus.open(':memory:');
      await ensureTopology(bus);
      const runtime: PubSubRuntime = {
        state: deps.state,
        bus,
        clock,
        ids: randomIds,
        logger: createSilentLogger(),
      };
      // The spec functions/alert-dispatch registers.
      const spec: PubSubFunctionSpec<typeof AlertSchema> = {
        consumer: 'alert-dispatch',
        topic: 'alerts',
        schema: AlertSchema,
        what: 'Alert',
        handle: async (a, ctx) => {
          await dispatchAlert(a, { logger: ctx.logger, deliveryAttempt: ctx.deliveryAttempt }, deps);
        },
      };
      const push = (messageId: string, alert: Alert) => ({
        message: {
          data: Buffer.from(JSON.stringify(alert)).toString('base64'),
          attributes: { correlationId: alert.correlationId },
          messageId,
        },
        subscription: 'projects/demo/subscriptions/alerts--alert-dispatch',
      });
      // Pub/Sub redelivers whatever failed with a retryable error; so does this loop.
      const deliver = async (body: unknown): Promise<number> => {
        for (let attempt = 1; ; attempt++) {
          try {
            await handlePubSubDelivery(spec, body, runtime);
            return attempt;
          } catch (err) {
            if (attempt >= 10) throw err;
          }
        }
      };
      const one = healthAlert(1);
      const started = performance.now();
      const attempts = await Promise.all(Array.from({ length: 100 }, () => deliver(push('msg-same-1', one))));
      const other = healthAlert(2, { isbn: ISBN_2 });
      await Promise.all(Array.from({ length: 100 }, (_, i) => deliver(push(`msg-copy-${i}`, other))));
      reportFigure(
        'alerting',
        `200 concurrent deliveries [${backend.label}]`,
        `${(performance.now() - started).toFixed(0)} ms, ${attempts.filter((a) => a > 1).length} redelivered`,
      );
      await flushPendingNotifications({}, deps);
      const pages = slackPages(slack);
      expect(pages.filter((p) => p.text.includes(ISBN))).toHaveLength(1);
      expect(pages.filter((p) => p.text.includes(ISBN_2))).toHaveLength(1);
      expect(mailsTo(ISBN_2)).toHaveLength(1);
      await bus.close();
    });

    it('delivers the page after Slack answered 500 for a while, exactly once, the email only once', async () => {
      const flaky = healthAlert(1, { isbn: '9780261102217', correlationId: `corr-flaky-${backend.label}` });
      slack.failNext(4, 500);
      await expect(dispatchAlert(flaky, { deliveryAttempt: 1 }, deps)).rejects.toMatchObject({
        retryable: true,
      });
      expect(slackPages(slack)).toHaveLength(0);
      expect(mailsTo('9780261102217')).toHaveLength(1);
      // The retry path: a scheduler (or the next invocation) flushes what is due, every couple of minutes here.
      let flushes = 0;
      while (slackPages(slack).length === 0 && flushes < 10) {
        clock.advance(2 * 60_000);
        await flushPendingNotifications({}, deps);
        flushes += 1;
      }
      expect(slack.requests.map((r) => r.status)).toEqual([500, 500, 500, 500, 200]);
      // The webhook path is the credential: it is in no log line and in no stored error.
      const secret = SLACK_PATH.split('/').at(-1)!;
      const stored = JSON.stringify((await deps.state.query(OUTBOX)).map((d) => d.data));
      expect(stored).toContain('Slack answered HTTP 500');
      expect(stored).not.toContain(secret);
      expect(logs.lines.join('\n')).toContain('slack notification');
      expect(logs.lines.join('\n')).not.toContain(secret);
      const page = slackPages(slack)[0]!;
      expect(page.text).toContain('[CRITICAL] 9780261102217');
      expect(mailsTo('9780261102217')).toHaveLength(1);
      clock.advance(HOUR);
      await flushPendingNotifications({}, deps);
      // Later flushes never send it again (only the escalation of the unacknowledged alert follows).
      expect(slackPages(slack).filter((p) => p.id === page.id)).toHaveLength(1);
      expect(slackPages(slack).map((p) => p.id.split(':').at(-1))).toEqual(['f', 'escalation']);
      // No escalation webhook is configured: the escalation goes where the page went, email included.
      expect(mailsTo('9780261102217').map((m) => m.subject.slice(0, 24))).toEqual([
        '[CRITICAL] 9780261102217',
        '[CRITICAL][ESCALATED] 97',
      ]);
    });

    it('sends one daily digest of the day’s warnings, fleet health and open criticals to Slack and email', async () => {
      const mailsBefore = smtp.messages().length;
      await dispatchAlert(
        healthAlert(1, {
          kind: 'data_drift',
          severity: 'warning',
          summary: 'PSI 0.31: recent sales drifted',
        }),
        {},
        deps,
      );
      await dispatchAlert(
        healthAlert(1, { isbn: ISBN_2, summary: 'RMSE 140 is above the production limit 80' }),
        {},
        deps,
      );
      expect(slackPages(slack)).toHaveLength(1);
      const report = (runId: string, startedAt: Date, status: HealthReport['status']): HealthReport => ({
        runId,
        trigger: 'schedule',
        startedAt: startedAt.toISOString(),
        finishedAt: new Date(startedAt.getTime() + 30_000).toISOString(),
        durationMs: 30_000,
        status,
        registry: { ok: true, latencyMs: 8 },
        models: [
          {
            isbn: ISBN,
            version: '22',
            rmse: 60,
            mape: 18,
            baselineRmse: 50,
            baselineMape: 15,
            status: 'healthy',
          },
          {
            isbn: ISBN_2,
            version: '7',
            rmse: 140,
            mape: 44,
            baselineRmse: 55,
            baselineMape: 16,
            status: 'unhealthy',
          },
        ],
        alerts: [{ kind: 'rmse_above_threshold', severity: 'critical', isbn: ISBN_2 }],
        correlationId: 'corr-hc',
      });
      await deps.state.set(COLLECTIONS.healthReports, 'hc-old', {
        ...report('hc-old', new Date(clock.now().getTime() - 2 * HOUR), 'healthy'),
      });
      await deps.state.set(COLLECTIONS.healthReports, 'hc-new', {
        ...report('hc-new', new Date(clock.now().getTime() - HOUR), 'degraded'),
      });

      const request = { trigger: 'schedule' as const, date: clock.now().toISOString().slice(0, 10) };
      const result = await runDailySummary(request, { correlationId: `corr-digest-${backend.label}` }, deps);
      expect(result).toMatchObject({
        alreadySent: false,
        counts: { warnings: 1, newWarnings: 1, openCriticals: 1, models: 2, unhealthy: 1 },
      });
      const pages = slackPages(slack);
      expect(pages).toHaveLength(2);
      expect(pages[1]!.text).toContain(
        `Daily summary ${request.date} (production): 1 open critical, 1 warnings, fleet degraded`,
      );
      const body = JSON.stringify(slack.requests.at(-1)!.body);
      expect(body).toContain('hc-new');
      expect(body).toContain(`${ISBN_2} v7: unhealthy, RMSE 140.0`);
      expect(body).toContain('PSI 0.31: recent sales drifted (new)');
      expect(body).toContain('RMSE 140 is above the production limit 80');
      const mails = smtp.messages().slice(mailsBefore);
      expect(mails.map((m) => m.subject)).toEqual([
        expect.stringContaining(ISBN_2),
        expect.stringContaining('Daily summary'),
      ]);
      expect(mails[1]!.text).toContain('Worst models:');

      // A redelivered request (or a second scheduler run) sends nothing more.
      const again = await runDailySummary(request, { correlationId: `corr-digest-${backend.label}` }, deps);
      expect(again.alreadySent).toBe(true);
      expect(slackPages(slack)).toHaveLength(2);
      expect(smtp.messages().length - mailsBefore).toBe(2);
      // The warning has now been told.
      const warnings = (
        await deps.state.query<AlertState>(COLLECTIONS.alertStates, {
          where: [{ field: 'severity', op: '==', value: 'warning' }],
        })
      ).map((d) => d.data);
      expect(warnings).toEqual([
        expect.objectContaining({ kind: 'data_drift', status: 'firing', notifyCount: 1 }),
      ]);
    });
  });
}
