/**
 * The StateStore contract: what every adapter (SQLite file, Firestore on the
 * emulator) must do the same way. Each case prints a figure; figures are
 * never asserted on. Query cases live in state-store-query.contract.ts.
 */
import { BackendUnavailableError, ConflictError, ValidationError } from '../../shared/errors';
import {
  documentSize,
  MAX_DOCUMENT_BYTES,
  MAX_FIELD_VALUE_BYTES,
  type Query,
  type StateStore,
  type WhereOp,
} from '../../shared/ports/state-store';
import { reportFigure } from '../helpers/figures';
import { describeStateStoreQueryCases } from './state-store-query.contract';

export interface StateStoreUnderTest {
  store: StateStore;
  /** Closes every store it made (close is idempotent) and removes their data. */
  cleanup(): Promise<void>;
  /** A process restart: a new store on the same storage, after `store` was closed. */
  reopen?: () => Promise<StateStore>;
}

interface WithStats {
  transactionStats(): { transactions: number; attempts: number };
}

function hasStats(store: StateStore): store is StateStore & WithStats {
  return typeof (store as Partial<WithStats>).transactionStats === 'function';
}

/** A promise the test opens by hand, to hold a transaction open at a known point. */
function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection, but the call resolved');
}

export function describeStateStoreContract(
  label: string,
  makeStore: () => Promise<StateStoreUnderTest>,
): void {
  const suite = `state-store[${label}]`;

  describe(`StateStore contract: ${label}`, () => {
    let ctx: StateStoreUnderTest;
    let store: StateStore;

    beforeEach(async () => {
      ctx = await makeStore();
      store = ctx.store;
    });
    afterEach(async () => {
      await ctx.cleanup();
    });

    it('round-trips set, get and delete; a missing document is undefined', async () => {
      expect(await store.get('alerts', 'nope')).toBeUndefined();
      const started = Date.now();
      await store.set('alerts', 'fp-1', {
        kind: 'rmse_spike',
        notifyCount: 1,
        details: { rmse: 91.5, tags: ['a'] },
      });
      const first = await store.get('alerts', 'fp-1');
      expect(first).toEqual({
        id: 'fp-1',
        data: { kind: 'rmse_spike', notifyCount: 1, details: { rmse: 91.5, tags: ['a'] } },
        updateTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      });
      // set replaces the whole document; it does not merge.
      await store.set('alerts', 'fp-1', { kind: 'mape_increase', skipped: undefined });
      const second = await store.get('alerts', 'fp-1');
      expect(second?.data).toEqual({ kind: 'mape_increase' });
      expect(second!.updateTime >= first!.updateTime).toBe(true);
      await store.delete('alerts', 'fp-1');
      await store.delete('alerts', 'never-existed');
      expect(await store.get('alerts', 'fp-1')).toBeUndefined();
      reportFigure(suite, 'round-trip', `set+get+set+get+delete+get in ${Date.now() - started} ms`);
    });

    it('create-if-absent: of 50 concurrent callers exactly one wins', async () => {
      const started = Date.now();
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => store.create('leases', 'rollback-9780722532935', { owner: i })),
      );
      const elapsed = Date.now() - started;
      const winners = results.flatMap((won, i) => (won ? [i] : []));
      expect(winners).toHaveLength(1);
      expect((await store.get('leases', 'rollback-9780722532935'))?.data).toEqual({ owner: winners[0] });
      expect(await store.create('leases', 'rollback-9780722532935', { owner: 'late' })).toBe(false);
      reportFigure(suite, 'create-if-absent-x50', `winners ${winners.length} of 50 in ${elapsed} ms`);
    });

    it('compare-and-set: 50 concurrent read-increment-write transactions lose no update', async () => {
      await store.set('counters', 'c', { n: 0 });
      const before = hasStats(store) ? store.transactionStats() : undefined;
      const started = Date.now();
      const written = await Promise.all(
        Array.from({ length: 50 }, () =>
          store.runTransaction(async (tx) => {
            const doc = await tx.get<{ n: number }>('counters', 'c');
            const next = (doc?.data.n ?? 0) + 1;
            tx.set('counters', 'c', { n: next });
            return next;
          }),
        ),
      );
      const elapsed = Date.now() - started;
      expect((await store.get('counters', 'c'))?.data).toEqual({ n: 50 });
      // Each committed transaction saw the one before it: the values written are exactly 1..50.
      expect([...written].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      let retries = 'not counted';
      if (before && hasStats(store)) {
        const after = store.transactionStats();
        retries = String(after.attempts - before.attempts - (after.transactions - before.transactions));
      }
      reportFigure(suite, 'cas-x50', `final ${50} in ${elapsed} ms, retries ${retries}`);
    });

    it('a transaction that throws writes nothing and rejects with its own error', async () => {
      await store.set('counters', 'c', { n: 7 });
      const boom = new Error('boom');
      const err = await rejection(
        store.runTransaction(async (tx) => {
          const doc = await tx.get<{ n: number }>('counters', 'c');
          tx.set('counters', 'c', { n: doc!.data.n + 1 });
          tx.set('audit', 'a1', { by: 'test' });
          tx.delete('counters', 'c');
          throw boom;
        }),
      );
      expect(err).toBe(boom);
      expect((await store.get('counters', 'c'))?.data).toEqual({ n: 7 });
      expect(await store.get('audit', 'a1')).toBeUndefined();
      reportFigure(suite, 'tx-throws', 'nothing written');
    });

    it('tx.create of an existing document fails the whole transaction with ConflictError', async () => {
      await store.set('lkg', '9780722532935', { version: '21' });
      const started = Date.now();
      const err = await rejection(
        store.runTransaction(async (tx) => {
          tx.set('audit', 'side-effect', { by: 'test' });
          tx.create('lkg', '9780722532935', { version: '22' });
        }),
      );
      expect(err).toBeInstanceOf(ConflictError);
      expect((err as ConflictError).retryable).toBe(false);
      expect(String((err as Error).message)).toContain('lkg/9780722532935');
      expect((await store.get('lkg', '9780722532935'))?.data).toEqual({ version: '21' });
      expect(await store.get('audit', 'side-effect')).toBeUndefined();
      // On an absent document tx.create creates it, and a delete earlier in the same transaction makes it absent.
      await store.runTransaction(async (tx) => {
        tx.create('lkg', '9780241003008', { version: '3' });
        tx.delete('lkg', '9780722532935');
        tx.create('lkg', '9780722532935', { version: '23' });
      });
      expect((await store.get('lkg', '9780241003008'))?.data).toEqual({ version: '3' });
      expect((await store.get('lkg', '9780722532935'))?.data).toEqual({ version: '23' });
      reportFigure(
        suite,
        'tx-create-conflict',
        `ConflictError, nothing written, in ${Date.now() - started} ms`,
      );
    });

    it('a transaction must read before it writes', async () => {
      const err = await rejection(
        store.runTransaction(async (tx) => {
          tx.set('audit', 'a1', { by: 'test' });
          await tx.get('audit', 'a2');
        }),
      );
      expect(err).toBeInstanceOf(ValidationError);
      expect(String((err as Error).message)).toContain('all reads must come before any write');
      expect(await store.get('audit', 'a1')).toBeUndefined();
      reportFigure(suite, 'tx-read-after-write', 'rejected, nothing written');
    });

    it('tx.getAll reads many documents in order (expired and missing ones undefined), before any write', async () => {
      const past = new Date(Date.now() - 60_000).toISOString();
      await store.set('leases', 'b1', { n: 1 });
      await store.set('leases', 'b3', { n: 3 });
      await store.set('leases', 'b4', { n: 4, expireAt: past });
      const read = await store.runTransaction(async (tx) => {
        const docs = await tx.getAll<{ n: number }>([
          { collection: 'leases', id: 'b3' },
          { collection: 'leases', id: 'b2' },
          { collection: 'leases', id: 'b1' },
          { collection: 'leases', id: 'b4' },
        ]);
        tx.set('leases', 'seen', { ids: docs.map((d) => d?.id ?? null) });
        return docs.map((d) => d?.data.n ?? null);
      });
      expect(read).toEqual([3, null, 1, null]);
      expect((await store.get('leases', 'seen'))?.data).toEqual({ ids: ['b3', null, 'b1', null] });
      expect(await store.runTransaction((tx) => tx.getAll([]))).toEqual([]);
      const late = await rejection(
        store.runTransaction(async (tx) => {
          tx.set('leases', 'b5', { n: 5 });
          await tx.getAll([{ collection: 'leases', id: 'b1' }]);
        }),
      );
      expect(late).toBeInstanceOf(ValidationError);
      expect(String((late as Error).message)).toContain('all reads must come before any write');
      const bad = await rejection(
        store.runTransaction((tx) => tx.getAll([{ collection: 'leases', id: 'a/b' }])),
      );
      expect(bad).toBeInstanceOf(ValidationError);
      expect(await store.get('leases', 'b5')).toBeUndefined();
    });

    it('calls made outside an open transaction neither join it nor are lost with it', async () => {
      await store.set('counters', 'c', { n: 1 });
      const held = gate();
      const reading = gate();
      const failing = store.runTransaction(async (tx) => {
        const doc = await tx.get<{ n: number }>('counters', 'c');
        reading.open();
        await held.wait;
        tx.set('counters', 'c', { n: doc!.data.n + 100 });
        throw new Error('rolled back');
      });
      await reading.wait;
      // A read while the transaction is open answers at once with committed data.
      expect((await store.get('counters', 'c'))?.data).toEqual({ n: 1 });
      const outsideWrite = store.set('notes', 'outside', { written: 'while a transaction was open' });
      held.open();
      await expect(failing).rejects.toThrow('rolled back');
      await outsideWrite;
      expect((await store.get('notes', 'outside'))?.data).toEqual({
        written: 'while a transaction was open',
      });
      expect((await store.get('counters', 'c'))?.data).toEqual({ n: 1 });

      // And a committing transaction keeps exactly its own writes beside the outside one.
      const committing = store.runTransaction(async (tx) => {
        const doc = await tx.get<{ n: number }>('counters', 'c');
        tx.set('counters', 'c', { n: doc!.data.n + 1 });
      });
      await Promise.all([committing, store.set('notes', 'second', { ok: true })]);
      expect((await store.get('counters', 'c'))?.data).toEqual({ n: 2 });
      expect((await store.get('notes', 'second'))?.data).toEqual({ ok: true });
      reportFigure(suite, 'outside-calls-during-tx', 'outside write kept, rolled-back writes gone');
    });

    it('rejects bad input with a ValidationError naming the field and the reason', async () => {
      const cases: Array<[() => Promise<unknown>, string, string]> = [
        [() => store.set('alerts', 'a/b', { x: 1 }), 'id', 'must not contain "/"'],
        [() => store.get('', 'x'), 'collection', 'non-empty'],
        [() => store.set('alerts', 'x', { n: Number.NaN }), 'data.n', 'finite number'],
        [() => store.set('alerts', 'x', { at: new Date() }), 'data.at', 'ISO string'],
        [() => store.create('alerts', 'x', { expireAt: 'tomorrow' }), 'data.expireAt', 'ISO 8601'],
        [() => store.set('alerts', 'x', { expireAtTs: 1 }), 'data.expireAtTs', 'reserved'],
        [() => store.set('alerts', 'x', { grid: [[1]] }), 'data.grid[0]', 'array inside an array'],
        [
          () => store.query('alerts', { where: [{ field: 'a.b', op: '==', value: 1 }] }),
          'query.where[0].field',
          'top-level',
        ],
        [
          () => store.query('alerts', { where: [{ field: 'a', op: 'like' as WhereOp, value: 1 }] }),
          'query.where[0].op',
          'one of',
        ],
        [
          () => store.query('alerts', { where: [{ field: 'a', op: 'in', value: [] }] }),
          'query.where[0].value',
          '1 to 30',
        ],
        [
          () => store.query('alerts', { where: [{ field: 'a', op: '<', value: null }] }),
          'query.where[0].value',
          'null',
        ],
        [() => store.query('alerts', { limit: 0 }), 'query.limit', 'positive integer'],
        [
          () => store.query('alerts', { orderBy: { field: 'a', direction: 'up' } } as unknown as Query),
          'query.orderBy.direction',
          '"asc" or "desc"',
        ],
        [
          () => store.runTransaction(async (tx) => tx.set('alerts', 'x', { f: () => 1 } as never)),
          'data.f',
          'got a function',
        ],
        [
          () =>
            store.batchSet([
              { collection: 'alerts', id: 'ok', data: {} },
              { collection: 'alerts', id: '..', data: {} },
            ]),
          'writes[1].id',
          '"." or ".."',
        ],
      ];
      for (const [call, field, reason] of cases) {
        const err = await rejection(call());
        expect(err).toBeInstanceOf(ValidationError);
        expect((err as ValidationError).fields).toEqual([field]);
        expect((err as Error).message).toContain(field);
        expect((err as Error).message).toContain(reason);
      }
      expect(await store.query('alerts')).toEqual([]);
      reportFigure(suite, 'validation', `${cases.length} bad inputs rejected with field and reason`);
    });

    it('stores a document of exactly MAX_DOCUMENT_BYTES as Firestore counts it, and refuses one byte more', async () => {
      // Two fields: one string alone may hold at most MAX_FIELD_VALUE_BYTES.
      const filled = (room: number, fill = 'x') => {
        const half = Math.floor(room / 2);
        return { a: fill.repeat(half), b: fill.repeat(room - half) };
      };
      const room = MAX_DOCUMENT_BYTES - documentSize('alerts', 'big', { a: '', b: '' });
      await store.set('alerts', 'big', filled(room));
      // An expiring document also carries Firestore's expireAtTs copy (8 bytes and its name).
      const expireAt = '2999-01-01T00:00:00.000Z';
      const roomExpiring =
        MAX_DOCUMENT_BYTES - documentSize('alerts', 'ttl', { expireAt, expireAtTs: 0, a: '', b: '' });
      await store.set('alerts', 'ttl', { expireAt, ...filled(roomExpiring) });
      const over: Array<[() => Promise<unknown>, string, string]> = [
        [() => store.set('alerts', 'big', filled(room + 1)), 'data', `at most ${MAX_DOCUMENT_BYTES}`],
        [
          () => store.set('alerts', 'ttl', { expireAt, ...filled(roomExpiring + 1) }),
          'data',
          `at most ${MAX_DOCUMENT_BYTES}`,
        ],
        [
          () => store.batchSet([{ collection: 'alerts', id: 'big', data: filled(room + 1, 'y') }]),
          'writes[0].data',
          `at most ${MAX_DOCUMENT_BYTES}`,
        ],
        [
          () => store.runTransaction(async (tx) => tx.set('alerts', 'big', filled(room + 1, 'z'))),
          'data',
          `at most ${MAX_DOCUMENT_BYTES}`,
        ],
        [
          () => store.set('alerts', 'one', { blob: 'x'.repeat(MAX_FIELD_VALUE_BYTES + 1) }),
          'data.blob',
          `at most ${MAX_FIELD_VALUE_BYTES}`,
        ],
      ];
      for (const [call, field, reason] of over) {
        const err = await rejection(call());
        expect(err).toBeInstanceOf(ValidationError);
        expect((err as ValidationError).fields).toEqual([field]);
        expect((err as Error).message).toContain(reason);
      }
      expect((await store.get('alerts', 'big'))?.data).toEqual(filled(room));
      await store.set('alerts', 'one', { blob: 'x'.repeat(MAX_FIELD_VALUE_BYTES) });
      reportFigure(suite, 'document size', `${MAX_DOCUMENT_BYTES} bytes stored, one more refused`);
    });

    it('batchSet lands 500 documents together, and a batch with one bad write lands none', async () => {
      const docs: Array<{ collection: string; id: string; data: Record<string, unknown> }> = Array.from(
        { length: 500 },
        (_, i) => ({
          collection: 'backups',
          id: `b-${String(i).padStart(3, '0')}`,
          data: { isbn: `978000000${String(i).padStart(4, '0')}`, version: String(i % 30) },
        }),
      );
      const started = Date.now();
      await store.batchSet(docs);
      const elapsed = Date.now() - started;
      const stored = await store.query('backups');
      expect(stored.map((d) => d.id)).toEqual(docs.map((d) => d.id));
      expect(stored[499]?.data).toEqual(docs[499]!.data);

      const poisoned = docs.map((d) => ({ ...d, collection: 'backups-2' }));
      poisoned[499] = { ...poisoned[499]!, data: { isbn: 'x', bad: Number.POSITIVE_INFINITY } };
      const err = await rejection(store.batchSet(poisoned));
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).fields).toEqual(['writes[499].data.bad']);
      expect(await store.query('backups-2')).toEqual([]);
      reportFigure(suite, 'batch-500', `500 docs in ${elapsed} ms; a batch with one bad write wrote 0`);
    });

    it('hides expired documents (TTL) from get, query and transactions, and lets create take them over', async () => {
      const now = Date.now();
      const past = new Date(now - 60_000).toISOString();
      const future = new Date(now + 3_600_000).toISOString();
      await store.set('processed', 'm-old', { at: 1, expireAt: past });
      await store.set('processed', 'm-new', { at: 2, expireAt: future });
      await store.set('processed', 'm-kept', { at: 3 });
      expect(await store.get('processed', 'm-old')).toBeUndefined();
      expect((await store.get('processed', 'm-new'))?.data).toEqual({ at: 2, expireAt: future });
      expect((await store.query('processed')).map((d) => d.id)).toEqual(['m-kept', 'm-new']);
      // The expired one sorts first; a limited query still returns the live ones.
      const firstTwo = await store.query('processed', { orderBy: { field: 'at' }, limit: 2 });
      expect(firstTwo.map((d) => d.id)).toEqual(['m-new', 'm-kept']);
      expect(await store.runTransaction((tx) => tx.get('processed', 'm-old'))).toBeUndefined();
      expect(await store.create('processed', 'm-old', { at: 4 })).toBe(true);
      expect((await store.get('processed', 'm-old'))?.data).toEqual({ at: 4 });
      expect(await store.create('processed', 'm-new', { at: 5 })).toBe(false);
      reportFigure(suite, 'ttl', 'expired doc hidden from get/query/tx and re-creatable');
    });

    it('keeps writes across a restart (close and reopen)', async () => {
      if (!ctx.reopen) throw new Error(`${label}: the contract needs reopen() to check durability`);
      await store.set('lkg', '9780722532935', { version: '22' });
      await store.batchSet([{ collection: 'audit', id: 'r1', data: { ok: true } }]);
      await store.runTransaction(async (tx) => tx.set('counters', 'c', { n: 3 }));
      await store.close();
      await store.close();
      const closedErr = await rejection(store.get('lkg', '9780722532935'));
      expect(closedErr).toBeInstanceOf(BackendUnavailableError);
      expect((closedErr as BackendUnavailableError).retryable).toBe(false);
      const started = Date.now();
      const again = await ctx.reopen();
      expect((await again.get('lkg', '9780722532935'))?.data).toEqual({ version: '22' });
      expect((await again.get('audit', 'r1'))?.data).toEqual({ ok: true });
      expect((await again.get('counters', 'c'))?.data).toEqual({ n: 3 });
      reportFigure(suite, 'restart', `reopened and read back 3 writes in ${Date.now() - started} ms`);
    });

    describeStateStoreQueryCases(suite, () => store);
  });
}
