/**
 * alert-dispatch: every Alert on `alerts` goes through the notification
 * pipeline (shared/services/alert-dispatch) — de-duplicated, grouped,
 * routed to Slack, email and the log, retried until delivered.
 *
 * `alertDispatchFlush` (HTTP POST, authenticated) retries whatever is
 * pending now and sends escalations that are due: Cloud Scheduler calls it
 * every 5 minutes (topology's HTTP_SCHEDULES; IAM admits only its identity),
 * the local stack with its per-run bearer token (FG_FLUSH_TOKEN).
 */
import * as functions from '@google-cloud/functions-framework';
import { Alert } from '../../shared/contracts/messages/alert';
import { describeError, isRetryable } from '../../shared/errors';
import { handlePubSubDelivery } from '../../shared/runtime/pubsub-function';
import { dispatchAlert, flushPendingNotifications } from '../../shared/services/alert-dispatch';
import type { AlertDispatchDeps } from '../../shared/services/alert-dispatch/deps';
import { authorizeFlushCall } from '../../shared/services/alert-dispatch/flush-auth';
import { alertingDeps } from '../../shared/wiring/alerting';
import { functionRuntime, type FunctionRuntime } from '../../shared/wiring/function-runtime';

/** The CloudEvent entry point (topology: alert-dispatch). */
export const ENTRY_POINT = 'alertDispatch';
/** The HTTP entry point that retries pending notifications. */
export const FLUSH_ENTRY_POINT = 'alertDispatchFlush';

const depsByRuntime = new WeakMap<FunctionRuntime, AlertDispatchDeps>();

/** The dispatch dependencies of this instance, built once. */
function depsOf(rt: FunctionRuntime): AlertDispatchDeps {
  let deps = depsByRuntime.get(rt);
  if (!deps) {
    deps = alertingDeps(rt.config, rt.backend, rt.logger);
    depsByRuntime.set(rt, deps);
  }
  return deps;
}

functions.cloudEvent(ENTRY_POINT, async (event: functions.CloudEvent<unknown>) => {
  const rt = await functionRuntime('alert-dispatch');
  const deps = depsOf(rt);
  await handlePubSubDelivery(
    {
      consumer: 'alert-dispatch',
      topic: 'alerts',
      schema: Alert,
      what: 'Alert',
      handle: async (alert, ctx) => {
        await dispatchAlert(alert, { logger: ctx.logger, deliveryAttempt: ctx.deliveryAttempt }, deps);
      },
    },
    event,
    { ...rt.backend, logger: rt.logger, ids: rt.ids },
  );
});

functions.http(FLUSH_ENTRY_POINT, async (req, res) => {
  const rt = await functionRuntime('alert-dispatch');
  // Before anything is read or sent: only the scheduler (IAM) or the holder of the token may flush.
  const auth = authorizeFlushCall(rt.config.flush, req.get('authorization'));
  if (!auth.ok) {
    rt.logger.warning(`flush refused (${auth.status}): ${auth.reason}`);
    res.status(auth.status).set('www-authenticate', 'Bearer').json({ error: auth.reason });
    return;
  }
  if (req.method !== 'POST') {
    res.status(405).set('allow', 'POST').json({ error: 'POST only' });
    return;
  }
  const limit = Number(req.query?.limit ?? 25);
  try {
    const result = await flushPendingNotifications(depsOf(rt), {
      limit: Number.isInteger(limit) && limit > 0 && limit <= 500 ? limit : 25,
    });
    const count = (s: string) => result.outcomes.filter((o) => o.status === s).length;
    res.status(200).json({
      jobs: result.jobs,
      delivered: count('delivered'),
      retrying: count('retrying'),
      gaveUp: count('gave-up'),
      errors: result.errors,
    });
  } catch (err) {
    rt.logger.error(`flush failed: ${describeError(err)}`, { error: err });
    res.status(isRetryable(err) ? 503 : 500).json({ error: describeError(err) });
  }
});
