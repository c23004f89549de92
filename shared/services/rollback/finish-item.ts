/**
 * Acting on one planned book of a run: switch and verify (or skip, or record
 * a refusal); when the switch does not verify, put the book back from the
 * run's backup. Then its record, history and lease release in one
 * transaction (its own, or its group's: finish-groups.ts), and its lifecycle
 * event (and alert).
 */
import type { RollbackBackupEntry, ServingHistoryEntry } from '../../contracts/documents/rollback';
import { appendHistory, historyAfterSwitch } from '../../domain/rollback/history';
import { itemRecord, type ItemOutcome, type RollbackRun } from '../../domain/rollback/run';
import { desiredFromEntry, servingVersion } from '../../domain/rollback/serving';
import type { BookSnapshot, PlanItem, SwitchItem } from '../../domain/rollback/types';
import type { RollbackRecord } from '../../contracts/documents/rollback';
import { describeError } from '../../errors';
import type { RollbackDeps } from './deps';
import { publishOutcome } from './events';
import { renewIfAgeing, type FinishBook, type HeldLease } from './leases';
import { bookResultOf, type BookResult } from './results';
import { switchAndVerify, type Verification } from './switch-book';

/** One book of a run as the run holds it: its lease, its backup entry (switches only) and its snapshot. */
export interface HeldBook {
  lease: HeldLease;
  entry: RollbackBackupEntry | undefined;
  book: BookSnapshot;
}

/** How a book ended: its record, the history to keep, and whether its lease is released. */
interface Finished {
  record: RollbackRecord;
  history: ServingHistoryEntry[];
  release: boolean;
}

/** What acting on a book came to, timed, before it is recorded. */
export type ActedOn = Finished;

/** Skips, refuses, or switches one planned book (see `actOn`); the record carries how long that took. */
export async function actOnItem(
  run: RollbackRun,
  item: PlanItem,
  held: HeldBook,
  deps: RollbackDeps,
  canarySteps: number,
): Promise<ActedOn> {
  const started = performance.now();
  const finished = await actOn(run, item, held, deps, canarySteps);
  finished.record.durationMs = Math.round(performance.now() - started);
  return finished;
}

/**
 * Commits the book's record, history and release with `commit` (one
 * transaction for the book alone, or its group's: finish-groups.ts), then
 * publishes its outcome. Throws when the record could not be written.
 */
export async function recordItem(
  run: RollbackRun,
  held: HeldBook,
  finished: ActedOn,
  deps: RollbackDeps,
  commit: (finish: FinishBook) => Promise<boolean>,
): Promise<BookResult> {
  const { record } = finished;
  const { isbn } = held.lease;
  try {
    const ours = await commit({ lease: held.lease, ...finished });
    if (!ours)
      deps.logger.warning(`the lease on ISBN ${isbn} was taken over before this run finished it`, {
        rollbackId: run.rollbackId,
      });
  } catch (err) {
    deps.logger.error(`could not record ISBN ${isbn}: ${describeError(err)}`, {
      rollbackId: run.rollbackId,
      error: err,
    });
    throw err;
  }
  await publishOutcome(deps, record, run.correlationId);
  return bookResultOf(record);
}

/** Skips, refuses, or (while the lease is still ours) switches the book. */
async function actOn(
  run: RollbackRun,
  item: PlanItem,
  held: HeldBook,
  deps: RollbackDeps,
  canarySteps: number,
): Promise<Finished> {
  const at = () => deps.clock.now().toISOString();
  const book = { isbn: item.isbn, from: item.from, to: item.to };
  const unchanged = (outcome: ItemOutcome, release = true): Finished => ({
    record: itemRecord(run, outcome, at()),
    history: held.book.history,
    release,
  });
  if (item.action === 'skip') return unchanged({ ...book, status: 'skipped', note: item.reason });
  if (item.action === 'refuse') return unchanged({ ...book, status: 'failed', error: item.reason });
  if (!(await renewIfAgeing(deps, held.lease))) {
    // The lease ran out and may be someone else's now (a very slow run): leave the book alone.
    const error = 'the lease ran out before this book was switched; nothing was changed';
    return unchanged({ ...book, status: 'failed', error }, false);
  }
  return switchBook(run, item, held, deps, canarySteps);
}

/** Switches and verifies; a switch that does not verify is put back from the backup. */
async function switchBook(
  run: RollbackRun,
  item: SwitchItem,
  held: HeldBook,
  deps: RollbackDeps,
  canarySteps: number,
): Promise<Finished> {
  const check = await switchAndVerify(deps, item.isbn, item.desired, canarySteps);
  deps.onProgress?.({ phase: 'switched', isbn: item.isbn, done: 0, total: run.isbns.length });
  if (!check.ok) return putBack(run, item, held, check, deps, canarySteps);
  const at = () => deps.clock.now().toISOString();
  const record = itemRecord(run, switched(run, item, 'succeeded'), at());
  const history = historyAfterSwitch(held.book.history, {
    from: item.from,
    to: item.to,
    at: at(),
    via: run.kind === 'restore-backup' ? 'restore' : 'rollback',
    by: run.requestedBy,
    rollbackId: run.rollbackId,
  });
  return { record, history, release: true };
}

/** Restores the book from its backup entry after a failed switch; when that fails too, keeps the lease. */
async function putBack(
  run: RollbackRun,
  item: SwitchItem,
  held: HeldBook,
  check: Verification,
  deps: RollbackDeps,
  canarySteps: number,
): Promise<Finished> {
  const at = () => deps.clock.now().toISOString();
  const { entry } = held;
  const desired = entry && desiredFromEntry(entry);
  const restore = desired
    ? await switchAndVerify(deps, item.isbn, desired, canarySteps)
    : { ok: false, detail: 'the backup entry cannot be restored' };
  if (!entry || !restore.ok) {
    // Neither switched nor put back: keep the lease and its intent, so recovery finds this book.
    const error = `${check.detail}; restoring from backup ${run.backupId} also failed: ${restore.detail}; the lease is kept for rollback --recover`;
    const record = itemRecord(run, { ...switched(run, item, 'failed'), error }, at());
    return { record, history: held.book.history, release: false };
  }
  const record = itemRecord(run, { ...switched(run, item, 'restored'), error: check.detail }, at());
  const back = servingVersion(entry.serving);
  const history = back
    ? appendHistory(held.book.history, {
        version: back,
        at: at(),
        via: 'restore',
        rollbackId: run.rollbackId,
      })
    : held.book.history;
  return { record, history, release: true };
}

/** The outcome of a book the run switched (or tried to): it names the run's backup. */
function switched(run: RollbackRun, item: SwitchItem, status: ItemOutcome['status']): ItemOutcome {
  return {
    isbn: item.isbn,
    from: item.from,
    to: item.to,
    status,
    forced: item.forced,
    backupId: run.backupId,
  };
}
