/**
 * Which Firestore failures a transaction retries: contention and outages, and
 * of the INVALID_ARGUMENTs only a transaction the backend no longer holds
 * (expired, or unknown after the backend restarted — the fault suite's
 * Firestore restart met "Transaction is invalid or closed").
 */
import { isTransactionRetryable } from '../../../../shared/adapters/gcp/firestore-errors';

function grpcError(code: number, message: string): Error {
  return Object.assign(new Error(`${code} ${message}`), { code });
}

describe('isTransactionRetryable', () => {
  it.each([
    [10, 'ABORTED: too much contention', true],
    [14, 'UNAVAILABLE: connection refused', true],
    [3, 'INVALID_ARGUMENT: The referenced transaction has expired or is no longer valid', true],
    [3, 'INVALID_ARGUMENT: Transaction is invalid or closed.', true],
    [3, 'INVALID_ARGUMENT: Value for argument "data" is not a valid Firestore document', false],
    [7, 'PERMISSION_DENIED: Missing or insufficient permissions', false],
  ])('code %i, %s → %s', (code, message, retryable) => {
    expect(isTransactionRetryable(grpcError(code, message))).toBe(retryable);
  });
});
