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
 *
 * `planRecovery` turns that decision into steps for the service to take
 * (plan here, act in services/rollback/recover.ts): from the stale lease,
 * the run's head, the book's backup entry and what serves it now, it says
 * what to check or put back, and finally the record, the history and
 * whether the lease is released.
 */
import type {
  DesiredServing,
  RollbackBackup,
  RollbackBackupEntry,
  RollbackIntent,
  RollbackLease,
  RollbackRecord,
  ServingHistoryEntry,
} from '../../contracts/documents/rollback';
import type { ServingState } from '../../contracts/model';
import { appendHistory, historyAfterSwitch } from './history';
import { itemRecord, type ItemOutcome, type RecordAuthor } from './run';
import { desiredFromEntry, matchesDesired, servingVersion } from './serving';

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

/** The answer of a step the service took: the book reads back as asked, or what was wrong. */
export interface StepResult {
  ok: boolean;
  detail?: string;
}

/** What is known about one interrupted book: read by the service, then what its steps answered. */
export interface InterruptedBook {
  /** The stale lease, as recovery took it over: the run's ids and, when it got that far, its intent. */
  lease: RollbackLease;
  /** The run's head, when the lease names a backup and the head is there. */
  head?: RollbackBackup;
  /** Who recovers: the record's `requestedBy` when the head is gone. */
  holder: string;
  history: ServingHistoryEntry[];
  /** What serves the book now (its production alias is read only when the lease holds an intent). */
  current: { productionAlias?: string; serving: ServingState | null };
  /** The book's backup entry, when the lease holds an intent. */
  entry?: RollbackBackupEntry;
  /** The answer of the `verify` step, once taken. */
  verified?: StepResult;
  /** The answer of the `restore` step, once taken. */
  restored?: StepResult;
  /** Now: the time the finishing record and history carry. */
  at: string;
}

/** Write the book's record and history; `release` false keeps the lease and its intent for the next attempt. */
export interface FinishRecovery {
  step: 'finish';
  record: RollbackRecord;
  history: ServingHistoryEntry[];
  release: boolean;
}

/**
 * The next step of a book's recovery:
 * - `verify`: the book looks as intended; check it serves (read back and canary);
 * - `restore`: put it back as the backup holds it, then check it;
 * - `finish`: record the outcome (and the history it leaves) and release or keep the lease.
 */
export type RecoveryStep =
  { step: 'verify'; desired: DesiredServing } | { step: 'restore'; desired: DesiredServing } | FinishRecovery;

/**
 * Plans the recovery of one book (the module comment gives the rules). The
 * service takes the step it returns, adds the step's answer to what it knows
 * (`verified` or `restored`) and asks again, until the step is `finish`; a
 * book never takes more than two steps before it. Pure.
 */
export function planRecovery(book: InterruptedBook): RecoveryStep {
  const intent = book.lease.intent;
  if (!intent) {
    return finish(book, {
      outcome: { from: servingVersion(book.current.serving), to: null, status: 'failed' },
      error: 'the run was interrupted before it switched this book; nothing was changed',
      note: 'released by recovery',
    });
  }
  const decision = decideRecovery(intent, book.current, book.entry);
  if (decision.action === 'unrecoverable') return keepLease(book, intent, decision.reason, 'impossible');
  if (decision.action === 'complete') {
    if (!book.verified) return { step: 'verify', desired: intent.desired };
    if (book.verified.ok) return completed(book, intent);
  }
  const desired = book.entry && desiredFromEntry(book.entry);
  if (!book.entry || !desired) {
    const reason = `verification failed (${book.verified?.detail}) and the backup cannot be restored`;
    return keepLease(book, intent, reason, 'impossible');
  }
  if (!book.restored) return { step: 'restore', desired };
  const why = book.verified
    ? `verification after recovery failed: ${book.verified.detail}`
    : decision.action === 'restore' && decision.unchanged
      ? 'the run was interrupted before it switched this book'
      : 'the run was interrupted mid-switch';
  if (!book.restored.ok) {
    const error = `${why}; restoring from backup ${intent.backupId} failed: ${book.restored.detail}`;
    return keepLease(book, intent, error, 'failed');
  }
  const back = servingVersion(book.entry.serving);
  return finish(book, {
    outcome: { from: intent.from, to: intent.to, status: 'restored' },
    error: why,
    note: 'restored by recovery',
    history: back
      ? appendHistory(book.history, { version: back, at: book.at, via: 'restore', rollbackId: runIdOf(book) })
      : book.history,
  });
}

/** The book is as intended and verified: the run's switch stands. */
function completed(book: InterruptedBook, intent: RollbackIntent): FinishRecovery {
  return finish(book, {
    outcome: { from: intent.from, to: intent.to, status: 'succeeded' },
    note: 'completed by recovery',
    history: intent.to
      ? historyAfterSwitch(book.history, {
          from: intent.from,
          to: intent.to,
          at: book.at,
          via: 'recovery',
          rollbackId: runIdOf(book),
        })
      : book.history,
  });
}

/** Recovery could not make the book consistent: record why and keep the lease (with its intent). */
function keepLease(
  book: InterruptedBook,
  intent: RollbackIntent,
  error: string,
  how: 'impossible' | 'failed',
): FinishRecovery {
  return finish(book, {
    outcome: { from: intent.from, to: intent.to, status: 'failed' },
    error,
    note: how === 'impossible' ? 'recovery impossible; lease kept' : 'recovery failed; lease kept',
    release: false,
  });
}

/** The run a lease names; a lease from before run ids were kept is recorded under `unknown-run`. */
function runIdOf(book: InterruptedBook): string {
  return book.lease.rollbackId ?? 'unknown-run';
}

/** Records land on the interrupted run, under who asked for it (the recovering process when its head is gone). */
function recoveryAuthor(book: InterruptedBook): RecordAuthor {
  const { head, lease } = book;
  return {
    rollbackId: runIdOf(book),
    requestId: lease.requestId,
    requestedBy: head?.requestedBy ?? book.holder,
    verifiedCaller: head?.verifiedCaller,
    reason: head?.reason?.trim() ? head.reason : 'recovery of an interrupted rollback',
  };
}

function finish(
  book: InterruptedBook,
  end: {
    outcome: Pick<ItemOutcome, 'from' | 'to' | 'status'>;
    error?: string;
    note: string;
    history?: ServingHistoryEntry[];
    release?: boolean;
  },
): FinishRecovery {
  const outcome: ItemOutcome = { ...end.outcome, isbn: book.lease.isbn, note: end.note };
  if (end.error !== undefined) outcome.error = end.error;
  if (book.lease.backupId) outcome.backupId = book.lease.backupId;
  return {
    step: 'finish',
    record: itemRecord(recoveryAuthor(book), outcome, book.at),
    history: end.history ?? book.history,
    release: end.release ?? true,
  };
}
