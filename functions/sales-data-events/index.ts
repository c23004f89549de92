/**
 * sales-data-events: a Cloud Storage notification on `sales-data-updates`
 * (OBJECT_FINALIZE of a sales object; an Eventarc storage event is read the
 * same way) becomes a health check of the books in that object, published to
 * `health-check-requests`. What it ignores, refuses and de-duplicates:
 * shared/services/sales-data-events.ts, which decodes its own deliveries.
 */
import { handleSalesDataDelivery } from '../../shared/services/sales-data-events';
import { rawDeliveryFunction } from '../../shared/wiring/entry-points';

export const ENTRY_POINT = rawDeliveryFunction('sales-data-events', (event, rt) =>
  handleSalesDataDelivery(
    event,
    { ...rt.backend, logger: rt.logger },
    {
      prefix: rt.config.salesUpdates.prefix,
      // On this machine (embedded backend, or Google's emulators) there is no Cloud Storage: the local
      // stack's folder watcher stands in for it, and its bucket is the state directory.
      ...(rt.config.backend === 'local' || rt.config.gcp.emulators.pubsub
        ? { localRoot: rt.config.stateDir }
        : {}),
    },
  ),
);
