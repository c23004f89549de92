/**
 * pipeline-events through the real functions framework, on the embedded
 * backend: the log sink's Pub/Sub push body (and Eventarc's binary
 * CloudEvent) in, an alert on `alerts` out; duplicates skipped; malformed
 * entries dead-lettered with the reason, never retried, never a crash.
 */
// Registers the function, as loading the bundle does in production; its runtime reads the env at the first event.
import '../../../functions/pipeline-events';
import { Alert } from '../../../shared/contracts/messages/alert';
import type { SqliteEventBus } from '../../../shared/adapters/local/sqlite-event-bus';
import { closeFunctionRuntimes } from '../../../shared/wiring/function-runtime';
import { deadLetterSubscriptionOf } from '../../../shared/topology';
import { startFunctionServer, type FunctionServer } from '../../helpers/function-server';
import { loadFixture } from '../../helpers/gcp-fixtures';
import { embeddedWorld, type EmbeddedWorld } from '../../helpers/embedded-world';
import { reportFigure } from '../../helpers/figures';
import { useFunctionEnv, type FunctionEnv } from '../../helpers/function-env';

const ALERTS_SUB = 'test-alerts-tap';

describe('pipeline-events function', () => {
  let world: EmbeddedWorld;
  let server: FunctionServer;
  let bus: SqliteEventBus;
  let fnEnv: FunctionEnv | undefined;

  beforeAll(async () => {
    world = await embeddedWorld({ prefix: 'fg-pipeline-events-', taps: { [ALERTS_SUB]: 'alerts' } });
    bus = world.bus;
    fnEnv = useFunctionEnv({ FG_STATE_DIR: world.dir, FG_LOG_LEVEL: 'error' });
    server = await startFunctionServer('pipelineEvents');
  });

  afterAll(async () => {
    await server?.close();
    await closeFunctionRuntimes();
    await world.close();
    fnEnv?.restore();
  });

  async function drain(sub: string) {
    const msgs = await bus.pull(sub, 100, 200);
    if (msgs.length)
      await bus.ack(
        sub,
        msgs.map((m) => m.ackId),
      );
    return msgs;
  }

  function pushBody(messageId: string, data: string | undefined, attributes: Record<string, string> = {}) {
    return {
      message: { data, attributes, messageId, message_id: messageId, publishTime: new Date().toISOString() },
      subscription: 'projects/demo/subscriptions/pipeline-events--pipeline-events',
    };
  }

  async function post(body: unknown, headers: Record<string, string> = {}) {
    return fetch(`${server.url}/projects/demo/topics/pipeline-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  }

  it('turns the sink push of a FAILED PipelineJob into one critical alert', async () => {
    const { body } = loadFixture<{ body: { message: { data: string; messageId: string } } }>(
      '2-vertex-pipeline-logs/sink-to-pubsub.push-body.json',
    );
    const started = performance.now();
    const res = await post(body);
    expect(res.status).toBeLessThan(300);
    const [msg] = await drain(ALERTS_SUB);
    reportFigure(
      'pipeline-events',
      'push → alert published',
      `${(performance.now() - started).toFixed(1)} ms`,
    );
    expect(msg).toBeDefined();
    const alert = Alert.parse(JSON.parse(msg!.data.toString('utf8')));
    expect(alert).toMatchObject({
      kind: 'pipeline_failed',
      severity: 'critical',
      status: 'firing',
      source: 'pipeline-events',
    });
    expect(alert.summary).toContain('my-training-pipeline');
    expect(alert.details).toMatchObject({
      pipelineJobId: 'my-training-pipeline-20240501100000',
      state: 'PIPELINE_STATE_FAILED',
      consoleUrl: expect.stringContaining(
        'console.cloud.google.com/vertex-ai/locations/us-central1/pipelines/runs/',
      ),
    });
    expect(msg!.attributes.correlationId).toBe(alert.correlationId);
  });

  it('skips a redelivery of the same message', async () => {
    const { body } = loadFixture<{ body: unknown }>('2-vertex-pipeline-logs/sink-to-pubsub.push-body.json');
    const res = await post(body);
    expect(res.status).toBeLessThan(300);
    expect(await drain(ALERTS_SUB)).toHaveLength(0);
  });

  it('accepts the binary CloudEvent Eventarc sends', async () => {
    const fx = loadFixture<{ headers: Record<string, string>; body: { message: Record<string, unknown> } }>(
      '2-vertex-pipeline-logs/sink-to-pubsub.cloudevent.binary-http.json',
    );
    // A different delivery than the push above (same ids would rightly be skipped as a duplicate).
    const body = {
      ...fx.body,
      message: { ...fx.body.message, messageId: 'binary-1', message_id: 'binary-1' },
    };
    const res = await fetch(`${server.url}/`, {
      method: 'POST',
      headers: { ...fx.headers, 'ce-id': 'binary-1' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBeLessThan(300);
    const msgs = await drain(ALERTS_SUB);
    expect(msgs).toHaveLength(1);
    expect(JSON.parse(msgs[0]!.data.toString('utf8'))).toMatchObject({ kind: 'pipeline_failed' });
  });

  it('resolves on SUCCEEDED and ignores RUNNING', async () => {
    const succeeded = loadFixture('2-vertex-pipeline-logs/pipelinejob-logentry.succeeded.json');
    const running = {
      ...succeeded,
      jsonPayload: { ...(succeeded.jsonPayload as object), state: 'PIPELINE_STATE_RUNNING' },
    };
    await post(pushBody('ok-1', Buffer.from(JSON.stringify(succeeded)).toString('base64')));
    await post(pushBody('run-1', Buffer.from(JSON.stringify(running)).toString('base64')));
    const msgs = await drain(ALERTS_SUB);
    expect(msgs.map((m) => JSON.parse(m.data.toString('utf8')))).toEqual([
      expect.objectContaining({ kind: 'pipeline_failed', status: 'resolved', severity: 'info' }),
    ]);
  });

  it.each([
    ['non-JSON data', Buffer.from('not json').toString('base64'), 'is not JSON'],
    ['a task event, not a pipeline state change', 'TASK', 'logName'],
    ['a log entry missing its state', 'NOSTATE', 'jsonPayload.state'],
  ])('dead-letters %s with the reason and acks it', async (_name, data, reason) => {
    const failed = loadFixture<Record<string, unknown>>(
      '2-vertex-pipeline-logs/pipelinejob-logentry.failed.json',
    );
    let payload = data;
    if (data === 'TASK') {
      payload = Buffer.from(
        JSON.stringify({
          ...failed,
          logName: 'projects/p/logs/aiplatform.googleapis.com%2Fpipeline_job_task_events',
        }),
      ).toString('base64');
    } else if (data === 'NOSTATE') {
      payload = Buffer.from(JSON.stringify({ ...failed, jsonPayload: { pipelineName: 'x' } })).toString(
        'base64',
      );
    }
    const id = `bad-${Math.random().toString(36).slice(2)}`;
    const res = await post(pushBody(id, payload, { correlationId: `corr-${id}` }));
    expect(res.status).toBeLessThan(300);
    const dead = await drain(deadLetterSubscriptionOf('pipeline-events'));
    expect(dead).toHaveLength(1);
    expect(dead[0]!.attributes).toMatchObject({
      deadLetterConsumer: 'pipeline-events',
      deadLetterSourceMessageId: id,
      correlationId: `corr-${id}`,
    });
    expect(dead[0]!.attributes.deadLetterReason).toContain(reason);
    expect(await drain(ALERTS_SUB)).toHaveLength(0);
  });

  it('dead-letters an attribute-only message (the framework passes the raw envelope)', async () => {
    const res = await post(pushBody('empty-1', undefined, { hello: 'world' }));
    expect(res.status).toBeLessThan(300);
    const dead = await drain(deadLetterSubscriptionOf('pipeline-events'));
    expect(dead).toHaveLength(1);
    expect(dead[0]!.attributes.deadLetterReason).toContain('message.data is empty');
  });
});
