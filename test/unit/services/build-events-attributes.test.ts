/**
 * What build-events publishes must itself publish on Pub/Sub: its `buildId`
 * attribute copies the Build's id, which the contract leaves unbounded, and
 * an attribute value over 1,024 bytes is refused
 * (https://cloud.google.com/pubsub/quotas#resource_limits) — the alert would
 * be lost and the status message dead-lettered for our own attribute.
 */
import { SqliteEventBus } from '../../../shared/adapters/local/sqlite-event-bus';
import { CloudBuild } from '../../../shared/contracts/external/cloud-build';
import { createSilentLogger } from '../../../shared/logging/capture';
import { handleBuildEvent } from '../../../shared/services/build-events';
import { ensureTopology } from '../../../shared/wiring/topology-setup';
import { loadFixture } from '../../helpers/gcp-fixtures';

describe('build-events attributes', () => {
  it('publishes the alert for a Build whose id is longer than an attribute may be, with buildId cut to fit', async () => {
    const bus = SqliteEventBus.open(':memory:');
    try {
      await ensureTopology(bus);
      await bus.ensureSubscription({
        name: 'tap-alerts',
        topic: 'alerts',
        ackDeadlineSeconds: 10,
        maxDeliveryAttempts: 5,
        minBackoffSeconds: 10,
        maxBackoffSeconds: 600,
      });
      const fx = loadFixture<{ decoded_data: Record<string, unknown> }>(
        '6-cloud-build/cloud-builds.push-body.failure.json',
      );
      const build = CloudBuild.parse({ ...fx.decoded_data, id: `b-${'é'.repeat(600)}` });
      const result = await handleBuildEvent(
        { build, correlationId: 'corr-build-1' },
        { bus, logger: createSilentLogger() },
        { environment: 'production' },
      );
      expect(result.action).toBe('alert');
      const [alert] = await bus.pull('tap-alerts', 10);
      expect(Buffer.byteLength(alert!.attributes.buildId!)).toBeLessThanOrEqual(1024);
      expect(alert!.attributes.buildId!.startsWith('b-éé')).toBe(true);
    } finally {
      await bus.close();
    }
  });
});
