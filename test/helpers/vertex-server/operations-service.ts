/**
 * google.longrunning.Operations for the local Vertex AI server. Every
 * operation it starts is done when returned, so the client never polls; a
 * GetOperation still answers, as Vertex's would.
 */
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Message } from './rpc';
import { invalid, notFound, unary } from './rpc';
import type { VertexWorld } from './world';

export function operationsService(world: VertexWorld): UntypedServiceImplementation {
  const getOperation = (request: Message) => {
    if (typeof request.name !== 'string' || request.name === '') throw invalid('name is required.');
    const operation = world.operations.get(request.name);
    if (!operation) throw notFound(`Operation ${request.name} not found.`);
    return operation;
  };
  return { GetOperation: unary(getOperation) };
}
