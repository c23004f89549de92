/**
 * A StateStore that records every transaction it commits (the documents each
 * one wrote) and counts the other calls, to prove how a run groups its writes.
 */
import type { StateStore, Transaction } from '../../../../shared/ports/state-store';

/** One committed transaction: the documents it wrote, as `collection/id`, with the kind of write. */
export interface CommittedTx {
  writes: Array<{ kind: 'create' | 'set' | 'delete'; doc: string }>;
}

export interface CountingStore {
  store: StateStore;
  transactions: CommittedTx[];
  calls: { get: number; query: number; create: number; set: number; delete: number; batchSet: number };
}

export function countingStore(inner: StateStore): CountingStore {
  const transactions: CommittedTx[] = [];
  const calls = { get: 0, query: 0, create: 0, set: 0, delete: 0, batchSet: 0 };
  const store: StateStore = {
    get: (c, id) => (calls.get++, inner.get(c, id)),
    query: (c, q) => (calls.query++, inner.query(c, q)),
    create: (c, id, d) => (calls.create++, inner.create(c, id, d)),
    set: (c, id, d) => (calls.set++, inner.set(c, id, d)),
    delete: (c, id) => (calls.delete++, inner.delete(c, id)),
    batchSet: (w) => (calls.batchSet++, inner.batchSet(w)),
    runTransaction: async (fn) => {
      let attempt: CommittedTx = { writes: [] };
      const result = await inner.runTransaction((tx: Transaction) => {
        attempt = { writes: [] };
        const note = (kind: 'create' | 'set' | 'delete', c: string, id: string) =>
          attempt.writes.push({ kind, doc: `${c}/${id}` });
        return fn({
          get: (c, id) => tx.get(c, id),
          getAll: (refs) => tx.getAll(refs),
          create: (c, id, d) => (note('create', c, id), tx.create(c, id, d)),
          set: (c, id, d) => (note('set', c, id), tx.set(c, id, d)),
          delete: (c, id) => (note('delete', c, id), tx.delete(c, id)),
        });
      });
      transactions.push(attempt);
      return result;
    },
    close: () => inner.close(),
  };
  return { store, transactions, calls };
}
