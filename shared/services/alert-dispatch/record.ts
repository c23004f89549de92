/**
 * The record stage, after each send: what became of one delivery, written
 * back to its outbox document in a transaction — delivered (closed, so no
 * redelivery or flush ever sends it again), retrying at the next backoff
 * time, or given up when the channel said retrying cannot help (the rules:
 * `afterFailure` and `lostClaim` in shared/domain/alerting/outbox.ts). A
 * sender whose lease ran out and whose document someone else took over
 * records nothing.
 */
import { describeError, isRetryable } from '../../errors';
import { afterFailure, closed, lostClaim, type OutboxDoc } from '../../domain/alerting/outbox';
import type { AlertDispatchDeps } from './deps';
import { readDoc, writeDoc } from './outbox';

/** What was recorded, or why nothing was (the claim was lost). */
export type RecordResult =
  | { recorded: true; status: 'delivered' }
  | { recorded: true; status: 'retrying'; nextAttemptAt: string }
  | { recorded: true; status: 'gave-up' }
  | { recorded: false; reason: string };

/** Closes a delivery as delivered: nothing will send it again. */
export async function recordDelivered(
  held: OutboxDoc,
  deps: Pick<AlertDispatchDeps, 'state' | 'clock'>,
): Promise<RecordResult> {
  return deps.state.runTransaction(async (tx) => {
    const doc = await readDoc(tx, held.id);
    const lost = lostClaim(doc, held);
    if (lost !== undefined || doc === undefined)
      return { recorded: false, reason: lost ?? 'the document is gone' };
    writeDoc(tx, closed(doc, 'delivered', deps.clock.now(), true));
    return { recorded: true, status: 'delivered' };
  });
}

/** Schedules the next try of a failed delivery (backoff, Retry-After), or gives up when retrying cannot help. */
export async function recordFailure(
  held: OutboxDoc,
  error: unknown,
  deps: Pick<AlertDispatchDeps, 'state' | 'clock'>,
): Promise<RecordResult> {
  const retryAfterMs = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  const failure = {
    retryable: isRetryable(error),
    retryAfterMs: typeof retryAfterMs === 'number' ? retryAfterMs : undefined,
    lastError: describeError(error).slice(0, 1000),
  };
  return deps.state.runTransaction(async (tx) => {
    const now = deps.clock.now();
    const doc = await readDoc(tx, held.id);
    const lost = lostClaim(doc, held);
    if (lost !== undefined || doc === undefined)
      return { recorded: false, reason: lost ?? 'the document is gone' };
    const after = afterFailure(doc, failure, now);
    writeDoc(tx, after.doc);
    return after.status === 'retrying'
      ? { recorded: true, status: 'retrying', nextAttemptAt: after.nextAttemptAt }
      : { recorded: true, status: 'gave-up' };
  });
}
