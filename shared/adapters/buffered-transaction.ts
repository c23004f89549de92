/**
 * The Transaction handed to `runTransaction` callbacks by every StateStore
 * adapter. Reads go straight to the backend; writes are validated at once (so
 * a bad `tx.set` fails where it is written) and kept until the adapter
 * commits them. Firestore's rule that all reads come before any write is
 * enforced here for every adapter, so a callback that breaks it fails on a
 * laptop too, not first in production.
 */
import { ValidationError } from '../errors';
import type { DocData, StoredDoc, Transaction } from '../ports/state-store';
import { checkDocRef, encodeDocData } from './state-store-rules';

/** One buffered write; `json` and `expireAtMs` come from the validation done when it was made. */
export type BufferedWrite =
  | {
      kind: 'set' | 'create';
      collection: string;
      id: string;
      data: DocData;
      json: string;
      expireAtMs?: number;
    }
  | { kind: 'delete'; collection: string; id: string };

/** How many transactions ran and how many times their callbacks ran (attempts - transactions = retries). */
export interface TransactionStats {
  transactions: number;
  attempts: number;
}

export type TransactionReader = (collection: string, id: string) => Promise<StoredDoc | undefined>;

/** Many documents in one backend read; absent, `getAll` reads them one by one. */
export type TransactionBatchReader = (
  refs: ReadonlyArray<{ collection: string; id: string }>,
) => Promise<Array<StoredDoc | undefined>>;

export class BufferedTransaction implements Transaction {
  private readonly pending: BufferedWrite[] = [];

  constructor(
    private readonly read: TransactionReader,
    private readonly readMany?: TransactionBatchReader,
  ) {}

  async get<T extends DocData = DocData>(collection: string, id: string): Promise<StoredDoc<T> | undefined> {
    checkDocRef(collection, id);
    this.assertNoWrites(`${collection}/${id}`, 'tx.get');
    return (await this.read(collection, id)) as StoredDoc<T> | undefined;
  }

  async getAll<T extends DocData = DocData>(
    refs: ReadonlyArray<{ collection: string; id: string }>,
  ): Promise<Array<StoredDoc<T> | undefined>> {
    if (!Array.isArray(refs)) throw new ValidationError('state store: refs must be an array', ['tx.getAll']);
    refs.forEach((r, i) => checkDocRef(r?.collection, r?.id, `refs[${i}].`));
    if (refs.length === 0) return [];
    this.assertNoWrites(`${refs.length} documents`, 'tx.getAll');
    const docs = this.readMany
      ? await this.readMany(refs)
      : await Promise.all(refs.map((r) => this.read(r.collection, r.id)));
    return docs as Array<StoredDoc<T> | undefined>;
  }

  create(collection: string, id: string, data: DocData): void {
    this.write('create', collection, id, data);
  }

  set(collection: string, id: string, data: DocData): void {
    this.write('set', collection, id, data);
  }

  delete(collection: string, id: string): void {
    checkDocRef(collection, id);
    this.pending.push({ kind: 'delete', collection, id });
  }

  private assertNoWrites(what: string, field: string): void {
    if (this.pending.length > 0) {
      throw new ValidationError(
        `state store: transaction read of ${what} after a write; all reads must come before any write`,
        [field],
      );
    }
  }

  /** The writes in the order they were made, for the adapter to commit. */
  writes(): readonly BufferedWrite[] {
    return this.pending;
  }

  private write(kind: 'set' | 'create', collection: string, id: string, data: DocData): void {
    checkDocRef(collection, id);
    const { json, expireAtMs } = encodeDocData(collection, id, data);
    // Keep a copy: the caller may mutate its object between tx.set and commit.
    this.pending.push({ kind, collection, id, data: JSON.parse(json) as DocData, json, expireAtMs });
  }
}
