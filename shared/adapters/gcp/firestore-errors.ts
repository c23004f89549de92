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
import { GRPC_STATUS_NAMES, grpcCodeOf } from './grpc-status';

const CODE_NAMES: Record<number, string> = {
  ...Object.fromEntries(GRPC_STATUS_NAMES),
  409: 'ABORTED (HTTP 409)',
};

/** Codes after which a transaction attempt may succeed again: the SDK's own list (transaction.js). */
const TRANSACTION_RETRY_CODES = new Set([1, 2, 4, 8, 10, 13, 14, 16, 409]);
/** Codes after which a plain call may succeed again. */
const RETRYABLE_CODES = new Set([1, 2, 4, 8, 10, 13, 14, 409]);

/** The gRPC (or HTTP, on the REST fallback) status code of an SDK error, if it has one. */
export function statusCode(err: unknown): number | undefined {
  return grpcCodeOf(err);
}

/** True when a failed transaction attempt should be run again (contention, an outage, an expired transaction). */
export function isTransactionRetryable(err: unknown): boolean {
  const code = statusCode(err);
  if (code === undefined) return false;
  // INVALID_ARGUMENT is final except for a transaction the backend no longer holds: expired, or unknown
  // to it after it restarted ("Transaction is invalid or closed", the Firestore emulator after a restart).
  // A fresh attempt is safe either way: the refused commit applied nothing.
  if (code === 3)
    return /transaction has expired|transaction is invalid or closed/i.test(String((err as Error).message));
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
