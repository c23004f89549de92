/**
 * The embedded model world's SQLite file (`fleet.sqlite`): registry versions
 * and their stored forecasts, aliases, endpoints with their traffic, and
 * pipeline runs. SqliteModelRegistry, SqliteServingTarget and
 * SqlitePipelineMonitor share one handle; migrations run when it opens.
 */
import { join } from 'node:path';
import { BackendUnavailableError, ConflictError, ForecastGuardError } from '../../errors';
import type { SqliteDatabase } from './sqlite';
import { openSqlite } from './sqlite';

/** File name of the fleet database inside the state directory (`FG_STATE_DIR`). */
export const FLEET_DB_FILE = 'fleet.sqlite';

/** Where the fleet database lives for a given state directory. */
export function fleetDbPath(stateDir: string): string {
  return join(stateDir, FLEET_DB_FILE);
}

/**
 * Schema steps, applied in order; `PRAGMA user_version` records how many ran.
 * Append new steps, never edit old ones: files on laptops already hold them.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE models (
    isbn TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
  );
  CREATE TABLE model_versions (
    isbn TEXT NOT NULL REFERENCES models(isbn),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    metrics TEXT NOT NULL,
    params TEXT NOT NULL,
    data_hash TEXT NOT NULL,
    trained_through TEXT NOT NULL,
    pipeline_run_id TEXT,
    labels TEXT NOT NULL,
    quarantine TEXT,
    PRIMARY KEY (isbn, version)
  );
  -- The artifact lives apart from the metadata: listings never load it, and
  -- rev lets a serving cache notice a changed artifact with one small read.
  CREATE TABLE forecasts (
    isbn TEXT NOT NULL,
    version INTEGER NOT NULL,
    forecast TEXT NOT NULL,
    rev INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (isbn, version),
    FOREIGN KEY (isbn, version) REFERENCES model_versions(isbn, version)
  );
  CREATE TABLE model_aliases (
    isbn TEXT NOT NULL,
    alias TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (isbn, alias),
    FOREIGN KEY (isbn, version) REFERENCES model_versions(isbn, version)
  );
  CREATE TABLE endpoints (
    isbn TEXT PRIMARY KEY REFERENCES models(isbn),
    updated_at TEXT NOT NULL
  );
  CREATE TABLE deployments (
    isbn TEXT NOT NULL REFERENCES endpoints(isbn),
    version INTEGER NOT NULL,
    traffic_percent INTEGER NOT NULL CHECK (traffic_percent BETWEEN 0 AND 100),
    deployed_at TEXT NOT NULL,
    PRIMARY KEY (isbn, version),
    FOREIGN KEY (isbn, version) REFERENCES model_versions(isbn, version)
  );
  CREATE TABLE pipeline_runs (
    id TEXT PRIMARY KEY,
    pipeline_name TEXT NOT NULL,
    state TEXT NOT NULL,
    start_time TEXT,
    end_time TEXT,
    error TEXT,
    registered TEXT NOT NULL,
    -- start time, or when first recorded for a run not started yet: the listing order
    sort_time TEXT NOT NULL
  );
  CREATE INDEX pipeline_runs_by_time ON pipeline_runs (sort_time DESC, id DESC);
  `,
];

/** The schema version a fully migrated file has. */
export const FLEET_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings a database up to the current schema. Safe to call from several
 * processes at once: the check and the steps run under one write lock.
 */
export function migrateFleetDb(db: SqliteDatabase): void {
  const run = db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      throw new ConflictError(
        `fleet database schema is version ${current}, newer than this build knows (${MIGRATIONS.length}); upgrade forecast-guard`,
      );
    }
    for (let step = current; step < MIGRATIONS.length; step++) db.exec(MIGRATIONS[step] as string);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  });
  withSqlite('migrate fleet database', () => run.immediate());
}

/** Opens (creating if needed) and migrates the fleet database; `:memory:` for tests. */
export function openFleetDb(file: string, options: { busyTimeoutMs?: number } = {}): SqliteDatabase {
  const db = withSqlite(`open ${file}`, () => openSqlite(file, options));
  try {
    migrateFleetDb(db);
  } catch (err) {
    // The caller never gets this handle, so close it here: a leaked connection stays open
    // (and its files locked) until the process exits, and closes only then.
    db.close();
    throw err;
  }
  reuseStatements(db);
  return db;
}

/** How many distinct statements a fleet handle keeps prepared; the adapters' SQL has a few dozen shapes. */
const STATEMENT_CACHE_LIMIT = 500;

/**
 * Makes `db.prepare` hand back the statement it prepared before for the same
 * SQL, as SqliteStateStore does for its own. The registry and serving target
 * prepare per call, and under rollback-http's 100 concurrent dry runs of the
 * fleet, better-sqlite3's `prepare` was the largest self-time frame of the
 * function (530 ms of 5.7 s busy; bench/load.ts --profile). Safe to share:
 * the adapters only `get`, `all` and `run` (each finishes before it returns)
 * and set no statement modes (pluck, raw, expand, safeIntegers).
 */
function reuseStatements(db: SqliteDatabase): void {
  const prepareOnce = db.prepare.bind(db);
  const statements = new Map<string, ReturnType<SqliteDatabase['prepare']>>();
  db.prepare = ((sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      // The bound keeps an unusual caller (SQL built from values) from growing this forever.
      if (statements.size >= STATEMENT_CACHE_LIMIT) statements.clear();
      statement = prepareOnce(sql);
      statements.set(sql, statement);
    }
    return statement;
  }) as SqliteDatabase['prepare'];
}

/** SQLite result codes that mean "try again": another writer, a full disk, an unreadable file. */
const TRANSIENT_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|PROTOCOL)/;

/**
 * Runs one SQLite operation and turns its errors into the house classes:
 * lock and I/O trouble → BackendUnavailableError (retryable), a broken
 * constraint → ConflictError; our own errors pass through.
 */
export function withSqlite<T>(operation: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ForecastGuardError) throw err;
    const code = (err as { code?: unknown }).code;
    const detail = err instanceof Error ? err.message : String(err);
    if (typeof code === 'string' && TRANSIENT_CODES.test(code)) {
      throw new BackendUnavailableError(`${operation}: ${detail}`, 'sqlite', { cause: err });
    }
    if (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT')) {
      throw new ConflictError(`${operation}: ${detail}`, { cause: err });
    }
    throw new BackendUnavailableError(`${operation}: ${detail}`, 'sqlite', { cause: err, retryable: false });
  }
}

export { parseInput, requireIsbn } from '../input-checks';

/** JSON column → value; a corrupt cell is a backend fault, not a caller's. */
export function readJson<T>(text: string, column: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new BackendUnavailableError(`fleet database column ${column} holds invalid JSON`, 'sqlite', {
      cause: err,
      retryable: false,
    });
  }
}
