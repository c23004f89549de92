/**
 * health-check: a HealthCheckRequest on `health-check-requests` (hourly from
 * Cloud Scheduler as `{"trigger":"schedule"}`, or by hand) runs one health
 * check of the fleet, publishes its alerts and writes its report. The run is
 * named after the request's `requestId`, else the message id, so a redelivery
 * (or a second request for the same cause) never checks or alerts twice.
 */
import * as functions from '@google-cloud/functions-framework';
import { HealthCheckRequest } from '../../shared/contracts/messages/health-check-request';
import { handlePubSubDelivery } from '../../shared/runtime/pubsub-function';
import { healthCheckSettings, runHealthCheck, runIdForMessage } from '../../shared/services/health-check';
import { functionRuntime } from '../../shared/wiring/function-runtime';

export const ENTRY_POINT = 'healthCheck';

functions.cloudEvent(ENTRY_POINT, async (event: functions.CloudEvent<unknown>) => {
  const rt = await functionRuntime('health-check');
  const { backend } = rt;
  await handlePubSubDelivery(
    {
      consumer: 'health-check',
      topic: 'health-check-requests',
      schema: HealthCheckRequest,
      what: 'HealthCheckRequest',
      handle: async (request, ctx) => {
        if (request.reason) ctx.logger.info(`health check asked for: ${request.reason}`);
        await runHealthCheck(
          {
            runId: runIdForMessage(request.requestId ?? ctx.messageId),
            trigger: request.trigger,
            isbns: request.isbns,
            ...(request.onlyServed ? { onlyServed: true } : {}),
            correlationId: request.correlationId ?? ctx.correlationId,
          },
          { ...backend, logger: ctx.logger },
          healthCheckSettings(rt.config),
        );
      },
    },
    event,
    { ...backend, logger: rt.logger, ids: rt.ids },
  );
});
