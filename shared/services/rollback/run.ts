/**
 * One rollback run, acting on a plan. The order is what makes it safe:
 * 1. claim the run (its backup head, id derived from the requestId);
 * 2. take every book's lease (bounded concurrency);
 * 3. read the books under their leases and plan (pure);
 * 4. write the backup of every book to be switched, in one batch;
 * 5. write each book's intent (from, to, backupId) into its lease, in one batch;
 * 6. per book: switch, verify, and on failure restore from the backup; then
 *    record and release in one transaction, and publish the outcome.
 * A book is changed only after 4 and 5, and its lease is released only when it
 * is consistent again (at its target, or as in the backup) — see recover.ts
 * for what happens when the process dies anywhere in between.
 */
import type { RollbackBackup, RollbackBackupEntry, RollbackRecord } from '../../contracts/documents/rollback';
import type { BookSnapshot, PlanItem, RollbackPlan } from '../../domain/rollback/types';
import { planProblems } from '../../domain/rollback/validate-plan';
import { COLLECTIONS } from '../../contracts/collections';
import { rollbackRecordDocId } from '../../contracts/documents/rollback';
import { describeError, ForecastGuardError } from '../../errors';
import { acquireBook } from './acquire';
import { claimRun, updateHead, writeBackup } from './backups';
import type { RollbackDeps } from './deps';
import { mapLimit, rollbackOptions } from './deps';
import { publishOutcome } from './events';
import { finishItem } from './finish-item';
import { releaseUnchanged, renewIfAgeing, writeIntents, type HeldLease } from './leases';
import { bookResultOf, type BookResult, type RollbackResult } from './results';
import { readBooks } from './snapshot';

/** One run to execute: its ids, who asked and why, the books, and how to plan them. */
export interface RunSpec {
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
  isbns: string[];
  /** Fleet-wide (every served book): the books' endpoints are read in one listing (see readBooks). */
  fleet?: boolean;
  /** Pure planning over the books read under their leases. */
  plan(books: BookSnapshot[]): RollbackPlan;
}

/** Thrown when the run was claimed by someone else between the caller's check and the claim. */
export class RunAlreadyClaimed extends ForecastGuardError {}

interface Held {
  lease: HeldLease;
  unlock: () => void;
}

/** Executes a run in the order the module comment gives; throws only when nothing was switched yet or the StateStore fails. */
export async function executeRun(spec: RunSpec, deps: RollbackDeps): Promise<RollbackResult> {
  const options = rollbackOptions(deps);
  const started = performance.now();
  const log = deps.logger.child({ correlationId: spec.correlationId, rollbackId: spec.rollbackId });
  const timer = log.startTimer('rollback run', { kind: spec.kind, books: spec.isbns.length });
  const head: RollbackBackup = {
    backupId: spec.backupId,
    rollbackId: spec.rollbackId,
    requestId: spec.requestId,
    createdAt: deps.clock.now().toISOString(),
    entries: [],
    parts: 1,
    status: 'running',
    kind: spec.kind,
    holder: deps.holder,
    requestedBy: spec.requestedBy,
    ...(spec.verifiedCaller ? { verifiedCaller: spec.verifiedCaller } : {}),
    reason: spec.reason,
    correlationId: spec.correlationId,
  };
  if (!(await claimRun(deps.state, head)))
    throw new RunAlreadyClaimed(`run ${spec.rollbackId} was claimed by another caller`);

  const held = new Map<string, Held>();
  const results = new Map<string, BookResult>();
  const total = spec.isbns.length;
  let finished = 0;
  const base = {
    rollbackId: spec.rollbackId,
    requestId: spec.requestId,
    requestedBy: spec.requestedBy,
    ...(spec.verifiedCaller ? { verifiedCaller: spec.verifiedCaller } : {}),
    reason: spec.reason,
  };
  const progress = (phase: 'leased' | 'finished', isbn: string) =>
    deps.onProgress?.({ phase, isbn, done: phase === 'finished' ? ++finished : held.size, total });
  let switching = false;
  let current: RollbackBackup = head;

  try {
    const leaseTimer = log.startTimer('leases');
    await mapLimit(spec.isbns, options.concurrency, async (isbn) => {
      const claim = { isbn, rollbackId: spec.rollbackId, requestId: spec.requestId, backupId: spec.backupId };
      const got = await acquireBook(deps, claim, spec.correlationId);
      if (got.ok) {
        held.set(isbn, { lease: got.lease, unlock: got.unlock });
        progress('leased', isbn);
        return;
      }
      const record: RollbackRecord = {
        ...base,
        isbn,
        from: null,
        to: null,
        status: 'failed',
        verified: false,
        durationMs: 0,
        error: got.reason,
        at: deps.clock.now().toISOString(),
      };
      await deps.state.set(COLLECTIONS.rollbackRecords, rollbackRecordDocId(spec.rollbackId, isbn), record);
      await publishOutcome(deps, record, spec.correlationId);
      results.set(isbn, bookResultOf(record));
      progress('finished', isbn);
    });
    leaseTimer.end({ leased: held.size, busy: results.size });

    const leasedIsbns = spec.isbns.filter((isbn) => held.has(isbn));
    const books = await readBooks(deps, leasedIsbns, { fleet: spec.fleet === true });
    const plan = spec.plan(books);
    const problems = planProblems(plan);
    if (problems.length > 0)
      throw new ForecastGuardError(`internal error: unsound rollback plan: ${problems.join('; ')}`);
    const byIsbn = new Map(books.map((b) => [b.isbn, b]));
    const switches = plan.items.filter(
      (i): i is Extract<PlanItem, { action: 'switch' }> => i.action === 'switch',
    );
    const entries = new Map<string, RollbackBackupEntry>();
    for (const item of switches) entries.set(item.isbn, entryOf(byIsbn.get(item.isbn)!));

    if (switches.length > 0) {
      const backupTimer = log.startTimer('backup');
      current = await writeBackup(deps.state, head, [...entries.values()]);
      backupTimer.end({ entries: entries.size, parts: current.parts });
      deps.onProgress?.({ phase: 'backed-up', done: held.size, total });
      for (const item of switches) {
        if (!(await renewIfAgeing(deps, held.get(item.isbn)!.lease))) {
          throw new ForecastGuardError(
            `lost the lease on ISBN ${item.isbn} before switching; nothing was switched`,
          );
        }
      }
      const at = deps.clock.now().toISOString();
      await writeIntents(
        deps,
        switches.map((item) => ({
          lease: held.get(item.isbn)!.lease,
          intent: { from: item.from, to: item.to, backupId: spec.backupId, desired: item.desired, at },
        })),
      );
      deps.onProgress?.({ phase: 'intent', done: held.size, total });
    }
    switching = true;

    await mapLimit(plan.items, options.concurrency, async (item) => {
      const h = held.get(item.isbn)!;
      try {
        results.set(
          item.isbn,
          await finishItem(
            deps,
            spec,
            item,
            h.lease,
            entries.get(item.isbn),
            byIsbn.get(item.isbn)!,
            options.canarySteps,
          ),
        );
      } catch (err) {
        // The record could not be written: the lease (and any intent) stays, so recovery will see this book.
        results.set(item.isbn, {
          isbn: item.isbn,
          from: item.from,
          to: item.to,
          status: 'failed',
          verified: false,
          durationMs: 0,
          error: `not recorded: ${describeError(err)}; run rollback --recover`,
        });
      } finally {
        h.unlock();
        held.delete(item.isbn);
        progress('finished', item.isbn);
      }
    });
  } catch (err) {
    timer.fail(err, { switching });
    if (!switching) {
      // Nothing was switched: give the books back and drop the claim, so a retry of this request can run.
      for (const h of held.values()) await releaseUnchanged(deps, h.lease);
      await deps.state.delete(COLLECTIONS.rollbackBackups, spec.backupId).catch(() => undefined);
    }
    throw err;
  } finally {
    for (const h of held.values()) h.unlock();
  }

  const durationMs = Math.round(performance.now() - started);
  await updateHead(deps.state, {
    ...current,
    status: 'done',
    finishedAt: deps.clock.now().toISOString(),
    durationMs,
  });
  const ordered = spec.isbns.filter((i) => results.has(i)).map((i) => results.get(i)!);
  const counts = countStatuses(ordered);
  timer.end({ ...counts, durationMs });
  return {
    rollbackId: spec.rollbackId,
    backupId: spec.backupId,
    requestId: spec.requestId,
    kind: spec.kind,
    status: 'done',
    replayed: false,
    durationMs,
    results: ordered,
  };
}

function entryOf(book: BookSnapshot): RollbackBackupEntry {
  const entry: RollbackBackupEntry = { isbn: book.isbn, serving: book.serving };
  if (book.productionAlias !== undefined) entry.productionAlias = book.productionAlias;
  return entry;
}

function countStatuses(results: BookResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}
