/**
 * Turns a StateStore query into one SELECT over the `documents` table with
 * Firestore's semantics, so services see the same answers on a laptop as in
 * production:
 * - comparisons only match values of the same type (`< "b"` never matches a
 *   number; `== 1` never matches `true`, which json_extract would report as 1);
 * - a field that is missing never matches, not even `!=`, and `!=` also skips null;
 * - results are ordered by the orderBy field, then by every inequality field
 *   (in name order), then by id, all in the orderBy direction; ordering a
 *   field drops documents that lack it; mixed types order null < booleans <
 *   numbers < strings < arrays < objects (arrays and objects among themselves
 *   compare as JSON text, which is not Firestore's order: don't order by them).
 */
import { inequalityFields, type CheckedQuery, type Scalar } from '../state-store-rules';

export interface SqlStatement {
  sql: string;
  params: Array<string | number | null>;
}

const NUMERIC = `('integer','real')`;
const TYPE_RANK =
  `CASE json_type(data, ?) WHEN 'null' THEN 0 WHEN 'false' THEN 1 WHEN 'true' THEN 1 ` +
  `WHEN 'integer' THEN 2 WHEN 'real' THEN 2 WHEN 'text' THEN 3 WHEN 'array' THEN 4 ELSE 5 END`;

function equals(path: string, value: Scalar): SqlStatement {
  if (value === null) return { sql: `json_type(data, ?) = 'null'`, params: [path] };
  if (typeof value === 'boolean') return { sql: `json_type(data, ?) = ?`, params: [path, String(value)] };
  const guard = typeof value === 'string' ? `= 'text'` : `IN ${NUMERIC}`;
  return {
    sql: `(json_type(data, ?) ${guard} AND json_extract(data, ?) = ?)`,
    params: [path, path, value],
  };
}

function notEquals(path: string, value: Scalar): SqlStatement {
  const present = `json_type(data, ?) IS NOT NULL AND json_type(data, ?) <> 'null'`;
  if (value === null) return { sql: `(${present})`, params: [path, path] };
  const eq = equals(path, value);
  return { sql: `(${present} AND NOT ${eq.sql})`, params: [path, path, ...eq.params] };
}

function range(path: string, op: string, value: Scalar): SqlStatement {
  if (typeof value === 'boolean') {
    return {
      sql: `(json_type(data, ?) IN ('true','false') AND (json_type(data, ?) = 'true') ${op} ?)`,
      params: [path, path, value ? 1 : 0],
    };
  }
  const guard = typeof value === 'string' ? `= 'text'` : `IN ${NUMERIC}`;
  return {
    sql: `(json_type(data, ?) ${guard} AND json_extract(data, ?) ${op} ?)`,
    params: [path, path, value],
  };
}

function clause(
  path: string,
  op: CheckedQuery['where'][number]['op'],
  value: Scalar | Scalar[],
): SqlStatement {
  if (op === 'in') {
    const parts = (value as Scalar[]).map((v) => equals(path, v));
    return { sql: `(${parts.map((p) => p.sql).join(' OR ')})`, params: parts.flatMap((p) => p.params) };
  }
  if (op === '==') return equals(path, value as Scalar);
  if (op === '!=') return notEquals(path, value as Scalar);
  return range(path, op, value as Scalar);
}

/** The SELECT for `query` on `collection`, leaving out documents expired at `nowMs`. */
export function buildSelect(collection: string, query: CheckedQuery, nowMs: number): SqlStatement {
  const where: string[] = ['collection = ?', '(expire_at IS NULL OR expire_at > ?)'];
  const params: Array<string | number | null> = [collection, nowMs];
  for (const w of query.where) {
    const part = clause(`$.${w.field}`, w.op, w.value);
    where.push(part.sql);
    params.push(...part.params);
  }

  const direction = query.orderBy?.direction === 'desc' ? 'DESC' : 'ASC';
  const orderFields = [
    ...(query.orderBy ? [query.orderBy.field] : []),
    ...inequalityFields(query).filter((f) => f !== query.orderBy?.field),
  ];
  const order: string[] = [];
  const orderParams: string[] = [];
  for (const field of orderFields) {
    const path = `$.${field}`;
    where.push('json_type(data, ?) IS NOT NULL');
    params.push(path);
    order.push(`${TYPE_RANK} ${direction}`, `json_extract(data, ?) ${direction}`);
    orderParams.push(path, path);
  }
  order.push(`id ${direction}`);
  params.push(...orderParams);

  let sql = `SELECT id, data, update_time FROM documents WHERE ${where.join(' AND ')} ORDER BY ${order.join(', ')}`;
  if (query.limit !== undefined) {
    sql += ' LIMIT ?';
    params.push(query.limit);
  }
  return { sql, params };
}
