/**
 * Turns @google-cloud/pubsub (gRPC) errors into the error classes handlers
 * decide on: transient codes are retryable, a missing topic or subscription
 * is NotFoundError, a refused request is ValidationError.
 */
import {
  BackendUnavailableError,
  ConflictError,
  ForecastGuardError,
  NotFoundError,
  ValidationError,
} from '../../errors';

import { GrpcStatus as GrpcCode, grpcCodeOf as grpcCode } from './grpc-status';

export { GrpcCode, grpcCode };

/** `action` says what was attempted, e.g. `publish to topic alerts`; it leads the message. */
export function translatePubSubError(err: unknown, action: string): ForecastGuardError {
  if (err instanceof ForecastGuardError) return err;
  const code = grpcCode(err);
  const detail = (err as { details?: unknown; message?: unknown } | null) ?? {};
  const text = String(detail.details || detail.message || err);
  const message = `Pub/Sub: ${action} failed: ${text}`;
  switch (code) {
    case GrpcCode.NOT_FOUND:
      return new NotFoundError(message, { cause: err });
    case GrpcCode.ALREADY_EXISTS:
    case GrpcCode.FAILED_PRECONDITION:
      return new ConflictError(message, { cause: err });
    case GrpcCode.INVALID_ARGUMENT:
      return new ValidationError(message, [], { cause: err });
    case GrpcCode.PERMISSION_DENIED:
    case GrpcCode.UNAUTHENTICATED:
      // Retrying will not grant the missing role; someone has to.
      return new BackendUnavailableError(message, 'pubsub', { cause: err, retryable: false });
    default:
      // UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL,
      // and anything unknown (a dropped connection has no code).
      return new BackendUnavailableError(message, 'pubsub', { cause: err, retryable: true });
  }
}
