/**
 * Turns Vertex AI client errors (gRPC status codes from google-gax) into the
 * classes of shared/errors.ts, so handlers decide retry from `retryable`
 * alone: NOT_FOUND → NotFoundError, INVALID_ARGUMENT → ValidationError,
 * FAILED_PRECONDITION / ALREADY_EXISTS → ConflictError, and outages
 * (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, INTERNAL, ABORTED, …)
 * → BackendUnavailableError, retryable.
 */
import {
  BackendUnavailableError,
  ConflictError,
  ForecastGuardError,
  NotFoundError,
  ValidationError,
} from '../../errors';

/** The `backend` name on BackendUnavailableErrors from these adapters. */
export const VERTEX_BACKEND = 'vertex-ai';

export { GrpcStatus, grpcCodeOf } from './grpc-status';
import { GRPC_STATUS_NAMES as CODE_NAMES, GrpcStatus, grpcCodeOf } from './grpc-status';

/** Codes after which the same call may succeed later. */
const RETRYABLE = new Set<number>([
  GrpcStatus.CANCELLED,
  GrpcStatus.UNKNOWN,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.RESOURCE_EXHAUSTED,
  GrpcStatus.ABORTED,
  GrpcStatus.INTERNAL,
  GrpcStatus.UNAVAILABLE,
]);

/** True when `err` carries the given gRPC status code. */
export function hasGrpcCode(err: unknown, code: number): boolean {
  return grpcCodeOf(err) === code;
}

/**
 * Field paths a server message names the way our own validation does
 * (`instances[3].steps: …`), so a ValidationError from the endpoint lists
 * the same fields a client-side check would have.
 */
export function fieldsNamedIn(message: string): string[] {
  const fields = new Set<string>();
  for (const match of message.matchAll(/(?:^|[\s;:])(instances\[\d+\](?:\.[A-Za-z_][\w]*)*):/g)) {
    if (match[1] !== undefined) fields.add(match[1]);
  }
  return [...fields];
}

/**
 * The error as a ForecastGuardError; `action` says what was attempted
 * (`list versions of 9780…`) and leads the message. Our own errors pass
 * through unchanged.
 */
export function translateVertexError(err: unknown, action: string): ForecastGuardError {
  if (err instanceof ForecastGuardError) return err;
  const code = grpcCodeOf(err);
  const raw = err as { details?: unknown; message?: unknown } | null;
  // gax puts the server's own text in `details`; `message` repeats it after "5 NOT_FOUND: ".
  const text = String(raw?.details || raw?.message || err);
  const status = code === undefined ? 'no status' : (CODE_NAMES.get(code) ?? String(code));
  const message = `Vertex AI: ${action} failed (${status}): ${text}`;
  switch (code) {
    case GrpcStatus.NOT_FOUND:
      return new NotFoundError(message, { cause: err });
    case GrpcStatus.INVALID_ARGUMENT:
    case GrpcStatus.OUT_OF_RANGE:
      return new ValidationError(message, fieldsNamedIn(text), { cause: err });
    case GrpcStatus.FAILED_PRECONDITION:
    case GrpcStatus.ALREADY_EXISTS:
      return new ConflictError(message, { cause: err });
    case GrpcStatus.PERMISSION_DENIED:
    case GrpcStatus.UNAUTHENTICATED:
    case GrpcStatus.UNIMPLEMENTED:
      // Retrying will not grant a missing role nor add a missing RPC: someone has to act.
      return new BackendUnavailableError(message, VERTEX_BACKEND, { cause: err, retryable: false });
    default:
      // Outages, and errors without a code (a dropped connection, a client bug): retry decides.
      return new BackendUnavailableError(message, VERTEX_BACKEND, {
        cause: err,
        retryable: code === undefined || RETRYABLE.has(code),
      });
  }
}

/** Runs one Vertex call and rethrows its failure translated. */
export async function vertexCall<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw translateVertexError(err, action);
  }
}

/** Runs one Vertex read; NOT_FOUND becomes `undefined` (the thing is not there), anything else is translated. */
export async function vertexRead<T>(action: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    if (hasGrpcCode(err, GrpcStatus.NOT_FOUND)) return undefined;
    throw translateVertexError(err, action);
  }
}
