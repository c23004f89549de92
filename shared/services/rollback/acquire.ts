/**
 * Getting a book for a run: first this process's queue for the book, then
 * the StateStore lease. A lease held by a live run is waited for (polling
 * with a plain read, so waiting costs no transactions) up to `leaseWaitMs`;
 * a stale one is recovered first, then taken.
 *
 * Many books (`acquireBooks`) are first tried in groups, one transaction per
 * group (groups.ts) creating every lease of the group. A book queued in this
 * process, and every book of a group in which some lease already exists (held
 * by another run, or stale), then takes the single-book path above, so it is
 * waited for, recovered or refused exactly as when it is asked for alone.
 */
import type { RollbackLease } from '../../contracts/documents/rollback';
import { COLLECTIONS } from '../../contracts/collections';
import { BookLocks } from './book-locks';
import type { RollbackDeps } from './deps';
import { mapLimit, rollbackOptions } from './deps';
import { commitGroups, LEASE_GROUP_BOOKS } from './groups';
import { isHeld, isStale, takeLeases, tryTakeLease, type HeldLease, type LeaseClaim } from './leases';
import { recoverBook } from './recover';

/** One queue per process unless the caller brings its own. */
const processLocks = new BookLocks();

/** A book this run now holds (release the in-process queue with `unlock`), or why not. */
export type Acquired = { ok: true; lease: HeldLease; unlock: () => void } | { ok: false; reason: string };

/** Takes `claim.isbn` for a run, recovering a stale lease first; waits up to `leaseWaitMs`. */
export async function acquireBook(
  deps: RollbackDeps,
  claim: LeaseClaim,
  correlationId: string,
): Promise<Acquired> {
  const { leaseWaitMs } = rollbackOptions(deps);
  const deadline = performance.now() + leaseWaitMs;
  const unlock = await (deps.locks ?? processLocks).acquire(claim.isbn, leaseWaitMs);
  if (!unlock) {
    return {
      ok: false,
      reason: `ISBN ${claim.isbn} is busy: another rollback in this process held it for ${leaseWaitMs} ms`,
    };
  }
  return takeWithLock(deps, claim, correlationId, { unlock, deadline });
}

/**
 * Every claim's book, as `acquireBook` would give it (same order of steps,
 * same refusals), with the free ones taken a group per transaction; the rest
 * go the single-book way, `concurrency` at a time.
 */
export async function acquireBooks(
  deps: RollbackDeps,
  claims: readonly LeaseClaim[],
  correlationId: string,
  onAcquired: (isbn: string, acquired: Acquired) => Promise<void>,
): Promise<void> {
  const { leaseWaitMs, concurrency } = rollbackOptions(deps);
  const locks = deps.locks ?? processLocks;
  // Books left for the single-book path, with this process's queue already ours when it was free.
  const alone = new Map<string, { claim: LeaseClaim; unlock?: () => void }>();
  try {
    for (const group of commitGroups(claims, LEASE_GROUP_BOOKS, 1)) {
      const free = new Map<string, () => void>();
      for (const claim of group) {
        const unlock = locks.tryAcquire(claim.isbn);
        if (unlock) free.set(claim.isbn, unlock);
        else alone.set(claim.isbn, { claim });
      }
      const found = await tryGroup(deps, group, free);
      for (const claim of group) {
        const unlock = free.get(claim.isbn);
        if (!unlock) continue;
        const taken = found?.get(claim.isbn);
        if (taken) await onAcquired(claim.isbn, { ok: true, lease: taken, unlock });
        else alone.set(claim.isbn, { claim, unlock });
      }
    }
    await mapLimit([...alone.values()], concurrency, async ({ claim, unlock }) => {
      alone.delete(claim.isbn);
      const deadline = performance.now() + leaseWaitMs;
      const got = unlock
        ? await takeWithLock(deps, claim, correlationId, { unlock, deadline })
        : await acquireBook(deps, claim, correlationId);
      await onAcquired(claim.isbn, got);
    });
  } finally {
    // A run that stopped part-way gives back the queues of the books it never got to.
    for (const { unlock } of alone.values()) unlock?.();
  }
}

/** One group's transaction over the books this process had free; on failure, every book unlocked first. */
async function tryGroup(
  deps: RollbackDeps,
  group: readonly LeaseClaim[],
  free: Map<string, () => void>,
): Promise<Map<string, HeldLease> | undefined> {
  try {
    return await takeLeases(
      deps,
      group.filter((c) => free.has(c.isbn)),
    );
  } catch (err) {
    // Nothing of this group was taken: give the in-process queues back before the run stops.
    for (const unlock of free.values()) unlock();
    throw err;
  }
}

/** The lease part of `acquireBook`, once this process's queue for the book is ours. */
async function takeWithLock(
  deps: RollbackDeps,
  claim: LeaseClaim,
  correlationId: string,
  held: { unlock: () => void; deadline: number },
): Promise<Acquired> {
  const { unlock, deadline } = held;
  let pause = 20;
  let lastHeld: RollbackLease | undefined;
  try {
    for (;;) {
      const taken = await tryTakeLease(deps, claim);
      if (taken.kind === 'taken') return { ok: true, lease: taken.lease, unlock };
      if (taken.kind === 'free') continue;
      if (taken.kind === 'stale') {
        await recoverBook(taken.lease, deps, { correlationId });
        continue;
      }
      lastHeld = taken.lease;
      // Poll with plain reads until the lease looks free, so waiting takes no transaction (and no lock).
      for (;;) {
        if (performance.now() >= deadline) {
          unlock();
          return {
            ok: false,
            reason: `ISBN ${claim.isbn} is busy: rollback ${lastHeld.rollbackId ?? '?'} (${lastHeld.holder}) holds it until ${lastHeld.expiresAt}`,
          };
        }
        await deps.clock.sleep(pause * (0.5 + Math.random()));
        pause = Math.min(pause * 1.5, 250);
        const doc = (await deps.state.get<RollbackLease>(COLLECTIONS.rollbackLeases, claim.isbn))?.data;
        if (!isHeld(doc) || isStale(doc, deps.clock.now(), deps.liveness)) break;
        lastHeld = doc;
      }
    }
  } catch (err) {
    unlock();
    throw err;
  }
}
