/**
 * The alerting functions through the real functions framework on Google's
 * emulators: Pub/Sub pushes `alerts` to alert-dispatch (a push subscription,
 * as Eventarc would), state lives in Firestore. A PipelineJob FAILED log
 * entry becomes a Slack POST (timed); malformed messages on `alerts` and
 * `daily-summary-requests` are dead-lettered with the reason.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../../functions/alert-dispatch';
import '../../../functions/daily-summary';
import '../../../functions/pipeline-events';
import { resetFirestoreEmulator } from '../../../shared/adapters/gcp/emulators';
import { PubSubEventBus } from '../../../shared/adapters/gcp/pubsub-event-bus';
import { deadLetterSubscriptionOf } from '../../../shared/topology';
import { closeFunctionRuntimes } from '../../../shared/wiring/function-runtime';
import { ensureTopology } from '../../../shared/wiring/topology-setup';
import {
  describeOnEmulators,
  emulatorEnv,
  requireEmulatorHosts,
  uniqueProjectId,
} from '../../helpers/emulators';
import { reportFigure } from '../../helpers/figures';
import { useFunctionEnv, type FunctionEnv } from '../../helpers/function-env';
import { startFunctionServer, type FunctionServer } from '../../helpers/function-server';
import { loadFixture } from '../../helpers/gcp-fixtures';
import { startRecorder, type Recorder } from '../../helpers/http-recorder';
import { SLACK_PATH, slackPages } from './harness';

const FLUSH_TOKEN = 'flush-token-for-emulator-test';

describeOnEmulators('alerting functions on the Pub/Sub and Firestore emulators', () => {
  const projectId = uniqueProjectId('demo-fg-alertfn');
  let stateDir: string;
  let bus: PubSubEventBus;
  let slack: Recorder;
  let servers: FunctionServer[] = [];
  let pipelineEvents: FunctionServer;
  let dailySummary: FunctionServer;
  let fnEnv: FunctionEnv | undefined;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-alertfn-emu-'));
    slack = await startRecorder();
    fnEnv = useFunctionEnv({
      FG_FLUSH_TOKEN: FLUSH_TOKEN,
      FG_STATE_DIR: stateDir,
      FG_LOG_LEVEL: 'error',
      FG_BACKEND: 'gcp',
      GOOGLE_CLOUD_PROJECT: projectId,
      ...emulatorEnv(),
      SLACK_WEBHOOK_URL: `${slack.url}${SLACK_PATH}`,
    });
    pipelineEvents = await startFunctionServer('pipelineEvents');
    dailySummary = await startFunctionServer('dailySummary');
    const alertDispatch = await startFunctionServer('alertDispatch');
    const flush = await startFunctionServer('alertDispatchFlush');
    servers = [pipelineEvents, dailySummary, alertDispatch, flush];
    bus = new PubSubEventBus({ projectId, emulatorHost: requireEmulatorHosts().pubsub });
    // Before any function starts its runtime: an existing subscription keeps these settings.
    await ensureTopology(bus, {
      pushEndpointFor: (consumer, topic) =>
        consumer === 'alert-dispatch'
          ? `${alertDispatch.url}/projects/${projectId}/topics/${topic}`
          : undefined,
    });
    // Warm both instances (config, clients, topology check), as a deployed function is warm between incidents:
    // a RUNNING state change is ignored by pipeline-events, and a flush starts alert-dispatch's runtime.
    const running = loadFixture<Record<string, unknown>>(
      '2-vertex-pipeline-logs/pipelinejob-logentry.failed.json',
    );
    const entry = {
      ...running,
      jsonPayload: { ...(running.jsonPayload as object), state: 'PIPELINE_STATE_RUNNING' },
    };
    await fetch(`${pipelineEvents.url}/projects/${projectId}/topics/pipeline-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        message: {
          data: Buffer.from(JSON.stringify(entry)).toString('base64'),
          attributes: {},
          messageId: 'warm-1',
        },
      }),
    });
    expect(
      (await fetch(flush.url, { method: 'POST', headers: { authorization: `Bearer ${FLUSH_TOKEN}` } }))
        .status,
    ).toBe(200);
  }, 60_000);

  afterAll(async () => {
    for (const s of servers) await s.close();
    await closeFunctionRuntimes();
    await bus?.close();
    await slack?.close();
    await resetFirestoreEmulator(requireEmulatorHosts().firestore, projectId);
    rmSync(stateDir, { recursive: true, force: true });
    fnEnv?.restore();
  });

  async function deadLetters(topic: string, count: number) {
    const sub = deadLetterSubscriptionOf(topic);
    const got = [];
    for (let i = 0; i < 50 && got.length < count; i++) got.push(...(await bus.pull(sub, 10, 200)));
    if (got.length > 0)
      await bus.ack(
        sub,
        got.map((m) => m.ackId),
      );
    return got;
  }

  it('turns a PipelineJob FAILED log entry into a Slack POST via a Pub/Sub push to alert-dispatch', async () => {
    const { body } = loadFixture<{ body: unknown }>('2-vertex-pipeline-logs/sink-to-pubsub.push-body.json');
    const started = performance.now();
    const res = await fetch(`${pipelineEvents.url}/projects/${projectId}/topics/pipeline-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBeLessThan(300);
    await slack.waitFor(1, 20_000);
    const elapsedMs = performance.now() - started;
    reportFigure(
      'alerting',
      'PipelineJob FAILED log entry → Slack POST (emulators, functions framework)',
      `${elapsedMs.toFixed(0)} ms`,
    );
    expect(elapsedMs).toBeLessThan(5000);
    expect(slackPages(slack)[0]!.text).toContain('[CRITICAL] Training pipeline my-training-pipeline failed');
  }, 30_000);

  it('dead-letters a malformed alert pushed by Pub/Sub, with the reason', async () => {
    await bus.publish('alerts', {
      data: {
        kind: 'rmse_spike',
        severity: 'urgent',
        status: 'firing',
        summary: 'x',
        source: 's',
        observedAt: 'now',
        correlationId: 'c',
      },
      attributes: { correlationId: 'corr-bad-emu' },
    });
    const [dead] = await deadLetters('alerts', 1);
    expect(dead!.attributes).toMatchObject({
      deadLetterConsumer: 'alert-dispatch',
      correlationId: 'corr-bad-emu',
    });
    expect(dead!.attributes.deadLetterReason).toContain(
      'severity: must be one of critical|warning|info (got "urgent")',
    );
  }, 30_000);

  it('dead-letters a malformed daily-summary request, with the reason', async () => {
    const data = Buffer.from(JSON.stringify({ trigger: 'now' })).toString('base64');
    const res = await fetch(`${dailySummary.url}/projects/${projectId}/topics/daily-summary-requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        message: { data, attributes: {}, messageId: 'bad-ds-1' },
        subscription: `projects/${projectId}/subscriptions/x`,
      }),
    });
    expect(res.status).toBeLessThan(300);
    const [dead] = await deadLetters('daily-summary-requests', 1);
    expect(dead!.attributes.deadLetterReason).toContain(
      'trigger: must be one of schedule|manual|drill (got "now")',
    );
  }, 30_000);
});
