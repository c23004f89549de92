/**
 * The per-book lease, `rollback-leases/<isbn>`: it exists exactly while a
 * rollback holds the book (or while an interrupted one left an intent in it).
 * Taken with the StateStore's create-if-absent (exactly one concurrent caller
 * wins, and on Firestore a loser learns it at once instead of waiting out a
 * transaction lock); taken over, given up and released in transactions.
 *
 * The book's serving history lives beside it, in `rollback-leases/<isbn>:history`
 * (a never-held RollbackLease carrying `servingHistory`), written only by the
 * lease holder (or by a deploy while no lease is held).
 */
import { COLLECTIONS } from '../../contracts/collections';
import {
  rollbackRecordDocId,
  type RollbackIntent,
  type RollbackLease,
  type RollbackRecord,
  type ServingHistoryEntry,
} from '../../contracts/documents/rollback';
import type { StateStore, Transaction } from '../../ports/state-store';
import type { HolderLiveness, RollbackDeps } from './deps';
import { ConflictError } from '../../errors';
import { rollbackOptions } from './deps';
import { MAX_WRITES_PER_COMMIT, WRITES_PER_FINISH } from './groups';

/** A lease this process holds, with the document as last written. */
export interface HeldLease {
  isbn: string;
  doc: RollbackLease;
}

/** Who is taking a lease, for which run. */
export interface LeaseClaim {
  isbn: string;
  rollbackId: string;
  requestId: string;
  backupId: string;
}

/** What one attempt at a lease found. */
export type TakeResult =
  | { kind: 'taken'; lease: HeldLease }
  | { kind: 'held'; lease: RollbackLease }
  | { kind: 'stale'; lease: RollbackLease }
  | { kind: 'free' };

/** Document id of a book's serving history, beside its lease. */
export function historyDocId(isbn: string): string {
  return `${isbn}:history`;
}

/** A lease document that holds its book (history documents never do). */
export function isHeld(lease: RollbackLease | undefined): lease is RollbackLease & { held?: true } {
  return lease !== undefined && lease.held !== false;
}

/**
 * A held lease nobody is working under any more: it expired, or its holder is
 * known to be dead, or the caller forces it (an operator who knows better).
 */
export function isStale(lease: RollbackLease, now: Date, liveness?: HolderLiveness, force = false): boolean {
  if (force) return true;
  if (Date.parse(lease.expiresAt) <= now.getTime()) return true;
  return liveness?.(lease.holder) === false;
}

/** The lease document a claim writes when it takes its book now. */
function leaseDocFor(deps: RollbackDeps, claim: LeaseClaim): RollbackLease {
  const { leaseTtlMs } = rollbackOptions(deps);
  const now = deps.clock.now();
  return {
    isbn: claim.isbn,
    holder: deps.holder,
    requestId: claim.requestId,
    rollbackId: claim.rollbackId,
    backupId: claim.backupId,
    expiresAt: new Date(now.getTime() + leaseTtlMs).toISOString(),
    held: true,
    acquiredAt: now.toISOString(),
  };
}

/** One attempt to take the lease: taken, held by a live run, stale (recover it first), or gone again (retry). */
export async function tryTakeLease(deps: RollbackDeps, claim: LeaseClaim): Promise<TakeResult> {
  const doc = leaseDocFor(deps, claim);
  if (await deps.state.create(COLLECTIONS.rollbackLeases, claim.isbn, doc)) {
    return { kind: 'taken', lease: { isbn: claim.isbn, doc } };
  }
  const current = (await deps.state.get<RollbackLease>(COLLECTIONS.rollbackLeases, claim.isbn))?.data;
  if (!isHeld(current)) return { kind: 'free' };
  return isStale(current, deps.clock.now(), deps.liveness)
    ? { kind: 'stale', lease: current }
    : { kind: 'held', lease: current };
}

/**
 * Many leases in one transaction (at most MAX_WRITES_PER_COMMIT claims: one
 * write each), with create-if-absent for each: all of them are taken, or,
 * when any book's lease exists (another run holds it, or left it stale),
 * none is, and `undefined` sends every book of the group down the
 * single-book path, which waits for, recovers or refuses each exactly as
 * when it is asked for alone. Creates are checked in one read of all the
 * group's documents (Firestore: one batched get), so the common case, no
 * conflict, is one round trip and one commit per group.
 */
export async function takeLeases(
  deps: RollbackDeps,
  claims: readonly LeaseClaim[],
): Promise<Map<string, HeldLease> | undefined> {
  if (claims.length > MAX_WRITES_PER_COMMIT)
    throw new RangeError(`at most ${MAX_WRITES_PER_COMMIT} leases per transaction (got ${claims.length})`);
  if (claims.length === 0) return new Map();
  try {
    return await deps.state.runTransaction(async (tx) => {
      const taken = new Map<string, HeldLease>();
      for (const claim of claims) {
        const doc = leaseDocFor(deps, claim);
        tx.create(COLLECTIONS.rollbackLeases, claim.isbn, doc);
        taken.set(claim.isbn, { isbn: claim.isbn, doc });
      }
      return taken;
    });
  } catch (err) {
    if (err instanceof ConflictError) return undefined;
    throw err;
  }
}

/**
 * Takes over a stale lease for recovery, keeping its run ids and intent so
 * the record lands on the interrupted run. Undefined when someone else got
 * there first (it is no longer the same stale lease).
 */
export async function takeOverLease(
  deps: RollbackDeps,
  stale: RollbackLease,
  force: boolean,
): Promise<HeldLease | undefined> {
  const { leaseTtlMs } = rollbackOptions(deps);
  return deps.state.runTransaction(async (tx) => {
    const current = (await tx.get<RollbackLease>(COLLECTIONS.rollbackLeases, stale.isbn))?.data;
    const now = deps.clock.now();
    const same =
      isHeld(current) &&
      current.holder === stale.holder &&
      current.rollbackId === stale.rollbackId &&
      current.acquiredAt === stale.acquiredAt;
    if (!same || !isStale(current, now, deps.liveness, force)) return undefined;
    const doc: RollbackLease = {
      ...current,
      holder: deps.holder,
      expiresAt: new Date(now.getTime() + leaseTtlMs).toISOString(),
      held: true,
    };
    tx.set(COLLECTIONS.rollbackLeases, stale.isbn, doc);
    return { isbn: stale.isbn, doc };
  });
}

/** Records the intents of many held books in one batch, before any of them is switched. */
export async function writeIntents(
  deps: RollbackDeps,
  leases: ReadonlyArray<{ lease: HeldLease; intent: RollbackIntent }>,
): Promise<void> {
  if (leases.length === 0) return;
  // These leases are ours and fresh (the caller renewed any past half-life), so no per-book transaction is needed.
  await deps.state.batchSet(
    leases.map(({ lease, intent }) => {
      lease.doc = { ...lease.doc, intent };
      return { collection: COLLECTIONS.rollbackLeases, id: lease.isbn, data: lease.doc };
    }),
  );
}

/** Extends a lease that has used half its time; false when it is no longer ours. */
export async function renewIfAgeing(deps: RollbackDeps, lease: HeldLease): Promise<boolean> {
  const { leaseTtlMs } = rollbackOptions(deps);
  const now = deps.clock.now();
  if (Date.parse(lease.doc.expiresAt) - now.getTime() > leaseTtlMs / 2) return true;
  return deps.state.runTransaction(async (tx) => {
    const current = (await tx.get<RollbackLease>(COLLECTIONS.rollbackLeases, lease.isbn))?.data;
    if (!isHeld(current) || current.holder !== deps.holder || current.rollbackId !== lease.doc.rollbackId) {
      return false;
    }
    const doc = { ...current, expiresAt: new Date(now.getTime() + leaseTtlMs).toISOString() };
    tx.set(COLLECTIONS.rollbackLeases, lease.isbn, doc);
    lease.doc = doc;
    return true;
  });
}

/** A book's serving history (empty when none was recorded). */
export async function readHistory(state: StateStore, isbn: string): Promise<ServingHistoryEntry[]> {
  const doc = await state.get<RollbackLease>(COLLECTIONS.rollbackLeases, historyDocId(isbn));
  return doc?.data.servingHistory ?? [];
}

/** The history document's content: a RollbackLease that is never held. */
export function historyDoc(isbn: string, history: ServingHistoryEntry[], at: string): RollbackLease {
  return {
    isbn,
    holder: 'serving-history',
    requestId: 'serving-history',
    expiresAt: at,
    held: false,
    servingHistory: history,
  };
}

/** What `finishBook` writes when a book is done. */
export interface FinishBook {
  lease: HeldLease;
  record: RollbackRecord;
  /** The serving history to keep, when it changed. */
  history?: ServingHistoryEntry[];
  /** False keeps the lease and its intent (the book is not consistent: recovery must see it). */
  release: boolean;
}

/**
 * Writes the book's audit record, its history, and releases its lease in one
 * transaction, so a book is never released without its record. Returns false
 * when the lease was no longer ours (taken over after expiry): the record is
 * still written, the other holder's lease and the history are left alone.
 */
export async function finishBook(deps: RollbackDeps, finish: FinishBook): Promise<boolean> {
  return deps.state.runTransaction(async (tx) => {
    const current = (await tx.get<RollbackLease>(COLLECTIONS.rollbackLeases, finish.lease.isbn))?.data;
    return writeFinish(tx, deps, finish, current, deps.clock.now().toISOString());
  });
}

/**
 * `finishBook` for many books in one transaction (at most
 * MAX_WRITES_PER_COMMIT / WRITES_PER_FINISH of them): each book's record,
 * history and release are written exactly as `finishBook` writes them, all
 * books committed together or none. Answers, per book, whether the lease was
 * still ours.
 */
export async function finishBooks(deps: RollbackDeps, finishes: readonly FinishBook[]): Promise<boolean[]> {
  if (finishes.length * WRITES_PER_FINISH > MAX_WRITES_PER_COMMIT)
    throw new RangeError(
      `at most ${Math.floor(MAX_WRITES_PER_COMMIT / WRITES_PER_FINISH)} books per finish transaction (got ${finishes.length})`,
    );
  if (finishes.length === 0) return [];
  return deps.state.runTransaction(async (tx) => {
    const found = await tx.getAll<RollbackLease>(
      finishes.map(({ lease }) => ({ collection: COLLECTIONS.rollbackLeases, id: lease.isbn })),
    );
    const at = deps.clock.now().toISOString();
    return finishes.map((finish, i) => writeFinish(tx, deps, finish, found[i]?.data, at));
  });
}

/** One book's finishing writes inside a transaction, given its lease as read there; true when it was ours. */
function writeFinish(
  tx: Transaction,
  deps: RollbackDeps,
  finish: FinishBook,
  current: RollbackLease | undefined,
  at: string,
): boolean {
  const { lease, record } = finish;
  const ours =
    isHeld(current) && current.holder === deps.holder && current.rollbackId === lease.doc.rollbackId;
  tx.set(COLLECTIONS.rollbackRecords, rollbackRecordDocId(record.rollbackId, record.isbn), record);
  if (!ours) return false;
  if (finish.history)
    tx.set(COLLECTIONS.rollbackLeases, historyDocId(lease.isbn), historyDoc(lease.isbn, finish.history, at));
  if (finish.release) tx.delete(COLLECTIONS.rollbackLeases, lease.isbn);
  return true;
}

/** Gives a lease back without a record (a run that stopped before changing anything). Never throws. */
export async function releaseUnchanged(deps: RollbackDeps, lease: HeldLease): Promise<void> {
  try {
    await deps.state.runTransaction(async (tx) => {
      const current = (await tx.get<RollbackLease>(COLLECTIONS.rollbackLeases, lease.isbn))?.data;
      if (!isHeld(current) || current.holder !== deps.holder || current.rollbackId !== lease.doc.rollbackId)
        return;
      if (current.intent) return; // an intent means recovery must look at the book: keep it
      tx.delete(COLLECTIONS.rollbackLeases, lease.isbn);
    });
  } catch (err) {
    deps.logger.warning(
      `could not release the lease on ISBN ${lease.isbn}; it expires at ${lease.doc.expiresAt}`,
      {
        error: err,
      },
    );
  }
}
