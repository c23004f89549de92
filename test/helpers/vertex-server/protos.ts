/**
 * The Vertex AI v1 service definitions, loaded with @grpc/proto-loader from
 * the .proto files `@google-cloud/aiplatform` ships (common Google protos
 * come from its google-gax). Loaded once per process: it takes about a second.
 */
import { dirname, join } from 'node:path';
import { protos } from '@google-cloud/aiplatform';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { PackageDefinition } from '@grpc/proto-loader';

const AIPLATFORM_MAIN = require.resolve('@google-cloud/aiplatform');
const AIPLATFORM_PROTOS = join(dirname(AIPLATFORM_MAIN), '../protos');
const GAX_PROTOS = join(
  dirname(require.resolve('google-gax', { paths: [dirname(AIPLATFORM_MAIN)] })),
  '../protos',
);

const FILES = [
  'google/cloud/aiplatform/v1/model_service.proto',
  'google/cloud/aiplatform/v1/endpoint_service.proto',
  'google/cloud/aiplatform/v1/prediction_service.proto',
  'google/cloud/aiplatform/v1/pipeline_service.proto',
  'google/longrunning/operations.proto',
];

/** The services the local server implements, by their full proto name. */
export const SERVICE_NAMES = {
  model: 'google.cloud.aiplatform.v1.ModelService',
  endpoint: 'google.cloud.aiplatform.v1.EndpointService',
  prediction: 'google.cloud.aiplatform.v1.PredictionService',
  pipeline: 'google.cloud.aiplatform.v1.PipelineService',
  operations: 'google.longrunning.Operations',
} as const;

let loaded: PackageDefinition | undefined;

/** One service's definition, for `server.addService`. */
export function serviceDefinition(
  name: (typeof SERVICE_NAMES)[keyof typeof SERVICE_NAMES],
): ServiceDefinition {
  // Plain objects, enum names and int64 as strings: the shapes the Node client itself decodes to.
  loaded ??= loadSync(FILES, {
    includeDirs: [AIPLATFORM_PROTOS, GAX_PROTOS],
    keepCase: false,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  const definition = loaded[name];
  if (!definition) throw new Error(`${name} is not in the loaded Vertex AI protos`);
  return definition as ServiceDefinition;
}

/** Messages an operation's `response` may carry. */
export type OperationResponseType =
  'UploadModelResponse' | 'Endpoint' | 'DeployModelResponse' | 'UndeployModelResponse';

/** A message packed into google.protobuf.Any, encoded with the aiplatform package's static protos. */
export function packAny(type: OperationResponseType, message: object): { typeUrl: string; value: Buffer } {
  const codec = protos.google.cloud.aiplatform.v1[type] as unknown as {
    fromObject(o: object): unknown;
    encode(m: unknown): { finish(): Uint8Array };
  };
  return {
    typeUrl: `type.googleapis.com/google.cloud.aiplatform.v1.${type}`,
    value: Buffer.from(codec.encode(codec.fromObject(message)).finish()),
  };
}
