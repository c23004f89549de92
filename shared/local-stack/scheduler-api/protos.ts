/**
 * The Cloud Scheduler v1 service definition, loaded with @grpc/proto-loader
 * from the .proto files `@google-cloud/scheduler` ships
 * (build/protos/google/cloud/scheduler/v1/{cloudscheduler,job,target}.proto;
 * the common Google protos come from its google-gax), so the local server
 * speaks exactly the API the client was generated from.
 */
import { dirname, join } from 'node:path';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';

const SCHEDULER_MAIN = require.resolve('@google-cloud/scheduler');
const SCHEDULER_PROTOS = join(dirname(SCHEDULER_MAIN), '../protos');
const GAX_PROTOS = join(
  dirname(require.resolve('google-gax', { paths: [dirname(SCHEDULER_MAIN)] })),
  '../protos',
);

export const CLOUD_SCHEDULER_SERVICE = 'google.cloud.scheduler.v1.CloudScheduler';

let loaded: PackageDefinition | undefined;

/** The CloudScheduler service, for `server.addService`. */
export function cloudSchedulerDefinition(): ServiceDefinition {
  // Plain objects, enum names, int64 as strings: the shapes the Node client itself decodes to.
  loaded ??= loadSync(['google/cloud/scheduler/v1/cloudscheduler.proto'], {
    includeDirs: [SCHEDULER_PROTOS, GAX_PROTOS],
    keepCase: false,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  const definition = loaded[CLOUD_SCHEDULER_SERVICE];
  if (!definition)
    throw new Error(`${CLOUD_SCHEDULER_SERVICE} is not in the protos @google-cloud/scheduler ships`);
  return definition as ServiceDefinition;
}
