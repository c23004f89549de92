/**
 * For deploys (and anything else that changes what serves a book outside a
 * rollback): record the new serving version in the book's history, so
 * `rollback --to-version previous` knows what served before it. A book a
 * rollback holds right now is refused (ConflictError, retryable) rather than
 * changed under it; a held lease whose time is up does not block.
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { RollbackLease, ServingHistoryEntry } from '../../contracts/documents/rollback';
import { appendHistory } from '../../domain/rollback/history';
import { ConflictError } from '../../errors';
import type { Clock } from '../../ports/clock';
import type { StateStore } from '../../ports/state-store';
import { historyDoc, historyDocId, isHeld } from './leases';

/** Appends `version` to the book's serving history (a deploy calls this after moving traffic). */
export async function recordServingChange(
  change: { isbn: string; version: string; via?: ServingHistoryEntry['via']; by?: string },
  ports: { state: StateStore; clock: Clock },
): Promise<ServingHistoryEntry[]> {
  return ports.state.runTransaction(async (tx) => {
    const lease = (await tx.get<RollbackLease>(COLLECTIONS.rollbackLeases, change.isbn))?.data;
    const stored = (await tx.get<RollbackLease>(COLLECTIONS.rollbackLeases, historyDocId(change.isbn)))?.data;
    const now = ports.clock.now();
    if (isHeld(lease) && Date.parse(lease.expiresAt) > now.getTime()) {
      throw new ConflictError(
        `ISBN ${change.isbn} is being rolled back by ${lease.holder} until ${lease.expiresAt}`,
        {
          retryable: true,
        },
      );
    }
    const entry: ServingHistoryEntry = {
      version: change.version,
      at: now.toISOString(),
      via: change.via ?? 'deploy',
    };
    if (change.by !== undefined) entry.by = change.by;
    const history = appendHistory(stored?.servingHistory ?? [], entry);
    tx.set(
      COLLECTIONS.rollbackLeases,
      historyDocId(change.isbn),
      historyDoc(change.isbn, history, now.toISOString()),
    );
    return history;
  });
}
