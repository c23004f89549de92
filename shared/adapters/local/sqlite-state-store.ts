/**
 * StateStore on one SQLite file: the embedded backend's state, shared by the
 * local stack and the CLI running at the same time (two OS processes).
 *
 * Firestore semantics throughout (the table and its statements are in
 * sqlite-documents.ts): `create` has exactly one winner across processes;
 * transactions read the database and buffer their writes until commit;
 * expired documents are invisible at once and deleted by later writes
 * (Firestore's TTL is eventual; here it is eager).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { BackendUnavailableError, ConflictError, ForecastGuardError, ValidationError } from '../../errors';
import { systemClock, type Clock } from '../../ports/clock';
import type { DocData, Query, StateStore, StoredDoc, Transaction } from '../../ports/state-store';
import { BufferedTransaction, type BufferedWrite, type TransactionStats } from '../buffered-transaction';
import { checkCollection, checkDocRef, checkQuery, encodeDocData } from '../state-store-rules';
import { AsyncMutex } from '../async-mutex';
import { openSqlite, type SqliteDatabase } from './sqlite';
import {
  CREATE_IF_ABSENT,
  DELETE_ONE,
  PURGE_EXPIRED,
  SCHEMA,
  SELECT_ONE,
  toStoredDoc,
  UPSERT,
  type DocumentRow,
} from './sqlite-documents';
import { fromSqliteError } from './sqlite-errors';
import { buildSelect } from './sqlite-query';

export interface SqliteStateStoreOptions {
  /** Source of "now" for update times and TTL. */
  clock?: Clock;
  /** How long a write waits for another process's lock before failing (retryable). */
  busyTimeoutMs?: number;
  /** Expired documents are deleted by the first write after this many ms since the last purge. */
  purgeIntervalMs?: number;
}

/**
 * One write lock per file per process, shared by every store open on it: a
 * second connection's BEGIN IMMEDIATE would otherwise busy-wait synchronously
 * on a transaction of this same process that can then never finish.
 */
const writersByFile = new Map<string, AsyncMutex>();

function writerFor(file: string): AsyncMutex {
  if (file === ':memory:') return new AsyncMutex();
  const key = resolve(file);
  let writer = writersByFile.get(key);
  if (!writer) {
    writer = new AsyncMutex();
    writersByFile.set(key, writer);
  }
  return writer;
}

/** The write lock whose transaction callback runs in this async context (to refuse self-deadlock). */
const activeTransaction = new AsyncLocalStorage<AsyncMutex>();

export { STATE_DB_FILE, stateDbPath } from './sqlite-documents';
export type { TransactionStats } from '../buffered-transaction';

export class SqliteStateStore implements StateStore {
  private readonly db: SqliteDatabase;
  private readonly clock: Clock;
  private readonly purgeIntervalMs: number;
  /** Serialises this process's writes and transactions on this file. */
  private readonly writer: AsyncMutex;
  private readonly statements = new Map<string, Database.Statement>();
  private lastPurgeMs = Number.NEGATIVE_INFINITY;
  private closed = false;
  private stats: TransactionStats = { transactions: 0, attempts: 0 };

  constructor(
    readonly file: string,
    options: SqliteStateStoreOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.purgeIntervalMs = options.purgeIntervalMs ?? 60_000;
    this.writer = writerFor(file);
    try {
      this.db = openSqlite(file, { busyTimeoutMs: options.busyTimeoutMs });
      this.db.exec(SCHEMA);
    } catch (err) {
      throw fromSqliteError(err, 'open', file);
    }
  }

  async get<T extends DocData = DocData>(collection: string, id: string): Promise<StoredDoc<T> | undefined> {
    checkDocRef(collection, id);
    return this.reading('get', () => this.readDoc<T>(collection, id));
  }

  async query<T extends DocData = DocData>(collection: string, query?: Query): Promise<Array<StoredDoc<T>>> {
    checkCollection(collection);
    const { sql, params } = buildSelect(collection, checkQuery(query), this.nowMs());
    return this.reading('query', () =>
      (this.prepare(sql).all(...params) as DocumentRow[]).map((r) => toStoredDoc<T>(r)),
    );
  }

  async create(collection: string, id: string, data: DocData): Promise<boolean> {
    checkDocRef(collection, id);
    const { json, expireAtMs } = encodeDocData(collection, id, data);
    return this.writing('create', (now) => {
      const params = { collection, id, data: json, now, expireAt: expireAtMs ?? null };
      return this.prepare(CREATE_IF_ABSENT).run(params).changes === 1;
    });
  }

  async set(collection: string, id: string, data: DocData): Promise<void> {
    checkDocRef(collection, id);
    const { json, expireAtMs } = encodeDocData(collection, id, data);
    await this.writing('set', (now) => {
      this.prepare(UPSERT).run({ collection, id, data: json, now, expireAt: expireAtMs ?? null });
    });
  }

  async delete(collection: string, id: string): Promise<void> {
    checkDocRef(collection, id);
    await this.writing('delete', () => {
      this.prepare(DELETE_ONE).run(collection, id);
    });
  }

  /** All writes in one SQLite transaction: every document lands or none does. */
  async batchSet(writes: Array<{ collection: string; id: string; data: DocData }>): Promise<void> {
    if (!Array.isArray(writes)) throw new ValidationError('state store: writes must be an array', ['writes']);
    const encoded = writes.map((w, i) => {
      checkDocRef(w?.collection, w?.id, `writes[${i}].`);
      return {
        collection: w.collection,
        id: w.id,
        ...encodeDocData(w.collection, w.id, w.data, `writes[${i}].data`),
      };
    });
    if (encoded.length === 0) return;
    await this.writing('batchSet', (now) => {
      const upsert = this.prepare(UPSERT);
      this.db
        .transaction(() => {
          for (const w of encoded) {
            upsert.run({
              collection: w.collection,
              id: w.id,
              data: w.json,
              now,
              expireAt: w.expireAtMs ?? null,
            });
          }
        })
        .immediate();
    });
  }

  /**
   * Runs `fn` inside `BEGIN IMMEDIATE` … `COMMIT`: other processes wait on the
   * busy timeout (they block while `fn` awaits, so keep it to tx calls), and
   * this process's other writes queue behind it. Reads made meanwhile outside
   * the transaction run at once and see the last committed state. A `tx.create`
   * of an existing document fails the whole transaction with ConflictError.
   */
  async runTransaction<R>(fn: (tx: Transaction) => Promise<R>): Promise<R> {
    this.refuseInsideTransaction('runTransaction');
    return this.writer.runExclusive(async () => {
      this.assertOpen();
      this.stats = { transactions: this.stats.transactions + 1, attempts: this.stats.attempts + 1 };
      this.sql('BEGIN IMMEDIATE', 'runTransaction');
      let committed = false;
      try {
        const tx = new BufferedTransaction((collection, id) =>
          this.reading('tx.get', () => this.readDoc(collection, id)),
        );
        const result = await activeTransaction.run(this.writer, () => fn(tx));
        const now = this.nowMs();
        try {
          this.applyWrites(tx.writes(), now);
        } catch (err) {
          throw fromSqliteError(err, 'runTransaction commit', this.file);
        }
        this.sql('COMMIT', 'runTransaction');
        committed = true;
        this.maybePurge(now);
        return result;
      } finally {
        if (!committed && this.db.inTransaction) this.sql('ROLLBACK', 'runTransaction');
      }
    });
  }

  /** Deletes every expired document now; returns how many. */
  async purgeExpired(): Promise<number> {
    return this.writing('purgeExpired', (now) => this.purge(now));
  }

  transactionStats(): TransactionStats {
    return { ...this.stats };
  }

  /** Waits for queued writes and transactions, then closes the file. Idempotent. */
  async close(): Promise<void> {
    this.refuseInsideTransaction('close');
    await this.writer.runExclusive(() => {
      if (this.closed) return;
      this.closed = true;
      this.db.close();
    });
  }

  private applyWrites(writes: readonly BufferedWrite[], now: number): void {
    for (const w of writes) {
      if (w.kind === 'delete') {
        this.prepare(DELETE_ONE).run(w.collection, w.id);
        continue;
      }
      const params = {
        collection: w.collection,
        id: w.id,
        data: w.json,
        now,
        expireAt: w.expireAtMs ?? null,
      };
      const changes = this.prepare(w.kind === 'create' ? CREATE_IF_ABSENT : UPSERT).run(params).changes;
      if (changes === 0)
        throw new ConflictError(`state store: ${w.collection}/${w.id} already exists (tx.create)`);
    }
  }

  private readDoc<T extends DocData>(collection: string, id: string): StoredDoc<T> | undefined {
    const row = this.prepare(SELECT_ONE).get(collection, id, this.nowMs()) as DocumentRow | undefined;
    return row && toStoredDoc<T>(row);
  }

  /** Reads need no lock: with writes buffered until commit, the connection only ever shows committed data. */
  private async reading<R>(operation: string, fn: () => R): Promise<R> {
    this.assertOpen();
    try {
      return fn();
    } catch (err) {
      throw fromSqliteError(err, operation, this.file);
    }
  }

  private async writing<R>(operation: string, fn: (nowMs: number) => R): Promise<R> {
    this.refuseInsideTransaction(operation);
    return this.writer.runExclusive(() => {
      this.assertOpen();
      const now = this.nowMs();
      try {
        const result = fn(now);
        this.maybePurge(now);
        return result;
      } catch (err) {
        throw fromSqliteError(err, operation, this.file);
      }
    });
  }

  /** Best effort: a purge that fails (say, busy) must not fail the write it follows; the next one retries. */
  private maybePurge(now: number): void {
    if (now - this.lastPurgeMs < this.purgeIntervalMs) return;
    try {
      this.purge(now);
    } catch {
      this.lastPurgeMs = Number.NEGATIVE_INFINITY;
    }
  }

  private purge(now: number): number {
    this.lastPurgeMs = now;
    return this.prepare(PURGE_EXPIRED).run(now).changes;
  }

  private sql(statement: string, operation: string): void {
    try {
      this.db.exec(statement);
    } catch (err) {
      throw fromSqliteError(err, `${operation} ${statement}`, this.file);
    }
  }

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      // Queries are built from a few shapes; the bound keeps an unusual caller from growing this forever.
      if (this.statements.size > 500) this.statements.clear();
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private nowMs(): number {
    return this.clock.now().getTime();
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new BackendUnavailableError(`sqlite state store ${this.file} is closed`, 'sqlite', {
        retryable: false,
      });
    }
  }

  /** A write from inside this store's own transaction callback would wait for itself forever: refuse it. */
  private refuseInsideTransaction(operation: string): void {
    if (activeTransaction.getStore() === this.writer) {
      throw new ForecastGuardError(
        `state store: ${operation} called inside runTransaction on the same file; use the tx argument`,
      );
    }
  }
}
