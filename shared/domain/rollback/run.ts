/**
 * A rollback run as the service executes it, and the audit record it writes
 * for each book. Every record of a run (a switched book, a refused one, a
 * busy one, one finished by recovery) is built by `itemRecord`, so a writer
 * names only what differs between books. Pure.
 */
import type { RollbackOutcome, RollbackRecord } from '../../contracts/documents/rollback';
import type { BookSnapshot, RollbackPlan } from './types';

/** One run to execute: its ids, who asked and why, the books, and how to plan them. */
export interface RollbackRun {
  kind: 'rollback' | 'restore-backup';
  requestId: string;
  rollbackId: string;
  backupId: string;
  requestedBy: string;
  /** Who the caller proved to be; recorded beside `requestedBy`. */
  verifiedCaller?: string;
  reason: string;
  correlationId: string;
  /** Books to take, in order (fleet-wide: sorted, so runs take leases in one order). */
  isbns: readonly string[];
  /** Fleet-wide (every served book): the books' endpoints are read in one listing (see readBooks). */
  fleet?: boolean;
  /** Pure planning over the books read under their leases. */
  plan(books: BookSnapshot[]): RollbackPlan;
}

/** What every record of a run repeats: the run's ids, who asked and why. */
export type RecordAuthor = Pick<
  RollbackRun,
  'rollbackId' | 'requestId' | 'requestedBy' | 'verifiedCaller' | 'reason'
>;

/** What one book's record says of that book. */
export interface ItemOutcome {
  isbn: string;
  from: string | null;
  to: string | null;
  status: RollbackOutcome;
  error?: string;
  note?: string;
  /** Only a switch to a quarantined version with `force` sets it. */
  forced?: boolean;
  /** The run's backup, named once the book was backed up (absent for books never switched). */
  backupId?: string;
}

/**
 * The audit record of one book. `verified` is true exactly for `succeeded`:
 * only a book read back at its target (with its canary answered) succeeds.
 * `durationMs` starts at 0; the writer sets it once the book is done.
 * Optional fields are left out rather than set to undefined (Firestore refuses undefined).
 */
export function itemRecord(run: RecordAuthor, outcome: ItemOutcome, at: string): RollbackRecord {
  const record: RollbackRecord = {
    rollbackId: run.rollbackId,
    requestId: run.requestId,
    isbn: outcome.isbn,
    requestedBy: run.requestedBy,
    reason: run.reason,
    from: outcome.from,
    to: outcome.to,
    status: outcome.status,
    verified: outcome.status === 'succeeded',
    durationMs: 0,
    at,
  };
  if (run.verifiedCaller) record.verifiedCaller = run.verifiedCaller;
  if (outcome.backupId !== undefined) record.backupId = outcome.backupId;
  if (outcome.forced) record.forced = true;
  if (outcome.error !== undefined) record.error = outcome.error;
  if (outcome.note !== undefined) record.note = outcome.note;
  return record;
}
