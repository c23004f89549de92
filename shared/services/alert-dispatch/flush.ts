/**
 * The retry path: every pending notification whose time has come is tried
 * again — due dispatch jobs (groups, storm summaries, escalations, held-back
 * resolutions) are expanded, due deliveries claimed and sent. Called at the
 * end of every alert-dispatch invocation, by the `alertDispatchFlush` HTTP
 * entry a scheduler calls, and by the local stack, so a notification that
 * failed is retried whoever runs next.
 */
import { describeError } from '../../errors';
import { DISPATCH_CHANNEL } from '../../domain/alerting/outbox';
import type { AlertDispatchDeps } from './deps';
import { expandJob } from './group';
import { dueDocs } from './outbox';
import { claimDelivery, sendDelivery, type SendOutcome } from './send';

/** How much one flush takes on. */
export interface FlushOptions {
  /** Documents looked at in one call (default 25): a flush is a small, bounded step. */
  limit?: number;
}

/** What one flush did. */
export interface FlushResult {
  /** Dispatch jobs expanded (or closed) by this call. */
  jobs: number;
  outcomes: SendOutcome[];
  /** Documents that could not be handled (logged); they stay due for the next flush. */
  errors: number;
}

/** Documents one flush looks at unless told otherwise. */
export const DEFAULT_FLUSH_LIMIT = 25;

/** Expands due dispatch jobs and retries due deliveries, oldest first; errors are logged per document. */
export async function flushPendingNotifications(
  options: FlushOptions,
  deps: AlertDispatchDeps,
): Promise<FlushResult> {
  const result: FlushResult = { jobs: 0, outcomes: [], errors: 0 };
  const available = new Set(deps.notifiers.map((n) => n.channel));
  const due = await dueDocs(deps.state, deps.clock.now(), options.limit ?? DEFAULT_FLUSH_LIMIT);
  for (const doc of due) {
    try {
      if (doc.channel === DISPATCH_CHANNEL) {
        const expansion = await expandJob(doc.id, deps);
        if (expansion.outcome) {
          result.jobs += 1;
          deps.logger.debug(`dispatch job ${doc.id}: ${expansion.outcome}`, {
            fingerprints: doc.fingerprints,
          });
        }
        for (const claimed of expansion.claimed) result.outcomes.push(await sendDelivery(claimed, deps));
      } else if (available.has(doc.channel)) {
        // A channel this process is not configured for is left for one that is.
        const claimed = await claimDelivery(doc.id, deps);
        if (claimed) result.outcomes.push(await sendDelivery(claimed, deps));
      }
    } catch (err) {
      result.errors += 1;
      deps.logger.error(`pending notification ${doc.id} could not be handled: ${describeError(err)}`, {
        error: err,
      });
    }
  }
  return result;
}

const NO_FLUSH: FlushResult = { jobs: 0, outcomes: [], errors: 0 };
/** A burst of invocations needs one flush, not one each: at most one at a time and one a second per instance. */
export const FLUSH_EVERY_MS = 1000;

/** A small flush at the end of an invocation, unless this instance flushed within the last second or still is; never throws. */
export async function flushSometimes(deps: AlertDispatchDeps): Promise<FlushResult> {
  const now = deps.clock.now().getTime();
  const last = deps.memory.lastFlush;
  if (last && (last.running || now - last.at < FLUSH_EVERY_MS)) return NO_FLUSH;
  const mark = { at: now, running: true };
  deps.memory.lastFlush = mark;
  try {
    return await flushPendingNotifications({ limit: 10 }, deps);
  } catch (err) {
    deps.logger.warning(`flush of pending notifications failed: ${describeError(err)}`, { error: err });
    return NO_FLUSH;
  } finally {
    mark.running = false;
  }
}
