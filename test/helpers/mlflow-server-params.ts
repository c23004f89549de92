/**
 * MLflow's request-parameter rules for the fake server (mlflow-server.ts):
 * required strings, filter strings, `order_by`, `max_results` and page
 * tokens, and the `{error_code, message}` error they raise, worded as
 * mlflow/server/handlers.py and mlflow/utils/search_utils.py word them.
 */

/** MLflow's ERROR_CODE_TO_HTTP_STATUS (mlflow/exceptions.py), for the codes used here. */
export const ERROR_STATUS: Record<string, number> = {
  INVALID_PARAMETER_VALUE: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  REQUEST_LIMIT_EXCEEDED: 429,
  INTERNAL_ERROR: 500,
  TEMPORARILY_UNAVAILABLE: 503,
};

/** An error MLflow would answer with `{error_code, message}`. */
export class MlflowStoreError extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
  get status(): number {
    return ERROR_STATUS[this.errorCode] ?? 500;
  }
}

export type Message = Record<string, unknown>;

const REQUIRED_HINT = 'See the API docs for more information about request parameters.';

/** The error MLflow raises for a bad parameter (400). */
export function invalid(message: string): MlflowStoreError {
  return new MlflowStoreError('INVALID_PARAMETER_VALUE', message);
}

/** A required string parameter, as handlers._validate_param_against_schema checks it. */
export function str(m: Message, key: string, allowEmpty = false): string {
  const value = m[key];
  if (value === undefined || value === null || (value === '' && !allowEmpty)) {
    throw invalid(`Missing value for required parameter '${key}'. ${REQUIRED_HINT}`);
  }
  if (typeof value !== 'string') {
    throw invalid(
      `Invalid value ${JSON.stringify(value)} for parameter '${key}' supplied. Hint: Value was of type '${typeof value}'. ${REQUIRED_HINT}`,
    );
  }
  return value;
}

/** An optional string parameter: absent is undefined, present must be a string. */
export function optionalStr(m: Message, key: string): string | undefined {
  return m[key] === undefined || m[key] === null ? undefined : str(m, key, true);
}

/** One `<attribute> <op> '<value>'` condition (all this registry's clients send); empty matches all. */
export function parseFilter(
  filter: string | undefined,
  keys: string[],
): (row: Record<string, string>) => boolean {
  if (filter === undefined || filter.trim() === '') return () => true;
  const parsed = /^\s*([A-Za-z_]+)\s*(=|!=|LIKE|ILIKE)\s*'((?:[^']|'')*)'\s*$/i.exec(filter);
  if (!parsed) throw invalid(`Invalid filter '${filter}'`);
  const [, key = '', rawOp = '', rawValue = ''] = parsed;
  if (!keys.includes(key)) {
    throw invalid(`Invalid attribute key '${key}' specified. Valid keys are '${JSON.stringify(keys)}'`);
  }
  const value = rawValue.replace(/''/g, "'");
  const op = rawOp.toUpperCase();
  if (op === '=') return (row) => row[key] === value;
  if (op === '!=') return (row) => row[key] !== value;
  const pattern = value
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%/g, '.*')
    .replace(/_/g, '.');
  const regex = new RegExp(`^${pattern}$`, op === 'ILIKE' ? 'is' : 's');
  return (row) => regex.test(row[key] ?? '');
}

/** A comparator for `order_by` clauses (`column [ASC|DESC]`), or `fallback` when none were sent. */
export function orderBy<T>(
  raw: unknown,
  columns: Record<string, (x: T) => string | number>,
  fallback: string[],
) {
  const clauses = raw === undefined ? fallback : Array.isArray(raw) ? (raw as string[]) : [String(raw)];
  const keys = clauses.map((clause) => {
    const [column = '', direction = 'ASC', ...rest] = clause.trim().split(/\s+/);
    const get = columns[column];
    if (!get || rest.length > 0 || !/^(ASC|DESC)$/i.test(direction)) {
      throw invalid(`Invalid order_by clause '${clause}'. Could not be parsed.`);
    }
    return { get, sign: direction.toUpperCase() === 'DESC' ? -1 : 1 };
  });
  return (a: T, b: T) => {
    for (const { get, sign } of keys) {
      const [x, y] = [get(a), get(b)];
      if (x !== y) return (x < y ? -1 : 1) * sign;
    }
    return 0;
  };
}

/** MLflow's offset paging: `page_token` is base64 of `{"offset": N}` (SearchUtils.create_page_token). */
export function paginate<T>(items: T[], m: Message, defaultMax: number, threshold: number) {
  const rawMax = m.max_results;
  const max = rawMax === undefined ? defaultMax : Number(rawMax);
  if (!Number.isInteger(max) || max <= 0) {
    throw invalid(`Invalid value ${JSON.stringify(rawMax)} for parameter 'max_results' supplied.`);
  }
  if (max > threshold) {
    throw invalid(
      `Invalid value for request parameter max_results. It must be at most ${threshold}, but got value ${max}`,
    );
  }
  let offset = 0;
  const token = optionalStr(m, 'page_token');
  if (token) {
    let decoded: { offset?: unknown };
    try {
      decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown };
    } catch {
      throw invalid('Invalid page token, could not base64-decode');
    }
    if (typeof decoded.offset !== 'number')
      throw invalid(`Invalid page token, parsed value=${JSON.stringify(decoded)}`);
    offset = decoded.offset;
  }
  const next =
    offset + max < items.length
      ? Buffer.from(JSON.stringify({ offset: offset + max })).toString('base64')
      : undefined;
  return { items: items.slice(offset, offset + max), next };
}
