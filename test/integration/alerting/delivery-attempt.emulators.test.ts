/**
 * What the Pub/Sub emulator's push carries, checked rather than assumed: a
 * subscription with topology's dead-letter policy (as ensureTopology creates
 * it) pushing to a recorder that refuses the first delivery, so the emulator
 * redelivers. Production Pub/Sub adds `deliveryAttempt` to the push body of
 * such a subscription (https://cloud.google.com/pubsub/docs/push); the
 * emulator does not, on the first push or on the redelivery. So on the
 * emulator a handler never knows its attempt (alert-dispatch keeps asking for
 * retries and the dead-letter policy ends them), while the framework path
 * keeps the field whenever a push has it (delivery-attempt.test.ts).
 */
import { PubSubEventBus } from '../../../shared/adapters/gcp/pubsub-event-bus';
import { ensureTopology } from '../../../shared/wiring/topology-setup';
import { describeOnEmulators, requireEmulatorHosts, uniqueProjectId } from '../../helpers/emulators';
import { reportFigure } from '../../helpers/figures';
import { startRecorder, type Recorder } from '../../helpers/http-recorder';

describeOnEmulators('deliveryAttempt in a Pub/Sub emulator push', () => {
  const projectId = uniqueProjectId('demo-fg-attempt');
  let endpoint: Recorder;
  let bus: PubSubEventBus;

  beforeAll(async () => {
    endpoint = await startRecorder();
    endpoint.failNext(1, 500);
    bus = new PubSubEventBus({ projectId, emulatorHost: requireEmulatorHosts().pubsub });
    await ensureTopology(bus, {
      pushEndpointFor: (consumer, topic) =>
        consumer === 'alert-dispatch' ? `${endpoint.url}/projects/${projectId}/topics/${topic}` : undefined,
    });
  }, 60_000);

  afterAll(async () => {
    await bus?.close();
    await endpoint?.close();
  });

  it('sends no deliveryAttempt, even on a redelivery of a subscription with a dead-letter policy', async () => {
    await bus.publish('alerts', { data: { probe: true } });
    const pushes = await endpoint.waitFor(2, 40_000);
    const keys = pushes.slice(0, 2).map((p) => Object.keys(p.body as object).sort());
    reportFigure('pubsub-emulator', 'push body keys, first delivery and redelivery', JSON.stringify(keys));
    expect(pushes.slice(0, 2).map((p) => p.status)).toEqual([500, 200]);
    expect(keys).toEqual([
      ['message', 'subscription'],
      ['message', 'subscription'],
    ]);
  }, 50_000);
});
