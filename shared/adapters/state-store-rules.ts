/**
 * The rules every StateStore adapter enforces before it touches its backend,
 * so the embedded SQLite store refuses exactly what Firestore would refuse
 * (a laptop run never hides a production failure) and bad input fails with a
 * ValidationError naming the field and the reason.
 */
import { ValidationError } from '../errors';
import {
  documentSize,
  MAX_DOCUMENT_BYTES,
  MAX_FIELD_VALUE_BYTES,
  type DocData,
  type Query,
  type WhereOp,
} from '../ports/state-store';

/** Top-level field that makes a document expire (ISO 8601 date-time). */
export const EXPIRE_AT_FIELD = 'expireAt';
/** Firestore keeps a Timestamp copy of `expireAt` here for its TTL policy; reserved everywhere. */
export const EXPIRE_AT_TS_FIELD = 'expireAtTs';

/** Firestore's limits, applied by every adapter (the document size: MAX_DOCUMENT_BYTES, in the port). */
const MAX_ID_BYTES = 1500;
const MAX_DEPTH = 20;
const MAX_IN_VALUES = 30;

const WHERE_OPS: readonly WhereOp[] = ['==', '!=', '<', '<=', '>', '>=', 'in'];
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const RESERVED_NAME = /^__.*__$/;

/** A value a query may compare a field with. */
export type Scalar = string | number | boolean | null;

/** A query after validation: the same shape, every part checked. */
export interface CheckedQuery {
  where: Array<{ field: string; op: WhereOp; value: Scalar | Scalar[] }>;
  orderBy?: { field: string; direction: 'asc' | 'desc' };
  limit?: number;
}

function fail(field: string, reason: string): never {
  throw new ValidationError(`state store: ${field} ${reason}`, [field]);
}

function checkName(value: unknown, field: string): void {
  if (typeof value !== 'string' || value.length === 0) fail(field, 'must be a non-empty string');
  if (value.includes('/')) fail(field, `must not contain "/" (got "${value}")`);
  if (value === '.' || value === '..') fail(field, `must not be "." or ".." (got "${value}")`);
  if (RESERVED_NAME.test(value)) fail(field, `must not look like __name__ (reserved; got "${value}")`);
  if (Buffer.byteLength(value) > MAX_ID_BYTES) fail(field, `must be at most ${MAX_ID_BYTES} bytes`);
}

/** Checks a collection name (the same rules as a document id). */
export function checkCollection(collection: unknown): void {
  checkName(collection, 'collection');
}

/** Checks a document address; `prefix` places the field in a larger input (e.g. `writes[3].`). */
export function checkDocRef(collection: unknown, id: unknown, prefix = ''): void {
  checkName(collection, `${prefix}collection`);
  checkName(id, `${prefix}id`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function checkString(value: string, path: string): void {
  // A UTF-16 unit is at most 3 UTF-8 bytes: only a long string needs counting.
  if (value.length * 3 <= MAX_FIELD_VALUE_BYTES) return;
  const bytes = Buffer.byteLength(value);
  if (bytes > MAX_FIELD_VALUE_BYTES) {
    fail(path, `is a string of ${bytes} bytes; a field value holds at most ${MAX_FIELD_VALUE_BYTES}`);
  }
}

function checkValue(value: unknown, path: string, depth: number, inArray: boolean): void {
  if (depth > MAX_DEPTH) fail(path, `nests deeper than ${MAX_DEPTH} levels`);
  if (typeof value === 'string') return checkString(value, path);
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(path, `must be a finite number (got ${value})`);
    return;
  }
  if (Array.isArray(value)) {
    // Firestore stores no array directly inside an array.
    if (inArray) fail(path, 'is an array inside an array, which Firestore cannot store');
    value.forEach((item, i) => {
      if (item === undefined) fail(`${path}[${i}]`, 'is undefined (arrays cannot hold undefined)');
      checkValue(item, `${path}[${i}]`, depth + 1, true);
    });
    return;
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key === '') fail(path, 'has an empty key');
      if (RESERVED_NAME.test(key)) fail(`${path}.${key}`, 'is a reserved name (__name__ form)');
      // Undefined properties are dropped, as Firestore's ignoreUndefinedProperties and JSON both do.
      if (item !== undefined) checkValue(item, `${path}.${key}`, depth + 1, false);
    }
    return;
  }
  const kind = value instanceof Date ? 'a Date (store an ISO string)' : `a ${typeof value}`;
  fail(path, `must be JSON (string, finite number, boolean, null, array or plain object), got ${kind}`);
}

/** Milliseconds since the epoch of an ISO 8601 date-time, or undefined when it is not one. */
export function parseIsoMillis(value: unknown): number | undefined {
  if (typeof value !== 'string' || !ISO_DATE_TIME.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Validates the body of document `collection`/`id` (already checked with
 * checkDocRef) and returns it as JSON with its expiry. `field` names the body
 * in messages (`data`, `writes[7].data`).
 */
export function encodeDocData(
  collection: string,
  id: string,
  data: unknown,
  field = 'data',
): { json: string; expireAtMs?: number } {
  if (!isPlainObject(data)) fail(field, 'must be a plain JSON object');
  if (data[EXPIRE_AT_TS_FIELD] !== undefined) {
    fail(`${field}.${EXPIRE_AT_TS_FIELD}`, 'is reserved (the Firestore adapter writes it from expireAt)');
  }
  checkValue(data, field, 0, false);
  const expireAt = data[EXPIRE_AT_FIELD];
  let expireAtMs: number | undefined;
  if (expireAt !== undefined && expireAt !== null) {
    expireAtMs = parseIsoMillis(expireAt);
    if (expireAtMs === undefined) {
      fail(
        `${field}.${EXPIRE_AT_FIELD}`,
        `must be an ISO 8601 date-time string (got ${JSON.stringify(expireAt)})`,
      );
    }
  }
  checkDocSize(collection, id, data, expireAtMs, field);
  return { json: JSON.stringify(data), expireAtMs };
}

/** Refuses a document Firestore would refuse as too large, counted as Firestore stores it. */
function checkDocSize(
  collection: string,
  id: string,
  data: DocData,
  expireAtMs: number | undefined,
  field: string,
): void {
  // The Firestore adapter adds the expireAtTs Timestamp (8 bytes, like the 0 here) to an expiring document.
  const stored = expireAtMs === undefined ? data : { ...data, [EXPIRE_AT_TS_FIELD]: 0 };
  const bytes = documentSize(collection, id, stored);
  if (bytes > MAX_DOCUMENT_BYTES) {
    fail(
      field,
      `takes ${bytes} bytes as Firestore counts them (name, fields, overhead); a document holds at most ${MAX_DOCUMENT_BYTES}`,
    );
  }
}

/** True when the document carries an `expireAt` at or before `nowMs` (TTL: it no longer exists). */
export function isExpired(data: DocData, nowMs: number): boolean {
  const ms = parseIsoMillis(data[EXPIRE_AT_FIELD]);
  return ms !== undefined && ms <= nowMs;
}

function checkScalar(value: unknown, field: string): Scalar {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return fail(field, `must be a string, finite number, boolean or null (got ${JSON.stringify(value)})`);
}

function checkField(value: unknown, field: string): string {
  if (typeof value !== 'string' || !FIELD_NAME.test(value)) {
    fail(field, `must be a top-level field name of letters, digits and _ (got ${JSON.stringify(value)})`);
  }
  return value;
}

/** Validates a query; every message names the offending part, e.g. `query.where[1].value`. */
export function checkQuery(query: Query | undefined): CheckedQuery {
  if (query === undefined) return { where: [] };
  if (!isPlainObject(query)) fail('query', 'must be an object');
  const checked: CheckedQuery = { where: [] };
  if (query.where !== undefined) {
    if (!Array.isArray(query.where)) fail('query.where', 'must be an array');
    query.where.forEach((clause: unknown, i) => {
      const at = `query.where[${i}]`;
      if (!isPlainObject(clause)) fail(at, 'must be an object {field, op, value}');
      const field = checkField(clause.field, `${at}.field`);
      const op = clause.op as WhereOp;
      if (!WHERE_OPS.includes(op))
        fail(`${at}.op`, `must be one of ${WHERE_OPS.join(' ')} (got ${String(op)})`);
      if (op === 'in') {
        const values = clause.value;
        if (!Array.isArray(values) || values.length === 0 || values.length > MAX_IN_VALUES) {
          fail(`${at}.value`, `must be an array of 1 to ${MAX_IN_VALUES} values for "in"`);
        }
        const list = values.map((v, j) => checkScalar(v, `${at}.value[${j}]`));
        if (list.includes(null)) fail(`${at}.value`, 'must not contain null (use "==" null)');
        checked.where.push({ field, op, value: list });
        return;
      }
      const value = checkScalar(clause.value, `${at}.value`);
      if (value === null && op !== '==' && op !== '!=')
        fail(`${at}.value`, `null only supports == and != (got ${op})`);
      checked.where.push({ field, op, value });
    });
  }
  if (query.orderBy !== undefined) {
    if (!isPlainObject(query.orderBy)) fail('query.orderBy', 'must be an object {field, direction?}');
    const field = checkField(query.orderBy.field, 'query.orderBy.field');
    const direction = query.orderBy.direction ?? 'asc';
    if (direction !== 'asc' && direction !== 'desc') {
      fail('query.orderBy.direction', `must be "asc" or "desc" (got ${JSON.stringify(direction)})`);
    }
    checked.orderBy = { field, direction };
  }
  const limit: unknown = query.limit;
  if (limit !== undefined) {
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
      fail('query.limit', `must be a positive integer (got ${JSON.stringify(limit)})`);
    }
    checked.limit = limit;
  }
  return checked;
}

/** Fields with an inequality filter, in name order: Firestore orders results by them (after orderBy). */
export function inequalityFields(query: CheckedQuery): string[] {
  const fields = query.where.filter((w) => w.op !== '==' && w.op !== 'in').map((w) => w.field);
  return [...new Set(fields)].sort();
}
