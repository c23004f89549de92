/**
 * StateStore: the documents that must survive — alert state per fingerprint,
 * last-known-good pointers, rollback leases, backups and audit, processed
 * message ids, health reports. Firestore on Google Cloud, SQLite embedded.
 *
 * Documents are plain JSON objects in named collections. Every change that
 * depends on what is already there goes through `runTransaction`.
 */

/** A JSON object as stored. */
export type DocData = Record<string, unknown>;

export interface StoredDoc<T extends DocData = DocData> {
  id: string;
  data: T;
  /** Server time of the last write, ISO 8601. */
  updateTime: string;
}

export type WhereOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in';

/** Filters and ordering on top-level fields. Services only query what indexes exist for. */
export interface Query {
  where?: Array<{ field: string; op: WhereOp; value: unknown }>;
  orderBy?: { field: string; direction?: 'asc' | 'desc' };
  limit?: number;
}

/** Reads and writes inside one transaction. Reads must come before writes (Firestore's rule). */
export interface Transaction {
  get<T extends DocData = DocData>(collection: string, id: string): Promise<StoredDoc<T> | undefined>;
  /** Create; the transaction fails with ConflictError if the document exists. */
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
  /** Many writes applied together (all or nothing), e.g. a fleet-wide backup. */
  batchSet(writes: Array<{ collection: string; id: string; data: DocData }>): Promise<void>;
  /**
   * Read-modify-write with serialisable isolation. `fn` may run more than once
   * under contention (Firestore retries), so it must do nothing but tx calls.
   */
  runTransaction<R>(fn: (tx: Transaction) => Promise<R>): Promise<R>;
  close(): Promise<void>;
}
