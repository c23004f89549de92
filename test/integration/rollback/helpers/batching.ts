/**
 * A run's state writes are grouped across books (shared/services/rollback/groups.ts):
 * leases a group per transaction, finished books a group per transaction with
 * each book's record, history and release in the same one; a book another run
 * holds is still refused on its own; no transaction passes Firestore's 500 writes.
 * Written once, run on the embedded backend and with the StateStore on the
 * Firestore emulator (which takes the 498-write groups and the batched reads).
 */
import { COLLECTIONS } from '../../../../shared/contracts/collections';
import { rollbackRecordDocId, type RollbackLease } from '../../../../shared/contracts/documents/rollback';
import { applyRollback, type RollbackResult } from '../../../../shared/services/rollback';
import { acquireBooks, type Acquired } from '../../../../shared/services/rollback/acquire';
import { FinishGroups } from '../../../../shared/services/rollback/finish-groups';
import {
  commitGroups,
  FINISH_GROUP_BOOKS,
  LEASE_GROUP_BOOKS,
  MAX_WRITES_PER_COMMIT,
} from '../../../../shared/services/rollback/groups';
import { takeLeases } from '../../../../shared/services/rollback/leases';
import { nextIsbn } from '../../../builders/model';
import { countingStore } from './counting-store';
import type { StateStore } from '../../../../shared/ports/state-store';
import { openWorld, seedFleet, servingOf, type TestWorld } from './fleet';
import { aRequest } from './scenarios';

export function describeBatching(label: string, makeState: () => StateStore | undefined): void {
  describe(`rollback groups its state writes across books [${label}]`, () => {
    let world: TestWorld;
    afterEach(async () => world?.close());

    it('leases and finishes a 50-book run in a few transactions, each book recorded, historied and released together', async () => {
      world = await openWorld(makeState());
      const fleet = await seedFleet(world, 50);
      const counting = countingStore(world.state);
      const result = (await applyRollback(
        aRequest({ scope: { all: true } }),
        ...world.parts({ state: counting.store }),
      )) as RollbackResult;

      expect(result.results.map((r) => r.status)).toEqual(fleet.map(() => 'succeeded'));
      const leaseTx = counting.transactions.filter((t) => t.writes.every((w) => w.kind === 'create'));
      const finishTx = counting.transactions.filter((t) => t.writes.some((w) => w.kind === 'delete'));
      // One lease transaction for 50 books; finished books share commits (per book before: 100 transactions in all).
      expect(leaseTx).toHaveLength(Math.ceil(50 / LEASE_GROUP_BOOKS));
      expect(finishTx.length).toBeGreaterThanOrEqual(Math.ceil(50 / FINISH_GROUP_BOOKS));
      expect(counting.transactions.length).toBeLessThanOrEqual(10);
      expect(counting.calls.create).toBe(1); // the run's claim only: no per-book lease create
      expect(counting.calls.get).toBe(1); // the run's head: histories and pointers come by query, not a read per book

      for (const { isbn } of fleet) {
        const record = `${COLLECTIONS.rollbackRecords}/${rollbackRecordDocId(result.rollbackId, isbn)}`;
        const tx = finishTx.filter((t) => t.writes.some((w) => w.doc === record));
        expect(tx).toHaveLength(1);
        expect(tx[0]!.writes).toEqual(
          expect.arrayContaining([
            { kind: 'set', doc: record },
            { kind: 'set', doc: `${COLLECTIONS.rollbackLeases}/${isbn}:history` },
            { kind: 'delete', doc: `${COLLECTIONS.rollbackLeases}/${isbn}` },
          ]),
        );
      }
      const held = await world.state.query(COLLECTIONS.rollbackLeases, {
        where: [{ field: 'held', op: '==', value: true }],
      });
      expect(held).toEqual([]);
    });

    it('refuses only the book another run holds, and leaves that run its lease', async () => {
      world = await openWorld(makeState());
      const fleet = await seedFleet(world, 12);
      const busy = fleet[5]!.isbn;
      const theirs: RollbackLease = {
        isbn: busy,
        holder: 'other@host:1',
        requestId: 'req-other',
        rollbackId: 'rb-other',
        backupId: 'bk-other',
        expiresAt: new Date(world.backend.clock.now().getTime() + 600_000).toISOString(),
        held: true,
        acquiredAt: world.backend.clock.now().toISOString(),
      };
      await world.state.set(COLLECTIONS.rollbackLeases, busy, theirs);
      const before = await servingOf(world, busy);

      const result = (await applyRollback(
        aRequest({ scope: { all: true } }),
        ...world.parts({ options: { leaseWaitMs: 200 } }),
      )) as RollbackResult;

      const byIsbn = new Map(result.results.map((r) => [r.isbn, r]));
      expect(byIsbn.get(busy)).toMatchObject({ status: 'failed' });
      expect(byIsbn.get(busy)?.error).toMatch(/is busy: rollback rb-other \(other@host:1\) holds it/);
      for (const { isbn } of fleet.filter((b) => b.isbn !== busy))
        expect(byIsbn.get(isbn)?.status).toBe('succeeded');
      expect(await servingOf(world, busy)).toEqual(before);
      expect((await world.state.get(COLLECTIONS.rollbackLeases, busy))?.data).toEqual(theirs);
    });

    it('splits 600 leases and 400 finishes into transactions of at most 500 writes', async () => {
      world = await openWorld(makeState());
      const counting = countingStore(world.state);
      const deps = world.deps({ state: counting.store });
      const claims = Array.from({ length: 600 }, () => ({
        isbn: nextIsbn(),
        rollbackId: 'rb-split',
        requestId: 'req-split',
        backupId: 'bk-split',
      }));
      const got = new Map<string, Acquired>();
      await acquireBooks(deps, claims, 'corr-split', async (isbn, a) => void got.set(isbn, a));
      expect([...got.values()].every((a) => a.ok)).toBe(true);
      expect(counting.transactions.map((t) => t.writes.length)).toEqual([250, 250, 100]);

      counting.transactions.length = 0;
      // Asked for groups of 400 books (1,200 writes): committed in groups that fit 500 writes.
      const groups = new FinishGroups(deps, { groupBooks: 400 });
      const finished = claims.slice(0, 400).map((claim) => {
        const acquired = got.get(claim.isbn);
        if (!acquired?.ok) throw new Error(`not leased: ${claim.isbn}`);
        const record = {
          rollbackId: 'rb-split',
          requestId: 'req-split',
          isbn: claim.isbn,
          from: '2',
          to: '1',
          status: 'skipped' as const,
          at: world.backend.clock.now().toISOString(),
        };
        return groups.finish({ lease: acquired.lease, record: record as never, release: true });
      });
      expect(await Promise.all(finished)).toEqual(claims.slice(0, 400).map(() => true));
      // The first book commits at once (no commit in flight), the 399 handed in meanwhile in groups of
      // 166 (3 writes each at most); these have no history to write: record and release, 2 writes each.
      // The groups commit concurrently, so they may land in any order.
      expect(counting.transactions.map((t) => t.writes.length).sort((a, b) => a - b)).toEqual([
        2, 134, 332, 332,
      ]);
      for (const t of counting.transactions)
        expect(t.writes.length).toBeLessThanOrEqual(MAX_WRITES_PER_COMMIT);
      for (const a of got.values()) if (a.ok) a.unlock();
    });

    it('refuses a lease transaction or a group beyond the limit, and sizes groups by writes', async () => {
      world = await openWorld(makeState());
      const claims = Array.from({ length: 501 }, (_, i) => ({
        isbn: `isbn-${i}`,
        rollbackId: 'r',
        requestId: 'q',
        backupId: 'b',
      }));
      await expect(takeLeases(world.deps(), claims)).rejects.toThrow(
        /at most 500 leases per transaction \(got 501\)/,
      );
      expect(commitGroups([1, 2, 3, 4, 5], 2, 1)).toEqual([[1, 2], [3, 4], [5]]);
      expect(
        commitGroups(
          Array.from({ length: 400 }, (_, i) => i),
          1000,
          3,
        ).map((g) => g.length),
      ).toEqual([166, 166, 68]);
      expect(() => commitGroups([1], 10, 501)).toThrow(
        /writes per item must be a whole number from 1 to 500 \(got 501\)/,
      );
    });
  });
}
