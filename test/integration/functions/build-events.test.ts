/**
 * build-events through the real functions framework, on the embedded
 * backend: Cloud Build's push body in; a critical alert on `alerts` for a
 * failed build of this project, a `deployment.succeeded` event on
 * `model-lifecycle` for a successful deployment; other builds and other
 * statuses ignored; malformed messages dead-lettered with the reason.
 */
// Registers the function, as loading the bundle does in production; its runtime reads the env at the first event.
import '../../../functions/build-events';
import type { SqliteEventBus } from '../../../shared/adapters/local/sqlite-event-bus';
import { Alert } from '../../../shared/contracts/messages/alert';
import { LifecycleEvent } from '../../../shared/contracts/messages/lifecycle-event';
import { closeFunctionRuntimes } from '../../../shared/wiring/function-runtime';
import { deadLetterSubscriptionOf } from '../../../shared/topology';
import { embeddedWorld, type EmbeddedWorld } from '../../helpers/embedded-world';
import { reportFigure } from '../../helpers/figures';
import { useFunctionEnv, type FunctionEnv } from '../../helpers/function-env';
import { startFunctionServer, type FunctionServer } from '../../helpers/function-server';
import { loadFixture } from '../../helpers/gcp-fixtures';

const ALERTS_TAP = 'test-build-alerts-tap';
const LIFECYCLE_TAP = 'test-build-lifecycle-tap';

interface BuildFixture {
  body: { message: { data: string; messageId: string; attributes: Record<string, string> } };
  decoded_data: Record<string, unknown>;
}

describe('build-events function', () => {
  let world: EmbeddedWorld;
  let server: FunctionServer;
  let bus: SqliteEventBus;
  let seq = 0;
  let fnEnv: FunctionEnv | undefined;

  beforeAll(async () => {
    world = await embeddedWorld({
      prefix: 'fg-build-events-',
      taps: { [ALERTS_TAP]: 'alerts', [LIFECYCLE_TAP]: 'model-lifecycle' },
    });
    bus = world.bus;
    fnEnv = useFunctionEnv({ FG_STATE_DIR: world.dir, FG_LOG_LEVEL: 'error', FG_ENVIRONMENT: 'staging' });
    server = await startFunctionServer('buildEvents');
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

  const decode = (m: { data: Buffer }) => JSON.parse(m.data.toString('utf8')) as unknown;

  /** A push body of the fixture's Build with `overrides`, under a fresh message id. */
  function pushOf(overrides: Record<string, unknown>, data?: string) {
    const fx = loadFixture<BuildFixture>('6-cloud-build/cloud-builds.push-body.failure.json');
    const build = { ...fx.decoded_data, ...overrides };
    const id = `b-${++seq}`;
    return {
      id,
      body: {
        message: {
          attributes: { buildId: String(build.id), status: String(build.status) },
          data: data ?? Buffer.from(JSON.stringify(build)).toString('base64'),
          messageId: id,
          message_id: id,
          publishTime: new Date().toISOString(),
        },
        subscription: 'projects/demo/subscriptions/cloud-builds--build-events',
      },
    };
  }

  async function post(body: unknown) {
    return fetch(`${server.url}/projects/demo/topics/cloud-builds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  /** A release of forecast-guard, as cloudbuild.yaml's trigger runs it. */
  const release = (status: string) => ({
    status,
    tags: ['forecast-guard', 'forecast-guard-staging'],
    substitutions: {
      _FG_ENVIRONMENT: 'staging',
      TRIGGER_NAME: 'forecast-guard-staging',
      SHORT_SHA: 'abc1234',
      BRANCH_NAME: 'main',
    },
    failureInfo: status === 'SUCCESS' ? undefined : { type: 'USER_BUILD_STEP', detail: 'step exited 1' },
  });

  it("turns Cloud Build's push of a failed model deployment into one critical build_failed alert", async () => {
    const { body } = loadFixture<BuildFixture>('6-cloud-build/cloud-builds.push-body.failure.json');
    const started = performance.now();
    const res = await post(body);
    expect(res.status).toBeLessThan(300);
    const msgs = await drain(ALERTS_TAP);
    reportFigure('build-events', 'push → alert published', `${(performance.now() - started).toFixed(1)} ms`);
    expect(msgs).toHaveLength(1);
    const alert = Alert.parse(decode(msgs[0]!));
    expect(alert).toMatchObject({
      kind: 'build_failed',
      severity: 'critical',
      status: 'firing',
      source: 'build-events',
      isbn: '9780722532935',
      modelVersion: '23',
      environment: 'staging',
      correlationId: 'build-b5a3c7e2-1f4d-4c1e-9a7b-3e2f8d6c0a91',
    });
    expect(alert.details).toMatchObject({
      buildId: 'b5a3c7e2-1f4d-4c1e-9a7b-3e2f8d6c0a91',
      status: 'FAILURE',
    });
    expect(msgs[0]!.attributes).toMatchObject({
      correlationId: alert.correlationId,
      kind: 'build_failed',
      severity: 'critical',
    });
    expect(await drain(LIFECYCLE_TAP)).toHaveLength(0);
  });

  it('skips a redelivery of the same message', async () => {
    const { body } = loadFixture<BuildFixture>('6-cloud-build/cloud-builds.push-body.failure.json');
    expect((await post(body)).status).toBeLessThan(300);
    expect(await drain(ALERTS_TAP)).toHaveLength(0);
  });

  it.each(['TIMEOUT', 'INTERNAL_ERROR', 'CANCELLED'])(
    'alerts on a %s of a forecast-guard release',
    async (status) => {
      const res = await post(pushOf(release(status)).body);
      expect(res.status).toBeLessThan(300);
      const msgs = await drain(ALERTS_TAP);
      expect(msgs.map((m) => Alert.parse(decode(m)))).toEqual([
        expect.objectContaining({ kind: 'build_failed', severity: 'critical', status: 'firing' }),
      ]);
    },
  );

  it('publishes deployment.succeeded (and resolves build_failed) when a deployment succeeds', async () => {
    const res = await post(pushOf(release('SUCCESS')).body);
    expect(res.status).toBeLessThan(300);
    const events = (await drain(LIFECYCLE_TAP)).map((m) => LifecycleEvent.parse(decode(m)));
    expect(events).toEqual([
      expect.objectContaining({
        type: 'deployment.succeeded',
        detail: expect.stringContaining('forecast-guard deploy to staging'),
      }),
    ]);
    const alerts = (await drain(ALERTS_TAP)).map((m) => Alert.parse(decode(m)));
    expect(alerts).toEqual([
      expect.objectContaining({ kind: 'build_failed', status: 'resolved', severity: 'info' }),
    ]);
  });

  it("ignores QUEUED and WORKING, and every status of other people's builds", async () => {
    const { body } = loadFixture<BuildFixture>('6-cloud-build/cloud-builds.push-body.queued.json');
    await post(body);
    await post(pushOf(release('WORKING')).body);
    await post(
      pushOf({ status: 'FAILURE', tags: ['website'], substitutions: { TRIGGER_NAME: 'website' } }).body,
    );
    await post(pushOf({ status: 'SUCCESS', tags: [], substitutions: {} }).body);
    expect(await drain(ALERTS_TAP)).toHaveLength(0);
    expect(await drain(LIFECYCLE_TAP)).toHaveLength(0);
  });

  it.each([
    ['non-JSON data', Buffer.from('not json').toString('base64'), 'is not JSON'],
    ['a build without an id', 'NO_ID', 'Cloud Build status is invalid: id: is required'],
    ['an unknown status', 'BAD_STATUS', 'status: must be one of'],
  ])('dead-letters %s with the reason and acks it', async (_name, data, reason) => {
    let push = pushOf({}, data);
    if (data === 'NO_ID') push = pushOf({ id: undefined });
    if (data === 'BAD_STATUS') push = pushOf({ status: 'EXPLODED' });
    const res = await post(push.body);
    expect(res.status).toBeLessThan(300);
    const dead = await drain(deadLetterSubscriptionOf('cloud-builds'));
    expect(dead).toHaveLength(1);
    expect(dead[0]!.attributes).toMatchObject({
      deadLetterConsumer: 'build-events',
      deadLetterSourceMessageId: push.id,
    });
    expect(dead[0]!.attributes.deadLetterReason).toContain(reason);
    expect(await drain(ALERTS_TAP)).toHaveLength(0);
  });
});
