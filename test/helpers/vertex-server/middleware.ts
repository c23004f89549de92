/**
 * What the local Vertex server does around every RPC, before the handler
 * runs: the slow-answer mode (so client deadlines can be tested), finishing
 * long-running operations whose time has come, rewriting project ids to
 * project numbers (Vertex answers with numbers), and charging the request to
 * its per-region quota (quota.ts).
 */
import type { handleUnaryCall, ServerUnaryCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import { RpcError, type Message } from './rpc';
import type { VertexWorld } from './world';

/** The first `projects/P/locations/L` a request names (parent, name, endpoint, model.name, …). */
export function locationOf(request: unknown): string | undefined {
  if (typeof request === 'string') return /^projects\/[^/]+\/locations\/[^/]+/.exec(request)?.[0];
  if (!request || typeof request !== 'object' || Buffer.isBuffer(request)) return undefined;
  for (const key of ['parent', 'name', 'endpoint', 'model', 'pipelineJob']) {
    const found = locationOf((request as Message)[key]);
    if (found) return found;
  }
  return undefined;
}

/** Rewrites, in place, every `projects/<id>/…` string of a decoded request to the project number. */
function canonicalise(world: VertexWorld, value: unknown): unknown {
  if (world.projectNumbers.size === 0) return value;
  if (typeof value === 'string') return value.startsWith('projects/') ? world.canonicalName(value) : value;
  if (Array.isArray(value)) {
    value.forEach((item, i) => (value[i] = canonicalise(world, item)));
  } else if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    const record = value as Message;
    for (const key of Object.keys(record)) record[key] = canonicalise(world, record[key]);
  }
  return value;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function wrap(world: VertexWorld, method: string, handler: handleUnaryCall<Message, unknown>) {
  return async (call: ServerUnaryCall<Message, unknown>, callback: Parameters<typeof handler>[1]) => {
    if (world.responseDelayMs > 0) {
      await sleep(world.responseDelayMs);
      // The client gave up (its deadline passed): a real server's answer would be dropped too.
      if (call.cancelled) return;
    }
    try {
      world.settle();
      canonicalise(world, call.request);
      const location = locationOf(call.request);
      if (location !== undefined) world.quota.charge(method, location);
    } catch (err) {
      if (err instanceof RpcError) return callback({ code: err.code, details: err.message });
      return callback({ code: status.INTERNAL, details: `local Vertex server bug: ${String(err)}` });
    }
    handler(call, callback);
  };
}

/** Every unary handler of a service implementation, wrapped. */
export function withServerRules(
  world: VertexWorld,
  implementation: UntypedServiceImplementation,
): UntypedServiceImplementation {
  return Object.fromEntries(
    Object.entries(implementation).map(([method, handler]) => [
      method,
      wrap(world, method, handler as handleUnaryCall<Message, unknown>),
    ]),
  ) as UntypedServiceImplementation;
}
