/**
 * The Vertex AI API clients (`@google-cloud/aiplatform` v1, gRPC), built
 * from one connection description. In production they talk to
 * `<location>-aiplatform.googleapis.com:443` with TLS and Application Default
 * Credentials. `apiEndpoint` (FG_VERTEX_API_ENDPOINT, host:port) points them
 * elsewhere; on a loopback host (a local server in tests) the channel is
 * plaintext: google-gax uses the `sslCreds` option as the channel credentials
 * instead of TLS + ADC, and `universeDomain` set explicitly keeps it from
 * looking for credentials (or a metadata server) at all.
 */
import { v1 } from '@google-cloud/aiplatform';
import { credentials } from '@grpc/grpc-js';
import { ValidationError } from '../../errors';
import type { VertexLocation } from './vertex-names';

export type ModelServiceClient = InstanceType<typeof v1.ModelServiceClient>;
export type EndpointServiceClient = InstanceType<typeof v1.EndpointServiceClient>;
export type PredictionServiceClient = InstanceType<typeof v1.PredictionServiceClient>;
export type PipelineServiceClient = InstanceType<typeof v1.PipelineServiceClient>;
export type VertexClientOptions = NonNullable<ConstructorParameters<typeof v1.ModelServiceClient>[0]>;

export interface VertexConnection extends VertexLocation {
  /** `host:port` of the Vertex AI API instead of the regional Google host (a local server in tests). */
  apiEndpoint?: string;
}

/** The four clients the Vertex adapters use; each is created on first use. */
export interface VertexClients {
  readonly model: ModelServiceClient;
  readonly endpoint: EndpointServiceClient;
  readonly prediction: PredictionServiceClient;
  readonly pipeline: PipelineServiceClient;
  /** Closes the channels of the clients that were created. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Client options for a connection: regional TLS by default, plaintext for a loopback override. */
export function vertexClientOptions(connection: VertexConnection): VertexClientOptions {
  if (connection.apiEndpoint === undefined) {
    return {
      apiEndpoint: `${connection.location}-aiplatform.googleapis.com`,
      projectId: connection.projectId,
    };
  }
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/.exec(connection.apiEndpoint);
  if (!match) {
    throw new ValidationError(
      `apiEndpoint: must be host:port, e.g. 127.0.0.1:8681 (got ${JSON.stringify(connection.apiEndpoint)})`,
      ['apiEndpoint'],
    );
  }
  const host = match[1] as string;
  const port = Number(match[2]);
  if (!LOOPBACK.has(host)) return { apiEndpoint: host, port, projectId: connection.projectId };
  return {
    apiEndpoint: host,
    port,
    projectId: connection.projectId,
    sslCreds: credentials.createInsecure(),
    universeDomain: 'googleapis.com',
  };
}

/** Clients for one connection, created lazily: the first one loads the API's protos (seconds), later ones are cheap. */
export function createVertexClients(connection: VertexConnection): VertexClients {
  const options = vertexClientOptions(connection);
  let model: ModelServiceClient | undefined;
  let endpoint: EndpointServiceClient | undefined;
  let prediction: PredictionServiceClient | undefined;
  let pipeline: PipelineServiceClient | undefined;
  return {
    get model() {
      return (model ??= new v1.ModelServiceClient(options));
    },
    get endpoint() {
      return (endpoint ??= new v1.EndpointServiceClient(options));
    },
    get prediction() {
      return (prediction ??= new v1.PredictionServiceClient(options));
    },
    get pipeline() {
      return (pipeline ??= new v1.PipelineServiceClient(options));
    },
    async close() {
      await Promise.all([model, endpoint, prediction, pipeline].map((c) => c?.close()));
    },
  };
}
