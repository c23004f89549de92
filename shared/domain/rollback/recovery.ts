/**
 * What recovery does with a book whose rollback was interrupted (its lease
 * expired, or its holder died, with an intent still written). Pure.
 *
 * - `complete`: the book is already exactly as the intent wanted; verify it
 *   and record the rollback as succeeded.
 * - `restore`: anything else (untouched, or half-switched: traffic moved but
 *   not the alias, a version deployed but not given traffic…): put it back
 *   exactly as the backup holds it. Restoring an untouched book changes
 *   nothing, so "restore" is always safe.
 * - `unrecoverable`: the backup entry is missing or cannot be restored; the
 *   lease is kept and an operator must decide (never expected: the intent is
 *   written only after the backup is stored).
 */
import type { RollbackBackupEntry, RollbackIntent } from '../../contracts/documents/rollback';
import type { ServingState } from '../../contracts/model';
import { desiredFromEntry, matchesDesired } from './serving';

/** What to do with one interrupted book (see the module comment). */
export type RecoveryDecision =
  | { action: 'complete' }
  | { action: 'restore'; unchanged: boolean }
  | { action: 'unrecoverable'; reason: string };

/** Decides from the intent, what the book looks like now, and its backup entry. Pure. */
export function decideRecovery(
  intent: RollbackIntent,
  current: { productionAlias?: string; serving: ServingState | null },
  entry: RollbackBackupEntry | undefined,
): RecoveryDecision {
  if (matchesDesired(current.productionAlias, current.serving, intent.desired)) return { action: 'complete' };
  if (!entry) {
    return {
      action: 'unrecoverable',
      reason: `backup ${intent.backupId} holds no entry for this book, so it cannot be put back`,
    };
  }
  const desired = desiredFromEntry(entry);
  if (!desired) {
    return {
      action: 'unrecoverable',
      reason: `backup ${intent.backupId} holds this book with no endpoint serving traffic, which cannot be restored`,
    };
  }
  return { action: 'restore', unchanged: matchesDesired(current.productionAlias, current.serving, desired) };
}
