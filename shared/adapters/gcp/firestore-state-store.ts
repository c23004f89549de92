/**
 * StateStore on Cloud Firestore (native mode), or on the emulator given as
 * `emulatorHost` (the wiring passes FIRESTORE_EMULATOR_HOST from the config).
 *
 * Documents are plain JSON maps, see firestore-documents.ts for `expireAtTs`.
 * Queries need the composite indexes Firestore asks for (equality on one field
 * with orderBy on another, inequality with orderBy); infra declares them.
 */
import {
  Firestore,
  type DocumentReference,
  type Query as FsQuery,
  type QuerySnapshot as FsQuerySnapshot,
  type Transaction as FsTransaction,
} from '@google-cloud/firestore';
import { BackendUnavailableError, ConfigError, ConflictError, ValidationError } from '../../errors';
import { systemClock, type Clock } from '../../ports/clock';
import type { DocData, Query, StateStore, StoredDoc, Transaction } from '../../ports/state-store';
import { AsyncMutex } from '../async-mutex';
import { BufferedTransaction, type BufferedWrite, type TransactionStats } from '../buffered-transaction';
import { checkCollection, checkDocRef, checkQuery, encodeDocData, isExpired } from '../state-store-rules';
import { fromSnapshot, toFirestoreData } from './firestore-documents';
import { firestoreEmulatorSettings } from './emulator-clients';
import { fromFirestoreError, isTransactionRetryable, statusCode } from './firestore-errors';

export interface FirestoreStateStoreOptions {
  projectId: string;
  /** A named database; Firestore's `(default)` when absent. */
  databaseId?: string;
  /** Source of "now" for TTL and retry backoff. */
  clock?: Clock;
  /** Attempts per transaction, the first included (the SDK's default is 5). */
  maxTransactionAttempts?: number;
  /**
   * host:port of the Firestore emulator. Absent: Cloud Firestore, unless the
   * process environment names an emulator (the SDK reads FIRESTORE_EMULATOR_HOST
   * itself, and that variable wins over this option when both are set).
   */
  emulatorHost?: string;
}

/** Firestore's limit on writes in one batch; larger batchSets are split and are atomic per chunk only. */
export const MAX_BATCH_WRITES = 500;

export type { TransactionStats } from '../buffered-transaction';

export class FirestoreStateStore implements StateStore {
  private readonly db: Firestore;
  private readonly clock: Clock;
  private readonly maxAttempts: number;
  /** Retries queue here: one process's contenders then take turns instead of colliding again. */
  private readonly retryLane = new AsyncMutex();
  private stats: TransactionStats = { transactions: 0, attempts: 0 };
  private closed = false;

  constructor(options: FirestoreStateStoreOptions) {
    if (typeof options?.projectId !== 'string' || options.projectId === '') {
      throw new ConfigError('FirestoreStateStore: projectId must be a non-empty string', 'projectId');
    }
    const attempts = options.maxTransactionAttempts ?? 5;
    if (!Number.isInteger(attempts) || attempts < 1) {
      throw new ConfigError(
        'FirestoreStateStore: maxTransactionAttempts must be an integer >= 1',
        'maxTransactionAttempts',
      );
    }
    this.maxAttempts = attempts;
    this.clock = options.clock ?? systemClock;
    this.db = new Firestore({
      projectId: options.projectId,
      ...(options.databaseId ? { databaseId: options.databaseId } : {}),
      ...(options.emulatorHost ? firestoreEmulatorSettings(options.emulatorHost) : {}),
      ignoreUndefinedProperties: true,
    });
  }

  async get<T extends DocData = DocData>(collection: string, id: string): Promise<StoredDoc<T> | undefined> {
    checkDocRef(collection, id);
    return this.call('get', async () => fromSnapshot<T>(await this.ref(collection, id).get(), this.nowMs()));
  }

  /**
   * Expired documents the TTL policy has not removed yet are skipped; with a
   * limit, the next page is fetched so the caller still gets `limit` live ones.
   */
  async query<T extends DocData = DocData>(collection: string, query?: Query): Promise<Array<StoredDoc<T>>> {
    checkCollection(collection);
    const checked = checkQuery(query);
    return this.call('query', async () => {
      let base: FsQuery = this.db.collection(collection);
      for (const w of checked.where) base = base.where(w.field, w.op, w.value);
      if (checked.orderBy) base = base.orderBy(checked.orderBy.field, checked.orderBy.direction);
      const now = this.nowMs();
      const out: Array<StoredDoc<T>> = [];
      const keepLive = (docs: FsQuerySnapshot['docs']) => {
        for (const doc of docs) {
          const live = fromSnapshot<T>(doc, now);
          if (live) out.push(live);
        }
      };
      if (checked.limit === undefined) {
        keepLive((await base.get()).docs);
        return out;
      }
      let requested = checked.limit;
      let page = base.limit(requested);
      for (;;) {
        const snap = await page.get();
        keepLive(snap.docs);
        const wanted = checked.limit - out.length;
        const last = snap.docs[snap.docs.length - 1];
        // Fewer than asked for means the query is exhausted.
        if (wanted <= 0 || !last || snap.size < requested) return out;
        requested = wanted;
        page = base.startAfter(last).limit(requested);
      }
    });
  }

  async create(collection: string, id: string, data: DocData): Promise<boolean> {
    checkDocRef(collection, id);
    const { expireAtMs } = encodeDocData(collection, id, data);
    try {
      await this.ensureOpen(() => this.ref(collection, id).create(toFirestoreData(data, expireAtMs)));
      return true;
    } catch (err) {
      if (statusCode(err) !== 6) throw fromFirestoreError(err, 'create');
    }
    // It exists. It counts as absent only if it expired and the TTL policy has not removed it yet,
    // which a plain read settles cheaply for the usual case; the takeover itself must be a transaction.
    if (await this.get(collection, id)) return false;
    return this.runTransaction(async (tx) => {
      if (await tx.get(collection, id)) return false;
      tx.set(collection, id, data);
      return true;
    });
  }

  async set(collection: string, id: string, data: DocData): Promise<void> {
    checkDocRef(collection, id);
    const { expireAtMs } = encodeDocData(collection, id, data);
    await this.call('set', () => this.ref(collection, id).set(toFirestoreData(data, expireAtMs)));
  }

  async delete(collection: string, id: string): Promise<void> {
    checkDocRef(collection, id);
    await this.call('delete', () => this.ref(collection, id).delete());
  }

  /**
   * One WriteBatch per 500 writes (Firestore's limit). Up to 500 writes are
   * all-or-nothing; above that each chunk is, and a failure part-way leaves
   * the earlier chunks written. Every write is validated before any is sent.
   */
  async batchSet(writes: Array<{ collection: string; id: string; data: DocData }>): Promise<void> {
    if (!Array.isArray(writes)) throw new ValidationError('state store: writes must be an array', ['writes']);
    const encoded = writes.map((w, i) => {
      checkDocRef(w?.collection, w?.id, `writes[${i}].`);
      const { expireAtMs } = encodeDocData(w.collection, w.id, w.data, `writes[${i}].data`);
      return { ref: this.ref(w.collection, w.id), data: toFirestoreData(w.data, expireAtMs) };
    });
    await this.call('batchSet', async () => {
      for (let start = 0; start < encoded.length; start += MAX_BATCH_WRITES) {
        const batch = this.db.batch();
        for (const w of encoded.slice(start, start + MAX_BATCH_WRITES)) batch.set(w.ref, w.data);
        await batch.commit();
      }
    });
  }

  /**
   * Firestore's transaction, one SDK attempt at a time so retries are ours:
   * after a first attempt fails on contention, the retry waits its turn in
   * this process's retry lane (later retries also back off, for contention
   * from other processes), up to `maxTransactionAttempts` attempts in all.
   * A `tx.create` of an existing document fails with ConflictError.
   */
  async runTransaction<R>(fn: (tx: Transaction) => Promise<R>): Promise<R> {
    this.assertOpen();
    this.stats = { ...this.stats, transactions: this.stats.transactions + 1 };
    let release: (() => void) | undefined;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.db.runTransaction((sdkTx) => this.attempt(sdkTx, fn), { maxAttempts: 1 });
        } catch (err) {
          if (!isTransactionRetryable(err) || attempt >= this.maxAttempts) {
            throw fromFirestoreError(err, `runTransaction (attempt ${attempt} of ${this.maxAttempts})`, true);
          }
          if (!release) release = await this.retryLane.acquire();
          else await this.clock.sleep(Math.min(2000, 100 * 2 ** (attempt - 2)) * (0.5 + Math.random()));
        }
      }
    } finally {
      release?.();
    }
  }

  transactionStats(): TransactionStats {
    return { ...this.stats };
  }

  /** Ends the client's channels. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.terminate();
  }

  private async attempt<R>(sdkTx: FsTransaction, fn: (tx: Transaction) => Promise<R>): Promise<R> {
    this.stats = { ...this.stats, attempts: this.stats.attempts + 1 };
    const tx = new BufferedTransaction(
      async (collection, id) => fromSnapshot(await sdkTx.get(this.ref(collection, id)), this.nowMs()),
      // One BatchGetDocuments for all of them, in the transaction (Transaction.getAll of the SDK).
      async (refs) => {
        const snaps = await sdkTx.getAll(...refs.map((r) => this.ref(r.collection, r.id)));
        const now = this.nowMs();
        return snaps.map((snap) => fromSnapshot(snap, now));
      },
    );
    const result = await fn(tx);
    await this.stage(sdkTx, tx.writes());
    return result;
  }

  /**
   * Hands the buffered writes to the SDK transaction. Creates are checked by
   * reading their documents in the transaction (still before any write), so
   * an expired leftover counts as absent and an existing one is a clean
   * ConflictError; the read makes the commit fail if the document changes.
   */
  private async stage(sdkTx: FsTransaction, writes: readonly BufferedWrite[]): Promise<void> {
    const exists = new Map<string, boolean>();
    const creates = [...new Map(writes.filter((w) => w.kind === 'create').map((w) => [key(w), w])).values()];
    if (creates.length > 0) {
      const now = this.nowMs();
      const snaps = await sdkTx.getAll(...creates.map((w) => this.ref(w.collection, w.id)));
      snaps.forEach((snap, i) => {
        const data = snap.data();
        exists.set(key(creates[i]!), snap.exists && data !== undefined && !isExpired(data, now));
      });
    }
    for (const w of writes) {
      const ref = this.ref(w.collection, w.id);
      if (w.kind === 'delete') {
        sdkTx.delete(ref);
        exists.set(key(w), false);
        continue;
      }
      if (w.kind === 'create' && exists.get(key(w))) {
        throw new ConflictError(`state store: ${w.collection}/${w.id} already exists (tx.create)`);
      }
      sdkTx.set(ref, toFirestoreData(w.data, w.expireAtMs));
      exists.set(key(w), true);
    }
  }

  private async call<R>(operation: string, fn: () => Promise<R>): Promise<R> {
    try {
      return await this.ensureOpen(fn);
    } catch (err) {
      throw fromFirestoreError(err, operation);
    }
  }

  private ensureOpen<R>(fn: () => Promise<R>): Promise<R> {
    this.assertOpen();
    return fn();
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new BackendUnavailableError('firestore state store is closed', 'firestore', { retryable: false });
    }
  }

  private ref(collection: string, id: string): DocumentReference {
    return this.db.collection(collection).doc(id);
  }

  private nowMs(): number {
    return this.clock.now().getTime();
  }
}

function key(w: { collection: string; id: string }): string {
  return `${w.collection}/${w.id}`;
}
