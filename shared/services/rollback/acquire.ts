/**
 * Getting a book for a run: first this process's queue for the book, then
 * the StateStore lease. A lease held by a live run is waited for (polling
 * with a plain read, so waiting costs no transactions) up to `leaseWaitMs`;
 * a stale one is recovered first, then taken.
 */
import type { RollbackLease } from '../../contracts/documents/rollback';
import { COLLECTIONS } from '../../contracts/collections';
import { BookLocks } from './book-locks';
import type { RollbackDeps } from './deps';
import { rollbackOptions } from './deps';
import { isHeld, isStale, tryTakeLease, type HeldLease, type LeaseClaim } from './leases';
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
