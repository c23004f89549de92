/**
 * A local Vertex AI API for tests: a gRPC server built from the protos that
 * `@google-cloud/aiplatform` ships, implementing the ModelService,
 * EndpointService, PredictionService and PipelineService RPCs the Vertex
 * adapters use (plus google.longrunning.Operations), in memory, with
 * Vertex's validation rules. The real Node client talks to it over
 * plaintext gRPC on 127.0.0.1 (see vertex-clients.ts for how).
 *
 * Configured like real Vertex: per-region request quotas (quota.ts),
 * long-running deployments that take time, Explain refused without an
 * explanation spec, resource names with the project number when given one
 * (WorldOptions). `seedPipelineFleet` seeds the publisher's own fleet.
 *
 *   const server = await startVertexServer();
 *   const clients = createVertexClients({ projectId, location: 'europe-west2', apiEndpoint: server.apiEndpoint });
 */
import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { PipelineRunInput } from '../../../shared/contracts/model';
import type { VertexLocation } from '../../../shared/adapters/gcp/vertex-names';
import { endpointService } from './endpoint-service';
import { modelService } from './model-service';
import { operationsService } from './operations-service';
import { pipelineService, seedPipelineJob } from './pipeline-service';
import { predictionService } from './prediction-service';
import { withServerRules } from './middleware';
import { SERVICE_NAMES, serviceDefinition } from './protos';
import type { WorldOptions } from './world';
import { VertexWorld } from './world';

export type { ContainerBehaviour } from './container';
export { DOCUMENTED_QUOTAS, QUOTA_CLASS_OF, type QuotaClass, type QuotaOptions } from './quota';
export {
  PIPELINE_ENDPOINT_LABELS,
  PIPELINE_MODEL_LABELS,
  seedPipelineFleet,
  type PipelineFleetOptions,
  type SeededBook,
} from './pipeline-fleet';
export type { WorldOptions } from './world';
export { VertexWorld } from './world';

export interface LocalVertexServer {
  /** `127.0.0.1:<port>`, for FG_VERTEX_API_ENDPOINT / `createVertexClients({apiEndpoint})`. */
  readonly apiEndpoint: string;
  readonly port: number;
  /** The server's state: read it to check what an adapter did, or change its clock and random source. */
  readonly world: VertexWorld;
  /** Creates or advances a PipelineJob (Vertex runs them; here tests do). */
  seedPipelineJob(where: VertexLocation, run: PipelineRunInput): void;
  stop(): Promise<void>;
}

/** Starts the server on a free loopback port. */
export async function startVertexServer(options: WorldOptions = {}): Promise<LocalVertexServer> {
  const world = new VertexWorld(options);
  const server = new Server();
  const add = (
    name: (typeof SERVICE_NAMES)[keyof typeof SERVICE_NAMES],
    impl: ReturnType<typeof modelService>,
  ) => server.addService(serviceDefinition(name), withServerRules(world, impl));
  add(SERVICE_NAMES.model, modelService(world));
  add(SERVICE_NAMES.endpoint, endpointService(world));
  add(SERVICE_NAMES.prediction, predictionService(world));
  add(SERVICE_NAMES.pipeline, pipelineService(world));
  add(SERVICE_NAMES.operations, operationsService(world));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  return {
    apiEndpoint: `127.0.0.1:${port}`,
    port,
    world,
    seedPipelineJob: (where, run) => seedPipelineJob(world, where, run),
    stop: () =>
      new Promise<void>((resolve) => {
        // Clients may still hold channels open; give them a moment, then cut them off.
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
