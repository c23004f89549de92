/**
 * The embedded StateStore's table and statements. One table
 * `documents(collection, id, data, update_time, expire_at)`: `data` is the
 * JSON document, `update_time` and `expire_at` are ms since the epoch
 * (`expire_at` copies the document's top-level `expireAt`, so TTL is one
 * indexed comparison instead of parsing JSON on every row).
 */
import { join } from 'node:path';
import type { DocData, StoredDoc } from '../../ports/state-store';

/** File name of the state database inside the state directory (`FG_STATE_DIR`). */
export const STATE_DB_FILE = 'state.sqlite';

/** Where the embedded StateStore keeps its file for a given state directory. */
export function stateDbPath(stateDir: string): string {
  return join(stateDir, STATE_DB_FILE);
}

// `data` is TEXT, not JSON: a declared type of JSON gets NUMERIC affinity in SQLite.
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS documents (
  collection TEXT NOT NULL,
  id TEXT NOT NULL,
  data TEXT NOT NULL,
  update_time INTEGER NOT NULL,
  expire_at INTEGER,
  PRIMARY KEY (collection, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS documents_expire_at ON documents (expire_at) WHERE expire_at IS NOT NULL;
`;

/** Writes a whole document; its update time never goes backwards, even if the clock does or stands still. */
export const UPSERT = `INSERT INTO documents (collection, id, data, update_time, expire_at)
  VALUES (@collection, @id, @data, @now, @expireAt)
  ON CONFLICT (collection, id) DO UPDATE SET data = excluded.data, expire_at = excluded.expire_at,
    update_time = MAX(excluded.update_time, documents.update_time + 1)`;

/**
 * Create-if-absent in one statement, so exactly one of any number of racing
 * processes changes a row; an expired document counts as absent and is replaced.
 */
export const CREATE_IF_ABSENT = `${UPSERT} WHERE documents.expire_at IS NOT NULL AND documents.expire_at <= @now`;

export const SELECT_ONE = `SELECT id, data, update_time FROM documents
  WHERE collection = ? AND id = ? AND (expire_at IS NULL OR expire_at > ?)`;

export const DELETE_ONE = 'DELETE FROM documents WHERE collection = ? AND id = ?';

export const PURGE_EXPIRED = 'DELETE FROM documents WHERE expire_at IS NOT NULL AND expire_at <= ?';

/** A row as SELECT_ONE and buildSelect return it. */
export interface DocumentRow {
  id: string;
  data: string;
  update_time: number;
}

export function toStoredDoc<T extends DocData>(row: DocumentRow): StoredDoc<T> {
  return { id: row.id, data: JSON.parse(row.data) as T, updateTime: new Date(row.update_time).toISOString() };
}
