/**
 * Machine and replicas a version is deployed with on a Vertex AI endpoint.
 * Apart from vertex-serving-target.ts, whose import loads
 * `@google-cloud/aiplatform` (most of a second), so the cost wiring (the CLI,
 * the local stack) reads the defaults without loading the Vertex client.
 */

/** Machine and replicas for each deployed version (Vertex DedicatedResources). */
export interface DeploymentResources {
  machineType: string;
  minReplicaCount: number;
  maxReplicaCount: number;
}

export const DEFAULT_RESOURCES: DeploymentResources = {
  machineType: 'n1-standard-2',
  minReplicaCount: 1,
  maxReplicaCount: 1,
};
