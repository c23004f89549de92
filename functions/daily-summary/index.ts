/**
 * daily-summary: a DailySummaryRequest on `daily-summary-requests` (Cloud
 * Scheduler each morning, or `forecast-guard publish`) sends the day's
 * digest of warnings, fleet health and open criticals to Slack and email.
 */
import { runDailySummary } from '../../shared/services/daily-summary';
import { alertingDeps } from '../../shared/wiring/alerting';
import { perRuntime, pubsubFunction } from '../../shared/wiring/entry-points';

const depsOf = perRuntime((rt) => alertingDeps(rt.config, rt.backend, rt.logger));

/** The CloudEvent entry point (topology: daily-summary). */
export const ENTRY_POINT = pubsubFunction('daily-summary', async (request, ctx, rt) => {
  await runDailySummary(
    request,
    { correlationId: request.correlationId ?? ctx.correlationId, logger: ctx.logger },
    depsOf(rt),
  );
});
