/**
 * Errors as plain JSON for log lines. `JSON.stringify(new Error('x'))` is
 * `{}`: name, message, stack and cause are not enumerable, so without this
 * every logged error would be empty. The cause chain matters most: an SDK
 * error wrapped in a BackendUnavailableError is only diagnosable through it.
 */

/** An error as it appears in a log line; extra own properties (`retryable`, `fields`, `code`) come along. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  cause?: unknown;
  errors?: unknown[];
  [property: string]: unknown;
}

const MAX_CAUSE_DEPTH = 5;

/** Serialises any thrown value; non-Error values become `{name: typeof, message: String(value)}`. */
export function serializeError(err: unknown, depth = 0): SerializedError {
  if (!(err instanceof Error)) {
    return { name: err === null ? 'null' : typeof err, message: safeString(err) };
  }
  const out: SerializedError = { name: err.name, message: err.message };
  if (err.stack) out.stack = err.stack;
  for (const [key, value] of Object.entries(err)) {
    if (key === 'cause' || key === 'name' || key === 'message' || key === 'stack') continue;
    // AggregateError's `errors` is the list of failures; serialise each.
    out[key] =
      key === 'errors' && Array.isArray(value) ? value.map((e) => serializeError(e, depth + 1)) : value;
  }
  if (err instanceof AggregateError && !('errors' in out)) {
    out.errors = err.errors.map((e) => serializeError(e, depth + 1));
  }
  if (err.cause !== undefined) {
    out.cause =
      depth + 1 >= MAX_CAUSE_DEPTH
        ? { name: 'Truncated', message: `cause chain longer than ${MAX_CAUSE_DEPTH}` }
        : err.cause instanceof Error
          ? serializeError(err.cause, depth + 1)
          : err.cause;
  }
  return out;
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
