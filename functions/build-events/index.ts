/**
 * build-events: Cloud Build publishes every build's state changes on the
 * `cloud-builds` topic. A failed or timed-out build of forecast-guard (or of
 * a model deployment) becomes a critical alert; a successful deployment a
 * `deployment.succeeded` lifecycle event.
 */
import { handleBuildEvent } from '../../shared/services/build-events';
import { pubsubFunction } from '../../shared/wiring/entry-points';
import { buildEventsSettings } from '../../shared/wiring/event-sources';

export const ENTRY_POINT = pubsubFunction('build-events', async (build, ctx, rt) => {
  await handleBuildEvent(
    { build, correlationId: ctx.correlationId },
    { bus: rt.backend.bus, logger: ctx.logger },
    buildEventsSettings(rt.config),
  );
});
