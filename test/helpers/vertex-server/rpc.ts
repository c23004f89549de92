/**
 * Plumbing for the local Vertex AI server's handlers: errors that carry a
 * gRPC status, a wrapper that turns a handler's result or throw into the
 * unary callback, resource-name parsing and list paging as Vertex does them.
 */
import type { handleUnaryCall, ServerUnaryCall } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';

/** An error the server answers with: a gRPC status and Vertex-like text. */
export class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

export const invalid = (message: string) => new RpcError(status.INVALID_ARGUMENT, message);
export const notFound = (message: string) => new RpcError(status.NOT_FOUND, message);
export const conflict = (message: string) => new RpcError(status.FAILED_PRECONDITION, message);
export const exists = (message: string) => new RpcError(status.ALREADY_EXISTS, message);

/** Any request message as proto-loader decodes it. */
export type Message = Record<string, unknown>;

/** A unary handler from a plain function: its value (or promise) is the response, an RpcError its status. */
export function unary<Req = Message>(fn: (request: Req) => unknown): handleUnaryCall<Req, unknown> {
  return (call: ServerUnaryCall<Req, unknown>, callback) => {
    const fail = (err: unknown) => {
      if (err instanceof RpcError) callback({ code: err.code, details: err.message });
      else callback({ code: status.INTERNAL, details: `local Vertex server bug: ${String(err)}` });
    };
    try {
      const result = fn(call.request);
      if (result instanceof Promise) result.then((value) => callback(null, value), fail);
      else callback(null, result);
    } catch (err) {
      fail(err);
    }
  };
}

/** `projects/P/locations/L`, checked. */
export function requireParent(parent: unknown): string {
  if (typeof parent !== 'string' || !/^projects\/[^/]+\/locations\/[^/]+$/.test(parent)) {
    throw invalid(`parent must be projects/{project}/locations/{location}, got ${JSON.stringify(parent)}`);
  }
  return parent;
}

/** Splits `…/<collection>/<id>[@ref]` into its parent, the resource name without `@ref`, and the ref. */
export function parseName(
  name: unknown,
  collection: 'models' | 'endpoints' | 'pipelineJobs' | 'operations',
): { parent: string; resource: string; ref?: string } {
  const match =
    typeof name === 'string'
      ? new RegExp(`^(projects/[^/]+/locations/[^/]+)/${collection}/([^/@]+)(?:@([^/]+))?$`).exec(name)
      : null;
  if (!match)
    throw invalid(`name must be projects/*/locations/*/${collection}/*, got ${JSON.stringify(name)}`);
  const [, parent, id, ref] = match as unknown as [string, string, string, string | undefined];
  return { parent, resource: `${parent}/${collection}/${id}`, ...(ref === undefined ? {} : { ref }) };
}

/** Default and largest page sizes of the local server's listings. */
const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

/** One page of `items` from a `pageToken` (an offset, as text) and `pageSize`. */
export function page<T>(items: T[], request: Message): { items: T[]; nextPageToken: string } {
  const size = Math.min(Number(request.pageSize) || DEFAULT_PAGE, MAX_PAGE);
  const token = typeof request.pageToken === 'string' && request.pageToken !== '' ? request.pageToken : '0';
  const start = Number(token);
  if (!Number.isInteger(start) || start < 0)
    throw invalid(`page_token ${JSON.stringify(token)} is not valid`);
  const slice = items.slice(start, start + size);
  return { items: slice, nextPageToken: start + size < items.length ? String(start + size) : '' };
}

/** The paths of a FieldMask, snake_case as Vertex names them. */
export function maskPaths(mask: unknown): string[] {
  const paths = (mask as { paths?: unknown } | undefined)?.paths;
  if (!Array.isArray(paths) || paths.length === 0) throw invalid('update_mask is required');
  return paths.map((p) => String(p).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
}
