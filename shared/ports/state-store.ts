/**
 * StateStore: the documents that must survive — alert state per fingerprint,
 * last-known-good pointers, rollback leases, backups and audit, processed
 * message ids, health reports. Firestore on Google Cloud, SQLite embedded.
 *
 * Documents are plain JSON objects in named collections (times as ISO
 * strings, no Dates, no NaN, no arrays directly inside arrays: what Firestore
 * stores). Every change that depends on what is already there goes through
 * `runTransaction`. Ids and collection names are non-empty and contain no "/".
 *
 * TTL: a document with a top-level `expireAt` (ISO 8601 date-time) at or
 * before now no longer exists for get, query, create and transactions; the
 * backend deletes it later. `expireAtTs` is reserved (Firestore's TTL copy).
 *
 * Size: a document whose `documentSize` (Firestore's storage-size count: its
 * name, its fields, and, when it expires, the `expireAtTs` copy) passes
 * MAX_DOCUMENT_BYTES, Firestore's 1 MiB, is refused. Code that fills a document
 * to a budget (health reports, backup parts) measures against the same limit.
 * A string longer than MAX_FIELD_VALUE_BYTES (UTF-8) is refused too.
 * Bad input rejects with a ValidationError naming the field.
 */
export {
  documentSize,
  firestoreSize,
  MAX_DOCUMENT_BYTES,
  MAX_FIELD_VALUE_BYTES,
} from '../contracts/document-size';

/** A JSON object as stored. */
export type DocData = Record<string, unknown>;

export interface StoredDoc<T extends DocData = DocData> {
  id: string;
  data: T;
  /** Time of the last write, ISO 8601 with milliseconds; never goes backwards for one document. */
  updateTime: string;
}

export type WhereOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in';

/**
 * Filters and ordering on top-level fields, with Firestore's rules: a filter
 * only matches values of its own type; a missing field never matches (not
 * even `!=`, which also skips null); `in` takes 1 to 30 values; results come
 * ordered by `orderBy`, then by inequality fields, then by id (ordering drops
 * documents without the field). Services only query what indexes exist for.
 */
export interface Query {
  where?: Array<{ field: string; op: WhereOp; value: unknown }>;
  orderBy?: { field: string; direction?: 'asc' | 'desc' };
  limit?: number;
}

/**
 * Reads and writes inside one transaction. Reads must come before writes
 * (Firestore's rule; a read after a write rejects with ValidationError).
 * Writes are held until commit, in order.
 */
export interface Transaction {
  get<T extends DocData = DocData>(collection: string, id: string): Promise<StoredDoc<T> | undefined>;
  /**
   * Several documents in one read (Firestore: one batched get in the
   * transaction, where a `get` each is a round trip each), in the order
   * asked, undefined where missing.
   */
  getAll<T extends DocData = DocData>(
    refs: ReadonlyArray<{ collection: string; id: string }>,
  ): Promise<Array<StoredDoc<T> | undefined>>;
  /** Create; at commit, the transaction fails with ConflictError (nothing written) if the document exists. */
  create(collection: string, id: string, data: DocData): void;
  set(collection: string, id: string, data: DocData): void;
  delete(collection: string, id: string): void;
}

export interface StateStore {
  get<T extends DocData = DocData>(collection: string, id: string): Promise<StoredDoc<T> | undefined>;
  /** Create-if-absent: true if this call created it, false if it already existed. Exactly one concurrent caller wins. */
  create(collection: string, id: string, data: DocData): Promise<boolean>;
  set(collection: string, id: string, data: DocData): Promise<void>;
  delete(collection: string, id: string): Promise<void>;
  query<T extends DocData = DocData>(collection: string, query?: Query): Promise<Array<StoredDoc<T>>>;
  /**
   * Many writes applied together (all or nothing), e.g. a fleet-wide backup.
   * Firestore: all or nothing up to 500 writes; above that per 500-write chunk.
   */
  batchSet(writes: Array<{ collection: string; id: string; data: DocData }>): Promise<void>;
  /**
   * Read-modify-write with serialisable isolation. `fn` may run more than once
   * under contention (Firestore retries), so it must do nothing but tx calls.
   */
  runTransaction<R>(fn: (tx: Transaction) => Promise<R>): Promise<R>;
  close(): Promise<void>;
}
