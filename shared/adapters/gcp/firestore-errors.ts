/**
 * Turns Firestore SDK errors (gRPC status codes) into the classes of
 * shared/errors.ts, so handlers decide retry from `retryable` alone:
 * contention and outages may clear, bad requests and missing rights will not.
 */
import {
  BackendUnavailableError,
  ConflictError,
  ForecastGuardError,
  NotFoundError,
  ValidationError,
} from '../../errors';

const CODE_NAMES: Record<number, string> = {
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  10: 'ABORTED',
  11: 'OUT_OF_RANGE',
  12: 'UNIMPLEMENTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  15: 'DATA_LOSS',
  16: 'UNAUTHENTICATED',
  409: 'ABORTED (HTTP 409)',
};

/** Codes after which a transaction attempt may succeed again: the SDK's own list (transaction.js). */
const TRANSACTION_RETRY_CODES = new Set([1, 2, 4, 8, 10, 13, 14, 16, 409]);
/** Codes after which a plain call may succeed again. */
const RETRYABLE_CODES = new Set([1, 2, 4, 8, 10, 13, 14, 409]);

/** The gRPC (or HTTP, on the REST fallback) status code of an SDK error, if it has one. */
export function statusCode(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

/** True when a failed transaction attempt should be run again (contention, an outage, an expired transaction). */
export function isTransactionRetryable(err: unknown): boolean {
  const code = statusCode(err);
  if (code === undefined) return false;
  if (code === 3) return /transaction has expired/i.test(String((err as Error).message));
  return TRANSACTION_RETRY_CODES.has(code);
}

/**
 * The error as a ForecastGuardError. Errors without a status code are not
 * Firestore's: inside a transaction they are the callback's own and pass
 * through untouched (`passUncoded`); elsewhere they are SDK misuse, wrapped
 * as non-retryable.
 */
export function fromFirestoreError(err: unknown, operation: string, passUncoded = false): unknown {
  if (err instanceof ForecastGuardError) return err;
  const code = statusCode(err);
  const detail = err instanceof Error ? err.message : String(err);
  if (code === undefined) {
    if (passUncoded) return err;
    return new BackendUnavailableError(`firestore ${operation} failed: ${detail}`, 'firestore', {
      cause: err,
      retryable: false,
    });
  }
  const message = `firestore ${operation} failed (${CODE_NAMES[code] ?? code}): ${detail}`;
  switch (code) {
    case 6:
      return new ConflictError(message, { cause: err });
    case 9:
      // Also what a query without its composite index reports; the message carries the index link.
      return new ConflictError(message, { cause: err });
    case 5:
      return new NotFoundError(message, { cause: err });
    case 3:
    case 11:
      return new ValidationError(message, [], { cause: err });
    default:
      return new BackendUnavailableError(message, 'firestore', {
        cause: err,
        retryable: RETRYABLE_CODES.has(code),
      });
  }
}
