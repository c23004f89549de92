/**
 * build-events: Cloud Build publishes every build's state changes on the
 * `cloud-builds` topic. A failed or timed-out build of forecast-guard (or of
 * a model deployment) becomes a critical alert; a successful deployment a
 * `deployment.succeeded` lifecycle event.
 */
import * as functions from '@google-cloud/functions-framework';
import { CloudBuild } from '../../shared/contracts/external/cloud-build';
import { handlePubSubDelivery } from '../../shared/runtime/pubsub-function';
import { handleBuildEvent } from '../../shared/services/build-events';
import { functionRuntime } from '../../shared/wiring/function-runtime';

export const ENTRY_POINT = 'buildEvents';

functions.cloudEvent(ENTRY_POINT, async (event: functions.CloudEvent<unknown>) => {
  const rt = await functionRuntime('build-events');
  await handlePubSubDelivery(
    {
      consumer: 'build-events',
      topic: 'cloud-builds',
      schema: CloudBuild,
      what: 'Cloud Build status',
      handle: async (build, ctx) => {
        await handleBuildEvent(build, ctx, { bus: rt.backend.bus, environment: rt.config.environment });
      },
    },
    event,
    { ...rt.backend, logger: rt.logger, ids: rt.ids },
  );
});
