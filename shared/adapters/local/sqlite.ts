/**
 * Opens the embedded backend's SQLite files. WAL mode lets the CLI and the
 * local stack use the same file at once (one writer, many readers); a busy
 * timeout makes a second writer wait instead of failing.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type SqliteDatabase = Database.Database;

export function openSqlite(file: string, options: { busyTimeoutMs?: number } = {}): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
    db.pragma('foreign_keys = ON');
  } catch (err) {
    // A failed open hands no handle back; close it so it does not live on until process exit.
    db.close();
    throw err;
  }
  return db;
}
