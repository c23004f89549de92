/**
 * daily-summary: a DailySummaryRequest on `daily-summary-requests` (Cloud
 * Scheduler each morning, or `forecast-guard publish`) sends the day's
 * digest of warnings, fleet health and open criticals to Slack and email.
 */
import * as functions from '@google-cloud/functions-framework';
import { DailySummaryRequest } from '../../shared/contracts/messages/daily-summary-request';
import { handlePubSubDelivery } from '../../shared/runtime/pubsub-function';
import type { AlertDispatchDeps } from '../../shared/services/alert-dispatch/deps';
import { runDailySummary } from '../../shared/services/daily-summary';
import { alertingDeps } from '../../shared/wiring/alerting';
import { functionRuntime, type FunctionRuntime } from '../../shared/wiring/function-runtime';

/** The CloudEvent entry point (topology: daily-summary). */
export const ENTRY_POINT = 'dailySummary';

const depsByRuntime = new WeakMap<FunctionRuntime, AlertDispatchDeps>();

functions.cloudEvent(ENTRY_POINT, async (event: functions.CloudEvent<unknown>) => {
  const rt = await functionRuntime('daily-summary');
  let deps = depsByRuntime.get(rt);
  if (!deps) {
    deps = alertingDeps(rt.config, rt.backend, rt.logger);
    depsByRuntime.set(rt, deps);
  }
  const ready = deps;
  await handlePubSubDelivery(
    {
      consumer: 'daily-summary',
      topic: 'daily-summary-requests',
      schema: DailySummaryRequest,
      what: 'DailySummaryRequest',
      handle: async (request, ctx) => {
        await runDailySummary(
          request,
          { correlationId: request.correlationId ?? ctx.correlationId, logger: ctx.logger },
          ready,
        );
      },
    },
    event,
    { ...rt.backend, logger: rt.logger, ids: rt.ids },
  );
});
