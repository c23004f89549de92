/**
 * Turns better-sqlite3 errors into the classes of shared/errors.ts, so a
 * handler decides retry the same way on SQLite as on Firestore: a lock that
 * outlasted the busy timeout or a full disk may clear; a corrupt or read-only
 * file, or a constraint, will not.
 */
import { BackendUnavailableError, ForecastGuardError } from '../../errors';

const TRANSIENT = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|PROTOCOL)/;

/** The SQLite error as a ForecastGuardError; anything else (e.g. a callback's own error) unchanged. */
export function fromSqliteError(err: unknown, operation: string, file: string): unknown {
  if (err instanceof ForecastGuardError) return err;
  if (isSqliteError(err)) {
    return new BackendUnavailableError(
      // The code (SQLITE_FULL, SQLITE_BUSY…) is the cause an operator searches for; the message alone is vaguer.
      `sqlite state store ${file}: ${operation} failed: ${err.message} (${err.code})`,
      'sqlite',
      {
        cause: err,
        retryable: TRANSIENT.test(err.code),
      },
    );
  }
  return err;
}

/**
 * Duck-typed on purpose: better-sqlite3's native binding keeps the SqliteError
 * class it was first given, so under jest (a fresh module registry per test
 * file, one native addon per worker) `instanceof` fails for later files.
 */
export function isSqliteError(err: unknown): err is Error & { code: string } {
  const e = err as { name?: unknown; code?: unknown } | null;
  return typeof e === 'object' && e !== null && e.name === 'SqliteError' && typeof e.code === 'string';
}
