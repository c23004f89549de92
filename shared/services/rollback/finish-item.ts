/**
 * Acting on one planned book of a run: switch and verify (or skip, or record
 * a refusal); when the switch does not verify, put the book back from the
 * run's backup. Then its record, history and lease release in one
 * transaction, and its lifecycle event (and alert).
 */
import type { RollbackBackupEntry, RollbackRecord } from '../../contracts/documents/rollback';
import { appendHistory, historyAfterSwitch } from '../../domain/rollback/history';
import { desiredFromEntry, servingVersion } from '../../domain/rollback/serving';
import type { BookSnapshot, PlanItem } from '../../domain/rollback/types';
import { describeError } from '../../errors';
import type { RollbackDeps } from './deps';
import { publishOutcome } from './events';
import { finishBook, renewIfAgeing, type HeldLease } from './leases';
import { bookResultOf, type BookResult } from './results';
import { switchAndVerify } from './switch-book';

/** The run a book belongs to, as its record names it. */
export interface RunIdentity {
  kind: 'rollback' | 'restore-backup';
  requestId: string;
  rollbackId: string;
  backupId: string;
  requestedBy: string;
  verifiedCaller?: string;
  reason: string;
  correlationId: string;
  isbns: readonly string[];
}

/** Acts on one planned book and records it; the lease is released unless the book is left inconsistent. */
export async function finishItem(
  deps: RollbackDeps,
  spec: RunIdentity,
  item: PlanItem,
  lease: HeldLease,
  entry: RollbackBackupEntry | undefined,
  book: BookSnapshot,
  canarySteps: number,
): Promise<BookResult> {
  const started = performance.now();
  const at = () => deps.clock.now().toISOString();
  const base = {
    rollbackId: spec.rollbackId,
    requestId: spec.requestId,
    isbn: item.isbn,
    requestedBy: spec.requestedBy,
    ...(spec.verifiedCaller ? { verifiedCaller: spec.verifiedCaller } : {}),
    reason: spec.reason,
    from: item.from,
    to: item.to,
  };
  let record: RollbackRecord;
  let history = book.history;
  let release = true;

  if (item.action === 'skip') {
    record = { ...base, status: 'skipped', verified: false, durationMs: 0, note: item.reason, at: at() };
  } else if (item.action === 'refuse') {
    record = { ...base, status: 'failed', verified: false, durationMs: 0, error: item.reason, at: at() };
  } else if (!(await renewIfAgeing(deps, lease))) {
    // The lease ran out and may be someone else's now (a very slow run): leave the book alone.
    record = {
      ...base,
      status: 'failed',
      verified: false,
      durationMs: 0,
      error: 'the lease ran out before this book was switched; nothing was changed',
      at: at(),
    };
    release = false;
  } else {
    const check = await switchAndVerify(deps, item.isbn, item.desired, canarySteps);
    deps.onProgress?.({ phase: 'switched', isbn: item.isbn, done: 0, total: spec.isbns.length });
    const forced = item.forced ? { forced: true } : {};
    if (check.ok) {
      record = {
        ...base,
        ...forced,
        backupId: spec.backupId,
        status: 'succeeded',
        verified: true,
        durationMs: 0,
        at: at(),
      };
      const via = spec.kind === 'restore-backup' ? 'restore' : 'rollback';
      history = historyAfterSwitch(book.history, {
        from: item.from,
        to: item.to,
        at: at(),
        via,
        by: spec.requestedBy,
        rollbackId: spec.rollbackId,
      });
    } else {
      const desired = entry && desiredFromEntry(entry);
      const restore = desired
        ? await switchAndVerify(deps, item.isbn, desired, canarySteps)
        : { ok: false, detail: 'the backup entry cannot be restored' };
      if (restore.ok) {
        record = {
          ...base,
          ...forced,
          backupId: spec.backupId,
          status: 'restored',
          verified: false,
          durationMs: 0,
          error: check.detail,
          at: at(),
        };
        const back = servingVersion(entry!.serving);
        if (back)
          history = appendHistory(book.history, {
            version: back,
            at: at(),
            via: 'restore',
            rollbackId: spec.rollbackId,
          });
      } else {
        // Neither switched nor put back: keep the lease and its intent, so recovery finds this book.
        release = false;
        record = {
          ...base,
          ...forced,
          backupId: spec.backupId,
          status: 'failed',
          verified: false,
          durationMs: 0,
          error: `${check.detail}; restoring from backup ${spec.backupId} also failed: ${restore.detail}; the lease is kept for rollback --recover`,
          at: at(),
        };
      }
    }
  }
  record.durationMs = Math.round(performance.now() - started);
  try {
    const ours = await finishBook(deps, { lease, record, history, release });
    if (!ours)
      deps.logger.warning(`the lease on ISBN ${item.isbn} was taken over before this run finished it`, {
        rollbackId: spec.rollbackId,
      });
  } catch (err) {
    deps.logger.error(`could not record ISBN ${item.isbn}: ${describeError(err)}`, {
      rollbackId: spec.rollbackId,
      error: err,
    });
    throw err;
  }
  await publishOutcome(deps, record, spec.correlationId);
  return bookResultOf(record);
}
