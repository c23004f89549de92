/**
 * Stage 8, record: what became of one delivery, written back to its outbox
 * document in a transaction — delivered (closed, so no redelivery or flush
 * ever sends it again), retrying at the next backoff time, or given up when
 * the channel said retrying cannot help. A sender whose lease ran out and
 * whose document someone else took over records nothing.
 */
import { describeError, isRetryable } from '../../errors';
import { retryDelayMs } from '../../domain/alerting/backoff';
import type { AlertDispatchDeps } from './deps';
import { closed, isOpen, readDoc, writeDoc, type OutboxDoc } from './outbox';

/** What was recorded, or why nothing was (the claim was lost). */
export type RecordResult =
  | { recorded: true; status: 'delivered' }
  | { recorded: true; status: 'retrying'; nextAttemptAt: string }
  | { recorded: true; status: 'gave-up' }
  | { recorded: false; reason: string };

/** Closes a delivery as delivered: nothing will send it again. */
export async function recordDelivered(
  claimed: OutboxDoc,
  deps: Pick<AlertDispatchDeps, 'state' | 'clock'>,
): Promise<RecordResult> {
  return deps.state.runTransaction(async (tx) => {
    const doc = await readDoc(tx, claimed.id);
    const lost = lostClaim(doc, claimed);
    if (lost) return { recorded: false, reason: lost };
    writeDoc(tx, closed(doc!, 'delivered', deps.clock.now(), true));
    return { recorded: true, status: 'delivered' };
  });
}

/** Schedules the next try of a failed delivery (backoff, Retry-After), or gives up when retrying cannot help. */
export async function recordFailure(
  claimed: OutboxDoc,
  error: unknown,
  deps: Pick<AlertDispatchDeps, 'state' | 'clock'>,
): Promise<RecordResult> {
  const retryable = isRetryable(error);
  const retryAfterMs = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  const lastError = describeError(error).slice(0, 1000);
  return deps.state.runTransaction(async (tx) => {
    const now = deps.clock.now();
    const doc = await readDoc(tx, claimed.id);
    const lost = lostClaim(doc, claimed);
    if (lost) return { recorded: false, reason: lost };
    if (!retryable) {
      writeDoc(tx, closed({ ...doc!, lastError }, `gave up: ${lastError}`, now, false));
      return { recorded: true, status: 'gave-up' };
    }
    const delay = retryDelayMs(doc!.attempts, typeof retryAfterMs === 'number' ? retryAfterMs : undefined);
    const nextAttemptAt = new Date(now.getTime() + delay).toISOString();
    writeDoc(tx, { ...doc!, nextAttemptAt, lastError });
    return { recorded: true, status: 'retrying', nextAttemptAt };
  });
}

/** Why `doc` is no longer ours to record, or undefined while we still hold it. */
function lostClaim(doc: OutboxDoc | undefined, claimed: OutboxDoc): string | undefined {
  if (!doc) return 'the document is gone';
  if (!isOpen(doc)) return `already ${(doc as OutboxDoc).payload.outcome ?? 'closed'}`;
  if (doc.attempts !== claimed.attempts) return "another sender took it over after this one's lease ran out";
  return undefined;
}
