/**
 * google.longrunning.Operations for the local Vertex AI server. Operations
 * that take time (world.startOperation) answer `done: false` until the
 * server's clock reaches their end; GetOperation polls, WaitOperation blocks
 * until done or its timeout (default and at most 60 s here), as the
 * operations.proto describes.
 */
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Message } from './rpc';
import { invalid, notFound, unary } from './rpc';
import type { VertexWorld } from './world';

const WAIT_LIMIT_MS = 60_000;

/** google.protobuf.Duration as proto-loader decodes it → ms. */
function durationMs(value: unknown): number | undefined {
  const d = value as { seconds?: string | number; nanos?: number } | undefined;
  if (!d) return undefined;
  return Number(d.seconds ?? 0) * 1000 + Math.floor((d.nanos ?? 0) / 1e6);
}

export function operationsService(world: VertexWorld): UntypedServiceImplementation {
  const getOperation = (request: Message) => {
    if (typeof request.name !== 'string' || request.name === '') throw invalid('name is required.');
    world.settle();
    const operation = world.operations.get(request.name);
    if (!operation) throw notFound(`Operation ${request.name} not found.`);
    return operation;
  };

  const waitOperation = async (request: Message) => {
    const name = request.name;
    const first = getOperation(request);
    if (first.done) return first;
    const budget = Math.min(durationMs(request.timeout) ?? WAIT_LIMIT_MS, WAIT_LIMIT_MS);
    const due = world.operationDueAt(String(name));
    const wait = due === undefined ? 0 : Math.max(0, Math.min(budget, due - world.now().getTime()));
    await new Promise((resolve) => setTimeout(resolve, wait));
    return getOperation(request);
  };

  return { GetOperation: unary(getOperation), WaitOperation: unary(waitOperation) };
}
