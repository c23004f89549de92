/**
 * gRPC status codes (google.rpc.Code), shared by the Firestore, Pub/Sub and
 * Vertex AI error translators: one table, one way to read a code off an SDK
 * error.
 */

/** gRPC status codes by name. */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

/** Code → name, e.g. 14 → `UNAVAILABLE`. */
export const GRPC_STATUS_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(GrpcStatus).map(([name, code]) => [code, name]),
);

/** The status code an SDK error carries, if it has one. */
export function grpcCodeOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}
