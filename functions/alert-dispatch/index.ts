/**
 * alert-dispatch: every Alert on `alerts` goes through the notification
 * pipeline (shared/services/alert-dispatch) — de-duplicated, grouped,
 * routed to Slack, email and the log, retried until delivered.
 *
 * `alertDispatchFlush` (HTTP POST, authenticated) retries whatever is
 * pending now and sends escalations that are due (shared/wiring/alert-flush-http.ts).
 */
import { dispatchAlert } from '../../shared/services/alert-dispatch';
import { handleFlushCall } from '../../shared/wiring/alert-flush-http';
import { alertingDeps } from '../../shared/wiring/alerting';
import { httpFunction, perRuntime, pubsubFunction } from '../../shared/wiring/entry-points';

/** The dispatch dependencies of this instance, built once. */
const depsOf = perRuntime((rt) => alertingDeps(rt.config, rt.backend, rt.logger));

/** The CloudEvent entry point (topology: alert-dispatch). */
export const ENTRY_POINT = pubsubFunction('alert-dispatch', async (alert, ctx, rt) => {
  await dispatchAlert(alert, { logger: ctx.logger, deliveryAttempt: ctx.deliveryAttempt }, depsOf(rt));
});

/** The HTTP entry point that retries pending notifications (topology: HTTP_SCHEDULES). */
export const FLUSH_ENTRY_POINT = httpFunction('alert-dispatch', (req, res) =>
  handleFlushCall(req, res, depsOf),
);
