/**
 * health-check: a HealthCheckRequest on `health-check-requests` (hourly from
 * Cloud Scheduler as `{"trigger":"schedule"}`, or by hand) runs one health
 * check of the fleet, publishes its alerts and writes its report. The run is
 * named after the request's `requestId`, else the message id, so a redelivery
 * (or a second request for the same cause) never checks or alerts twice.
 */
import { runHealthCheck, runIdForMessage } from '../../shared/services/health-check';
import { pubsubFunction } from '../../shared/wiring/entry-points';
import { healthCheckSettings } from '../../shared/wiring/health-check';

export const ENTRY_POINT = pubsubFunction('health-check', async (request, ctx, rt) => {
  if (request.reason) ctx.logger.info(`health check asked for: ${request.reason}`);
  await runHealthCheck(
    {
      runId: runIdForMessage(request.requestId ?? ctx.messageId),
      trigger: request.trigger,
      isbns: request.isbns,
      ...(request.onlyServed ? { onlyServed: true } : {}),
      correlationId: request.correlationId ?? ctx.correlationId,
    },
    { ...rt.backend, logger: ctx.logger },
    healthCheckSettings(rt.config),
  );
});
