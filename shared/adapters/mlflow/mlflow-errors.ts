/**
 * Turns MLflow REST answers and fetch failures into the classes of
 * shared/errors.ts, so handlers decide retry from `retryable` alone.
 *
 * | MLflow says | becomes |
 * |---|---|
 * | 404 `RESOURCE_DOES_NOT_EXIST` | NotFoundError |
 * | 400 (`INVALID_PARAMETER_VALUE`, `RESOURCE_ALREADY_EXISTS`, `BAD_REQUEST`) | ValidationError |
 * | 401 / 403 | BackendUnavailableError, not retryable, naming authentication |
 * | 404 without an MLflow error, 405 | BackendUnavailableError, not retryable: the URL is not an MLflow API |
 * | 408, 429, 5xx, network errors, timeouts | BackendUnavailableError, retryable |
 *
 * The original answer travels as `cause` (an MlflowApiError with status and
 * `error_code`), so the adapter can tell RESOURCE_ALREADY_EXISTS from other 400s.
 * Messages never hold the token or a password: `redact` scrubs them.
 */
import {
  BackendUnavailableError,
  type ForecastGuardError,
  NotFoundError,
  ValidationError,
} from '../../errors';

/** The `backend` every MLflow BackendUnavailableError names. */
export const MLFLOW_BACKEND = 'mlflow';

/** Server messages are echoed at most this long: an HTML error page must not flood a log line. */
const MESSAGE_LIMIT = 300;

/** What an MLflow server answered: the HTTP status and, when the body was MLflow's JSON, its error code. */
export class MlflowApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errorCode: string | undefined,
  ) {
    super(message);
    this.name = 'MlflowApiError';
  }
}

/** The MLflow `error_code` behind an error this module built (e.g. `RESOURCE_ALREADY_EXISTS`), if any. */
export function mlflowErrorCode(err: unknown): string | undefined {
  const cause = err instanceof Error ? err.cause : undefined;
  return cause instanceof MlflowApiError ? cause.errorCode : undefined;
}

/** What one request was, for messages: `GET registered-models/get`. */
export interface RequestLabel {
  method: string;
  endpoint: string;
  /** Removes secrets (token, password) from any text that may echo them. */
  redact: (text: string) => string;
}

/** The error for a non-2xx answer; `body` is the raw response text. */
export function fromMlflowResponse(status: number, body: string, request: RequestLabel): ForecastGuardError {
  const { errorCode, message } = readErrorBody(body);
  const said = request.redact(shorten(message ?? bodyPreview(body)));
  const what = `MLflow ${request.method} ${request.endpoint} answered ${status}${errorCode ? ` ${errorCode}` : ''}`;
  const cause = new MlflowApiError(`${what}: ${said}`, status, errorCode);
  const text = said ? `${what}: ${said}` : what;

  if (
    status === 401 ||
    status === 403 ||
    errorCode === 'UNAUTHENTICATED' ||
    errorCode === 'PERMISSION_DENIED'
  ) {
    return new BackendUnavailableError(
      `${text} (authentication refused: check MLFLOW_TRACKING_TOKEN and the server's permissions)`,
      MLFLOW_BACKEND,
      { cause, retryable: false },
    );
  }
  if (status === 404 && errorCode !== undefined && errorCode !== 'ENDPOINT_NOT_FOUND') {
    return new NotFoundError(text, { cause });
  }
  if (status === 404 || status === 405) {
    // Flask's own 404/405 (an HTML page): the URL reached a server, but not an MLflow API there.
    return new BackendUnavailableError(
      `${text} (no such MLflow endpoint: is MLFLOW_TRACKING_URI the MLflow server, with its static prefix?)`,
      MLFLOW_BACKEND,
      { cause, retryable: false },
    );
  }
  if (status === 400) return new ValidationError(text, parameterNamed(message), { cause });
  if (status === 408 || status === 429 || status >= 500) {
    return new BackendUnavailableError(text, MLFLOW_BACKEND, { cause });
  }
  return new BackendUnavailableError(text, MLFLOW_BACKEND, { cause, retryable: false });
}

/** The error for a request that got no answer: refused, reset, DNS, or the timeout fired. */
export function fromFetchFailure(err: unknown, request: RequestLabel, baseUrl: string, timeoutMs: number) {
  // Duck-typed, not instanceof: fetch's errors come from Node's own realm, not a test sandbox's.
  const name = field(err, 'name');
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new BackendUnavailableError(
      `MLflow ${request.method} ${request.endpoint} timed out after ${timeoutMs} ms (${baseUrl})`,
      MLFLOW_BACKEND,
      { cause: err },
    );
  }
  // undici reports "fetch failed" and keeps the useful part (ECONNREFUSED, ENOTFOUND) in cause.
  const inner = typeof err === 'object' && err !== null && 'cause' in err && err.cause ? err.cause : err;
  const detail = field(inner, 'code') ?? field(inner, 'message') ?? String(inner);
  return new BackendUnavailableError(
    request.redact(`MLflow ${request.method} ${request.endpoint} could not reach ${baseUrl}: ${detail}`),
    MLFLOW_BACKEND,
    { cause: err },
  );
}

function field(value: unknown, key: 'name' | 'code' | 'message'): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const found = (value as Record<string, unknown>)[key];
  return typeof found === 'string' && found !== '' ? found : undefined;
}

/** A 2xx answer whose body is not what the REST API promises: retrying will not fix it. */
export function unexpectedBody(request: RequestLabel, problem: string): BackendUnavailableError {
  return new BackendUnavailableError(
    request.redact(
      `MLflow ${request.method} ${request.endpoint} answered an unexpected body: ${shorten(problem)}`,
    ),
    MLFLOW_BACKEND,
    { retryable: false },
  );
}

function readErrorBody(body: string): { errorCode?: string; message?: string } {
  try {
    const parsed = JSON.parse(body) as { error_code?: unknown; message?: unknown };
    return {
      errorCode: typeof parsed.error_code === 'string' ? parsed.error_code : undefined,
      message: typeof parsed.message === 'string' ? parsed.message : undefined,
    };
  } catch {
    return {};
  }
}

function bodyPreview(body: string): string {
  // An HTML error page says little beyond its title; plain text is kept as it is.
  const title = /<title>([^<]*)<\/title>/i.exec(body)?.[1];
  return (title ?? body.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
}

function shorten(text: string): string {
  return text.length > MESSAGE_LIMIT ? `${text.slice(0, MESSAGE_LIMIT - 1)}…` : text;
}

/** "Missing value for required parameter 'name'" → ['name']: the field a ValidationError names. */
function parameterNamed(message: string | undefined): string[] {
  const match = message && /parameter '([^']+)'/.exec(message);
  return match && match[1] ? [match[1]] : [];
}
