/**
 * Recovery of interrupted rollbacks (a process killed, a function timed out).
 * A book is interrupted when its lease is still held but stale: expired, or
 * its holder known dead. Recovery takes the lease over and, from the intent
 * the run wrote before switching:
 * - no intent: the run never switched this book → record it failed
 *   ("interrupted before the switch; unchanged") and release;
 * - intent, and the book is exactly as intended → verify with a canary and
 *   record it succeeded ("completed by recovery");
 * - intent otherwise (untouched or half-switched) → put it back exactly as
 *   the backup holds it and record it restored ("restored by recovery").
 * Records land on the interrupted run (its rollbackId), so replaying its
 * requestId answers with every book. Runs left `running` by a dead holder
 * are marked `interrupted`.
 *
 * Those rules are `planRecovery` (domain/rollback/recovery.ts, pure); this
 * file reads what it plans from, takes the steps it gives and writes the outcome.
 *
 * Runs from `forecast-guard rollback --recover`, and by itself whenever a
 * rollback finds a stale lease on a book it wants, or a replayed request
 * finds its run dead.
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { RollbackBackup, RollbackBackupEntry, RollbackLease } from '../../contracts/documents/rollback';
import { planRecovery, type FinishRecovery, type InterruptedBook } from '../../domain/rollback/recovery';
import { describeError, ForecastGuardError, isRetryable } from '../../errors';
import { PRODUCTION_ALIAS } from '../../ports/model-registry';
import { readBackup, readHead, updateHead, type LoadedBackup } from './backups';
import type { RollbackDeps, RollbackPorts, RollbackSettings } from './deps';
import { rollbackOptions } from './deps';
import { publishOutcome } from './events';
import { finishBook, isHeld, isStale, readHistory, takeOverLease } from './leases';
import { bookResultOf, type BookResult } from './results';
import { switchAndVerify, verifyDesired } from './switch-book';

/** Options of `recoverInterrupted` (`rollback --recover [--force]`). */
export interface RecoverOptions {
  /** Take over held leases even when not stale (the operator knows their holder is gone). */
  force?: boolean;
  /** Only this run's books. */
  rollbackId?: string;
  correlationId?: string;
}

/** What a recovery did, book by book, and what it left alone. */
export interface RecoveryReport {
  /** One line per book recovered. */
  books: BookResult[];
  /** Runs marked interrupted. */
  runs: string[];
  /** Held leases left alone because their holder is alive and they have not expired. */
  live: Array<{ isbn: string; holder: string; expiresAt: string }>;
  /**
   * Books recovery could not get to (e.g. on Firestore, a transaction the dead
   * process left open keeps the lease locked for up to a minute); `retryable`
   * says whether running recovery again later can help.
   */
  errors: Array<{ isbn: string; error: string; retryable: boolean }>;
}

/** Cache of backups read during one recovery (a fleet run's books share one). */
type BackupCache = Map<string, Promise<LoadedBackup | undefined>>;

function entryFrom(
  cache: BackupCache,
  deps: RollbackDeps,
  backupId: string,
  isbn: string,
): Promise<RollbackBackupEntry | undefined> {
  let loaded = cache.get(backupId);
  if (!loaded) {
    loaded = readBackup(deps.state, backupId).catch(() => undefined);
    cache.set(backupId, loaded);
  }
  return loaded.then((b) => b?.entries.find((e) => e.isbn === isbn));
}

/**
 * Recovers one book from a stale lease. Undefined when another process took
 * it over first. Never throws for a recovery that fails: the record says so
 * and the lease stays held (with its intent) for the next attempt.
 */
export async function recoverBook(
  stale: RollbackLease,
  deps: RollbackDeps,
  options: { force?: boolean; correlationId?: string; cache?: BackupCache } = {},
): Promise<BookResult | undefined> {
  const lease = await takeOverLease(deps, stale, options.force === true);
  if (!lease) return undefined;
  const started = performance.now();
  const { canarySteps } = rollbackOptions(deps);
  const head = stale.backupId ? await readHead(deps.state, stale.backupId) : undefined;
  const rollbackId = stale.rollbackId ?? 'unknown-run';
  const correlationId = options.correlationId ?? head?.correlationId ?? `recovery-${rollbackId}`;
  const known = await readInterrupted(deps, stale, head, options.cache ?? new Map());
  const done = await applyRecovery(known, deps, canarySteps);
  const { record } = done;
  record.durationMs = Math.round(performance.now() - started);
  try {
    await finishBook(deps, { lease, record, history: done.history, release: done.release });
  } catch (err) {
    deps.logger.error(`recovery of ISBN ${stale.isbn} could not record its outcome: ${describeError(err)}`, {
      rollbackId,
      error: err,
    });
    throw err;
  }
  await publishOutcome(deps, record, correlationId);
  deps.onProgress?.({ phase: 'recovered', isbn: stale.isbn, done: 1, total: 1 });
  deps.logger.warning(
    `recovered ISBN ${stale.isbn} of interrupted rollback ${rollbackId}: ${record.status}`,
    {
      correlationId,
      rollbackId,
      isbn: stale.isbn,
      note: record.note,
      error: record.error,
    },
  );
  return bookResultOf(record);
}

/**
 * What recovery plans from: the book's history and what serves it now, and,
 * when the run wrote an intent, its production alias and backup entry too.
 * Without an intent the endpoint is only reported, so an outage reading it
 * does not keep the book from being released.
 */
async function readInterrupted(
  deps: RollbackDeps,
  stale: RollbackLease,
  head: RollbackBackup | undefined,
  cache: BackupCache,
): Promise<Omit<InterruptedBook, 'at'>> {
  const known = { lease: stale, holder: deps.holder, history: await readHistory(deps.state, stale.isbn) };
  const withHead = head ? { ...known, head } : known;
  if (!stale.intent) {
    const serving = await deps.serving.getServing(stale.isbn).catch(() => undefined);
    return { ...withHead, current: { serving: serving ?? null } };
  }
  const [alias, serving] = await Promise.all([
    deps.registry.getAlias(stale.isbn, PRODUCTION_ALIAS),
    deps.serving.getServing(stale.isbn),
  ]);
  const entry = await entryFrom(cache, deps, stale.intent.backupId, stale.isbn);
  return { ...withHead, current: { productionAlias: alias, serving: serving ?? null }, entry };
}

/** Takes the steps `planRecovery` gives, telling it each answer, until it says how to finish. */
async function applyRecovery(
  known: Omit<InterruptedBook, 'at'>,
  deps: RollbackDeps,
  canarySteps: number,
): Promise<FinishRecovery> {
  const isbn = known.lease.isbn;
  let book = known;
  // A plan takes at most two steps (verify, restore) before it finishes; a third would be a planning bug.
  for (let steps = 0; steps <= 2; steps++) {
    const step = planRecovery({ ...book, at: deps.clock.now().toISOString() });
    if (step.step === 'finish') return step;
    if (step.step === 'verify') {
      book = { ...book, verified: await verifyDesired(deps, isbn, step.desired, canarySteps) };
    } else {
      book = { ...book, restored: await switchAndVerify(deps, isbn, step.desired, canarySteps) };
    }
  }
  throw new ForecastGuardError(`internal error: the recovery plan of ISBN ${isbn} did not finish`);
}

/**
 * Recovers every stale held lease (or only those of `rollbackId`), then marks
 * runs still `running` whose holder is dead or whose time is up as interrupted.
 */
export async function recoverInterrupted(
  options: RecoverOptions,
  ports: RollbackPorts,
  settings: RollbackSettings,
): Promise<RecoveryReport> {
  return recoverInterruptedWith(options, { ...ports, ...settings });
}

/** `recoverInterrupted` for the service's own steps, which hold ports and settings together. */
export async function recoverInterruptedWith(
  options: RecoverOptions,
  deps: RollbackDeps,
): Promise<RecoveryReport> {
  const { leaseTtlMs } = rollbackOptions(deps);
  const now = deps.clock.now();
  const report: RecoveryReport = { books: [], runs: [], live: [], errors: [] };
  const held = await deps.state.query<RollbackLease>(COLLECTIONS.rollbackLeases, {
    where: [{ field: 'held', op: '==', value: true }],
  });
  const cache: BackupCache = new Map();
  for (const doc of held) {
    const lease = doc.data;
    if (!isHeld(lease)) continue;
    if (options.rollbackId !== undefined && lease.rollbackId !== options.rollbackId) continue;
    if (!isStale(lease, now, deps.liveness, options.force)) {
      report.live.push({ isbn: lease.isbn, holder: lease.holder, expiresAt: lease.expiresAt });
      continue;
    }
    try {
      const result = await recoverBook(lease, deps, {
        force: options.force,
        correlationId: options.correlationId,
        cache,
      });
      if (result) report.books.push(result);
    } catch (err) {
      // One book out of reach must not keep the others from being recovered.
      report.errors.push({ isbn: lease.isbn, error: describeError(err), retryable: isRetryable(err) });
    }
  }
  const running = await deps.state.query<RollbackBackup>(COLLECTIONS.rollbackBackups, {
    where: [{ field: 'status', op: '==', value: 'running' }],
  });
  for (const doc of running) {
    const head = doc.data;
    if (options.rollbackId !== undefined && head.rollbackId !== options.rollbackId) continue;
    if (!runIsDead(head, now, leaseTtlMs, deps, options.force)) continue;
    if (report.live.some((l) => l.holder === head.holder)) continue;
    if (report.errors.length > 0 && held.some((d) => d.data.rollbackId === head.rollbackId)) continue;
    await updateHead(deps.state, { ...head, status: 'interrupted', finishedAt: now.toISOString() });
    report.runs.push(head.rollbackId);
  }
  return report;
}

/** A run whose holder is dead, or older than a lease could be, or forced. */
export function runIsDead(
  head: RollbackBackup,
  now: Date,
  leaseTtlMs: number,
  deps: Pick<RollbackDeps, 'liveness'>,
  force = false,
): boolean {
  if (force) return true;
  if (head.holder && deps.liveness?.(head.holder) === false) return true;
  return Date.parse(head.createdAt) + leaseTtlMs <= now.getTime();
}
