/**
 * sales-data-events: a Cloud Storage notification on `sales-data-updates`
 * (OBJECT_FINALIZE of a sales object; an Eventarc storage event is read the
 * same way) becomes a health check of the books in that object, published to
 * `health-check-requests`. What it ignores, refuses and de-duplicates:
 * shared/services/sales-data-events.ts.
 */
import * as functions from '@google-cloud/functions-framework';
import { handleSalesDataDelivery } from '../../shared/services/sales-data-events';
import { functionRuntime } from '../../shared/wiring/function-runtime';

export const ENTRY_POINT = 'salesDataEvents';

functions.cloudEvent(ENTRY_POINT, async (event: functions.CloudEvent<unknown>) => {
  const rt = await functionRuntime('sales-data-events');
  await handleSalesDataDelivery(
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
  );
});
