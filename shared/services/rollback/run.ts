/**
 * One rollback run, acting on a plan. The order is what makes it safe:
 * 1. claim the run (its backup head, id derived from the requestId);
 * 2. take every book's lease: a group of books per transaction, a book
 *    another run holds waited for (or recovered) on its own (acquire.ts);
 * 3. read the books under their leases and plan (pure);
 * 4. write the backup of every book to be switched, in one batch;
 * 5. write each book's intent (from, to, backupId) into its lease, in one batch;
 * 6. per book (bounded concurrency): switch, verify, and on failure restore
 *    from the backup; then its record, history and release, committed with
 *    other finished books in a group transaction (finish-groups.ts) — each
 *    book's three writes in the same transaction —, and its outcome published.
 * A book is changed only after 4 and 5, and its lease is released only when it
 * is consistent again (at its target, or as in the backup) — see recover.ts
 * for what happens when the process dies anywhere in between.
 */
import type { RollbackBackup, RollbackBackupEntry } from '../../contracts/documents/rollback';
import { itemRecord, type RollbackRun } from '../../domain/rollback/run';
import type { BookSnapshot, PlanItem, RollbackPlan, SwitchItem } from '../../domain/rollback/types';
import { planProblems } from '../../domain/rollback/validate-plan';
import { COLLECTIONS } from '../../contracts/collections';
import { rollbackRecordDocId } from '../../contracts/documents/rollback';
import { describeError, ForecastGuardError } from '../../errors';
import { acquireBooks } from './acquire';
import { claimRun, updateHead, writeBackup } from './backups';
import type { Logger } from '../../logging/logger';
import type { RollbackDeps, RollbackOptions } from './deps';
import { mapLimit, rollbackOptions } from './deps';
import { publishOutcome } from './events';
import { actOnItem, recordItem, type HeldBook } from './finish-item';
import { FinishGroups } from './finish-groups';
import { releaseUnchanged, renewIfAgeing, writeIntents, type HeldLease } from './leases';
import { bookResultOf, type BookResult, type RollbackResult } from './results';
import { readBooks } from './snapshot';

/** Thrown when the run was claimed by someone else between the caller's check and the claim. */
export class RunAlreadyClaimed extends ForecastGuardError {}

interface Held {
  lease: HeldLease;
  unlock: () => void;
}

/** One run in progress: what it holds, what it has finished, and how it reports. */
interface RunState {
  run: RollbackRun;
  deps: RollbackDeps;
  options: RollbackOptions;
  log: Logger;
  held: Map<string, Held>;
  results: Map<string, BookResult>;
  progress(phase: 'leased' | 'finished', isbn: string): void;
}

/** What a run will switch, backed up and with every intent written. */
interface Prepared {
  plan: RollbackPlan;
  books: Map<string, BookSnapshot>;
  entries: Map<string, RollbackBackupEntry>;
  /** The head as last written (with the backup's first entries once there are switches). */
  head: RollbackBackup;
}

/** Executes a run in the order the module comment gives; throws only when nothing was switched yet or the StateStore fails. */
export async function executeRun(run: RollbackRun, deps: RollbackDeps): Promise<RollbackResult> {
  const started = performance.now();
  const ctx = runState(run, deps);
  const timer = ctx.log.startTimer('rollback run', { kind: run.kind, books: run.isbns.length });
  const head = runHead(run, deps);
  if (!(await claimRun(deps.state, head)))
    throw new RunAlreadyClaimed(`run ${run.rollbackId} was claimed by another caller`);

  let switching = false;
  let current = head;
  try {
    await leaseBooks(ctx);
    const prepared = await prepareSwitches(ctx, head);
    current = prepared.head;
    switching = true;
    await switchBooks(ctx, prepared);
  } catch (err) {
    timer.fail(err, { switching });
    if (!switching) {
      // Nothing was switched: give the books back and drop the claim, so a retry of this request can run.
      for (const h of ctx.held.values()) await releaseUnchanged(deps, h.lease);
      await deps.state.delete(COLLECTIONS.rollbackBackups, run.backupId).catch(() => undefined);
    }
    throw err;
  } finally {
    for (const h of ctx.held.values()) h.unlock();
  }

  const durationMs = Math.round(performance.now() - started);
  await updateHead(deps.state, {
    ...current,
    status: 'done',
    finishedAt: deps.clock.now().toISOString(),
    durationMs,
  });
  const ordered = run.isbns.flatMap((isbn) => ctx.results.get(isbn) ?? []);
  timer.end({ ...countStatuses(ordered), durationMs });
  return {
    rollbackId: run.rollbackId,
    backupId: run.backupId,
    requestId: run.requestId,
    kind: run.kind,
    status: 'done',
    replayed: false,
    durationMs,
    results: ordered,
  };
}

function runState(run: RollbackRun, deps: RollbackDeps): RunState {
  const held = new Map<string, Held>();
  let finished = 0;
  const total = run.isbns.length;
  return {
    run,
    deps,
    options: rollbackOptions(deps),
    log: deps.logger.child({ correlationId: run.correlationId, rollbackId: run.rollbackId }),
    held,
    results: new Map(),
    progress: (phase, isbn) =>
      deps.onProgress?.({ phase, isbn, done: phase === 'finished' ? ++finished : held.size, total }),
  };
}

/** The run's head as claimed: no entries yet, `running`, who holds it, who asked and why. */
function runHead(run: RollbackRun, deps: RollbackDeps): RollbackBackup {
  return {
    backupId: run.backupId,
    rollbackId: run.rollbackId,
    requestId: run.requestId,
    createdAt: deps.clock.now().toISOString(),
    entries: [],
    parts: 1,
    status: 'running',
    kind: run.kind,
    holder: deps.holder,
    requestedBy: run.requestedBy,
    ...(run.verifiedCaller ? { verifiedCaller: run.verifiedCaller } : {}),
    reason: run.reason,
    correlationId: run.correlationId,
  };
}

/** Step 2: every book's lease; a book that stays busy is recorded failed at once. */
async function leaseBooks(ctx: RunState): Promise<void> {
  const { run, deps } = ctx;
  const leaseTimer = ctx.log.startTimer('leases');
  const claims = run.isbns.map((isbn) => ({
    isbn,
    rollbackId: run.rollbackId,
    requestId: run.requestId,
    backupId: run.backupId,
  }));
  await acquireBooks(deps, claims, run.correlationId, async (isbn, got) => {
    if (got.ok) {
      ctx.held.set(isbn, { lease: got.lease, unlock: got.unlock });
      ctx.progress('leased', isbn);
      return;
    }
    const busy = { isbn, from: null, to: null, status: 'failed' as const, error: got.reason };
    const record = itemRecord(run, busy, deps.clock.now().toISOString());
    await deps.state.set(COLLECTIONS.rollbackRecords, rollbackRecordDocId(run.rollbackId, isbn), record);
    await publishOutcome(deps, record, run.correlationId);
    ctx.results.set(isbn, bookResultOf(record));
    ctx.progress('finished', isbn);
  });
  leaseTimer.end({ leased: ctx.held.size, busy: ctx.results.size });
}

/** Steps 3 to 5: read the leased books, plan, back up every book to switch, then write their intents. */
async function prepareSwitches(ctx: RunState, head: RollbackBackup): Promise<Prepared> {
  const { run, deps } = ctx;
  const leasedIsbns = run.isbns.filter((isbn) => ctx.held.has(isbn));
  const read = await readBooks(deps, leasedIsbns, { fleet: run.fleet === true });
  const plan = run.plan(read);
  const problems = planProblems(plan);
  if (problems.length > 0)
    throw new ForecastGuardError(`internal error: unsound rollback plan: ${problems.join('; ')}`);
  const books = new Map(read.map((b) => [b.isbn, b]));
  const switches = plan.items.filter((i): i is SwitchItem => i.action === 'switch');
  const entries = new Map(switches.map((item) => [item.isbn, entryOf(planned(books, item.isbn))]));
  if (switches.length === 0) return { plan, books, entries, head };

  const total = run.isbns.length;
  const backupTimer = ctx.log.startTimer('backup');
  const written = await writeBackup(deps.state, head, [...entries.values()]);
  backupTimer.end({ entries: entries.size, parts: written.parts });
  deps.onProgress?.({ phase: 'backed-up', done: ctx.held.size, total });
  for (const item of switches) {
    if (!(await renewIfAgeing(deps, heldBook(ctx, item.isbn).lease))) {
      throw new ForecastGuardError(
        `lost the lease on ISBN ${item.isbn} before switching; nothing was switched`,
      );
    }
  }
  const at = deps.clock.now().toISOString();
  await writeIntents(
    deps,
    switches.map((item) => ({
      lease: heldBook(ctx, item.isbn).lease,
      intent: { from: item.from, to: item.to, backupId: run.backupId, desired: item.desired, at },
    })),
  );
  deps.onProgress?.({ phase: 'intent', done: ctx.held.size, total });
  return { plan, books, entries, head: written };
}

/**
 * Step 6: each planned book acted on (`concurrency` at a time), then recorded
 * and released (or kept, when left inconsistent) in its finish group. A
 * worker moves on to the next book once this one is acted on; the run ends
 * when every group has committed.
 */
async function switchBooks(ctx: RunState, prepared: Prepared): Promise<void> {
  const { run, deps } = ctx;
  const groups = new FinishGroups(deps);
  const recorded: Array<Promise<void>> = [];
  await mapLimit(prepared.plan.items, ctx.options.concurrency, async (item) => {
    const h = heldBook(ctx, item.isbn);
    const book: HeldBook = {
      lease: h.lease,
      entry: prepared.entries.get(item.isbn),
      book: planned(prepared.books, item.isbn),
    };
    try {
      const acted = await actOnItem(run, item, book, deps, ctx.options.canarySteps);
      recorded.push(
        recordItem(run, book, acted, deps, (finish) => groups.finish(finish)).then(
          (result) => done(ctx, item, h, result),
          (err: unknown) => done(ctx, item, h, notRecorded(item, err)),
        ),
      );
    } catch (err) {
      done(ctx, item, h, notRecorded(item, err));
    }
  });
  groups.flush();
  await Promise.all(recorded);
}

/** A book whose record could not be written: the lease (and any intent) stays, so recovery will see it. */
function notRecorded(item: PlanItem, err: unknown): BookResult {
  return {
    isbn: item.isbn,
    from: item.from,
    to: item.to,
    status: 'failed',
    verified: false,
    durationMs: 0,
    error: `not recorded: ${describeError(err)}; run rollback --recover`,
  };
}

/** A planned book is over for this run: its result kept, its in-process queue given back. */
function done(ctx: RunState, item: PlanItem, h: Held, result: BookResult): void {
  ctx.results.set(item.isbn, result);
  h.unlock();
  ctx.held.delete(item.isbn);
  ctx.progress('finished', item.isbn);
}

/** The lease this run holds on a planned book (plans cover only leased books). */
function heldBook(ctx: RunState, isbn: string): Held {
  const held = ctx.held.get(isbn);
  if (!held)
    throw new ForecastGuardError(`internal error: the plan names ISBN ${isbn}, which this run does not hold`);
  return held;
}

/** The snapshot a plan item was planned from (plans cover only books read). */
function planned(books: Map<string, BookSnapshot>, isbn: string): BookSnapshot {
  const book = books.get(isbn);
  if (!book) throw new ForecastGuardError(`internal error: the plan names ISBN ${isbn}, which was not read`);
  return book;
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
