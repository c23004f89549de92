/**
 * alertDispatchFlush's HTTP handling: retries whatever notification is
 * pending now and sends escalations that are due. Cloud Scheduler calls it
 * every 5 minutes (topology's HTTP_SCHEDULES; IAM admits only its identity),
 * the local stack with its per-run bearer token (FG_FLUSH_TOKEN).
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import { describeError, isRetryable } from '../errors';
import type { AlertDispatchDeps } from '../services/alert-dispatch/deps';
import { flushPendingNotifications } from '../services/alert-dispatch';
import { authorizeFlushCall } from '../services/alert-dispatch/flush-auth';
import { functionRuntime, type FunctionRuntime } from './function-runtime';
import { flushAuthSettings } from './alerting';

/** Answers one flush call, with the dispatch deps of this instance. */
export async function handleFlushCall(
  req: Request,
  res: Response,
  depsOf: (rt: FunctionRuntime) => AlertDispatchDeps,
): Promise<void> {
  const rt = await functionRuntime('alert-dispatch');
  // Before anything is read or sent: only the scheduler (IAM) or the holder of the token may flush.
  const auth = authorizeFlushCall(req.get('authorization'), flushAuthSettings(rt.config));
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
    const result = await flushPendingNotifications(
      { limit: Number.isInteger(limit) && limit > 0 && limit <= 500 ? limit : 25 },
      depsOf(rt),
    );
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
}
