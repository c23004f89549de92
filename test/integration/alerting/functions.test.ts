/**
 * alert-dispatch, daily-summary and pipeline-events through the real
 * functions framework on the embedded backend, wired as the local stack
 * wires them: the embedded queue's PushDispatcher posts each `alerts`
 * message to alert-dispatch. A Vertex AI PipelineJob FAILED log entry in
 * the log sink's real push format becomes a Slack POST and an email (timed);
 * malformed messages on `alerts` and `daily-summary-requests` are
 * dead-lettered with the reason, and the functions keep answering.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../../functions/alert-dispatch';
import '../../../functions/daily-summary';
import '../../../functions/pipeline-events';
import { PushDispatcher } from '../../../shared/adapters/local/push-dispatcher';
import { SqliteEventBus } from '../../../shared/adapters/local/sqlite-event-bus';
import { deadLetterSubscriptionOf } from '../../../shared/topology';
import { QUEUE_DB_FILE } from '../../../shared/wiring/backend';
import { closeFunctionRuntimes } from '../../../shared/wiring/function-runtime';
import { ensureTopology } from '../../../shared/wiring/topology-setup';
import { reportFigure } from '../../helpers/figures';
import { useFunctionEnv, type FunctionEnv } from '../../helpers/function-env';
import { startFunctionServer, type FunctionServer } from '../../helpers/function-server';
import { loadFixture } from '../../helpers/gcp-fixtures';
import { startRecorder, type Recorder } from '../../helpers/http-recorder';
import { describeWithSmtpServer, startSmtpServer, type SmtpServer } from '../../helpers/smtp-server';
import { EMAIL_FROM, EMAIL_TO, SLACK_PATH, slackPages } from './harness';

const FLUSH_TOKEN = 'flush-token-for-functions-test';
const flushAuth = { authorization: `Bearer ${FLUSH_TOKEN}` };

describeWithSmtpServer('alerting functions through the functions framework (embedded)', () => {
  let stateDir: string;
  let bus: SqliteEventBus;
  let slack: Recorder;
  let smtp: SmtpServer;
  let servers: Record<'pipelineEvents' | 'alertDispatch' | 'dailySummary' | 'flush', FunctionServer>;
  let dispatcher: PushDispatcher;
  let fnEnv: FunctionEnv | undefined;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-alerting-fn-'));
    slack = await startRecorder();
    smtp = await startSmtpServer();
    fnEnv = useFunctionEnv({
      FG_STATE_DIR: stateDir,
      FG_LOG_LEVEL: 'error',
      SLACK_WEBHOOK_URL: `${slack.url}${SLACK_PATH}`,
      SMTP_URL: smtp.url,
      ALERT_EMAIL_TO: EMAIL_TO,
      ALERT_EMAIL_FROM: EMAIL_FROM,
      FG_FLUSH_TOKEN: FLUSH_TOKEN,
    });
    bus = SqliteEventBus.open(join(stateDir, QUEUE_DB_FILE));
    await ensureTopology(bus);
    servers = {
      pipelineEvents: await startFunctionServer('pipelineEvents'),
      alertDispatch: await startFunctionServer('alertDispatch'),
      dailySummary: await startFunctionServer('dailySummary'),
      flush: await startFunctionServer('alertDispatchFlush'),
    };
    dispatcher = new PushDispatcher({
      bus,
      subscription: 'alerts--alert-dispatch',
      projectId: 'demo-local',
      endpoint: servers.alertDispatch.url,
      pullWaitMs: 50,
    });
    dispatcher.start();
    // Warm both instances (config, SQLite files, topology), as a running stack is between incidents.
    const running = loadFixture<Record<string, unknown>>(
      '2-vertex-pipeline-logs/pipelinejob-logentry.failed.json',
    );
    const entry = {
      ...running,
      jsonPayload: { ...(running.jsonPayload as object), state: 'PIPELINE_STATE_RUNNING' },
    };
    await push('pipeline-events', servers.pipelineEvents, 'warm-1', entry);
    expect((await fetch(servers.flush.url, { method: 'POST', headers: flushAuth })).status).toBe(200);
  });

  afterAll(async () => {
    await dispatcher?.stop();
    for (const s of Object.values(servers ?? {})) await s.close();
    await closeFunctionRuntimes();
    await bus?.close();
    await slack?.close();
    await smtp?.stop();
    rmSync(stateDir, { recursive: true, force: true });
    fnEnv?.restore();
  });

  async function drain(sub: string) {
    const msgs = await bus.pull(sub, 100, 300);
    if (msgs.length > 0)
      await bus.ack(
        sub,
        msgs.map((m) => m.ackId),
      );
    return msgs;
  }

  function push(
    topic: string,
    server: FunctionServer,
    messageId: string,
    data: unknown,
    attributes: Record<string, string> = {},
  ) {
    const body = {
      message: {
        data: Buffer.from(typeof data === 'string' ? data : JSON.stringify(data)).toString('base64'),
        attributes,
        messageId,
        message_id: messageId,
        publishTime: new Date().toISOString(),
      },
      subscription: `projects/demo-local/subscriptions/${topic}--x`,
    };
    return fetch(`${server.url}/projects/demo-local/topics/${topic}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  it('turns a Vertex AI PipelineJob FAILED log entry into a Slack POST and an email in well under 5 s', async () => {
    const { body } = loadFixture<{ body: unknown }>('2-vertex-pipeline-logs/sink-to-pubsub.push-body.json');
    const started = performance.now();
    const res = await fetch(`${servers.pipelineEvents.url}/projects/demo-local/topics/pipeline-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBeLessThan(300);
    await slack.waitFor(1, 10_000);
    const elapsedMs = performance.now() - started;
    reportFigure(
      'alerting',
      'PipelineJob FAILED log entry → Slack POST (embedded, functions framework)',
      `${elapsedMs.toFixed(0)} ms`,
    );
    expect(elapsedMs).toBeLessThan(5000);
    const [page] = slackPages(slack);
    expect(page!.text).toContain('[CRITICAL] Training pipeline my-training-pipeline failed');
    const context = JSON.stringify(slack.requests[0]!.body);
    expect(context).toContain('console.cloud.google.com/vertex-ai/locations/us-central1/pipelines/runs/');
    const [mail] = await smtp.waitForMessages(1);
    expect(mail!.subject).toContain('my-training-pipeline failed');
    // The correlation id pipeline-events gave the incident reaches the email and the Slack footer alike.
    const correlationId = mail!.headers['x-forecast-guard-correlation-id'];
    expect(correlationId).toMatch(/^corr-/);
    expect(context).toContain(`correlationId ${correlationId}`);
  });

  it('dead-letters a malformed alert with the field and reason, and keeps answering', async () => {
    const bad = {
      kind: 'rmse_spike',
      severity: 'urgent',
      status: 'firing',
      summary: 'x',
      source: 'test',
      observedAt: 'yesterday',
      correlationId: 'c',
    };
    const res = await push('alerts', servers.alertDispatch, 'bad-alert-1', bad, {
      correlationId: 'corr-bad-alert',
    });
    expect(res.status).toBeLessThan(300);
    const notJson = await push('alerts', servers.alertDispatch, 'bad-alert-2', 'not json {');
    expect(notJson.status).toBeLessThan(300);
    const dead = await drain(deadLetterSubscriptionOf('alerts'));
    expect(dead.map((m) => m.attributes.deadLetterSourceMessageId).sort()).toEqual([
      'bad-alert-1',
      'bad-alert-2',
    ]);
    const reason = dead.find((m) => m.attributes.deadLetterSourceMessageId === 'bad-alert-1')!.attributes
      .deadLetterReason;
    expect(reason).toContain('Alert is invalid');
    expect(reason).toContain('severity: must be one of critical|warning|info (got "urgent")');
    expect(reason).toContain('observedAt');
    expect(
      dead.find((m) => m.attributes.deadLetterSourceMessageId === 'bad-alert-2')!.attributes.deadLetterReason,
    ).toContain('is not JSON');
  });

  it('dead-letters a malformed daily-summary request with the reason', async () => {
    const res = await push('daily-summary-requests', servers.dailySummary, 'bad-summary-1', {
      trigger: 'hourly',
      date: '2024-13-45',
    });
    expect(res.status).toBeLessThan(300);
    const dead = await drain(deadLetterSubscriptionOf('daily-summary-requests'));
    expect(dead).toHaveLength(1);
    expect(dead[0]!.attributes).toMatchObject({
      deadLetterConsumer: 'daily-summary',
      deadLetterSourceMessageId: 'bad-summary-1',
    });
    expect(dead[0]!.attributes.deadLetterReason).toContain('DailySummaryRequest is invalid');
    expect(dead[0]!.attributes.deadLetterReason).toContain(
      'trigger: must be one of schedule|manual|drill (got "hourly")',
    );
    expect(dead[0]!.attributes.deadLetterReason).toContain('date: must be an ISO date');
  });

  it('sends the daily summary through its function, with the open critical in it', async () => {
    slack.clear();
    const mailsBefore = smtp.messages().length;
    const res = await push(
      'daily-summary-requests',
      servers.dailySummary,
      'summary-1',
      { trigger: 'manual' },
      { correlationId: 'corr-digest-fn' },
    );
    expect(res.status).toBeLessThan(300);
    const [post] = await slack.waitFor(1);
    const text = JSON.stringify(post!.body);
    expect(text).toContain('Daily summary');
    expect(text).toContain('Open critical alerts: 1');
    expect(text).toContain('pipeline_failed');
    const mails = await smtp.waitForMessages(mailsBefore + 1);
    expect(mails.at(-1)!.subject).toContain('Daily summary');
    expect(mails.at(-1)!.headers['x-forecast-guard-correlation-id']).toBe('corr-digest-fn');
  });

  it('answers the flush entry a scheduler calls with what it did', async () => {
    const res = await fetch(`${servers.flush.url}/`, { method: 'POST', headers: flushAuth });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ jobs: 0, delivered: 0, retrying: 0, gaveUp: 0, errors: 0 });
  });
});
