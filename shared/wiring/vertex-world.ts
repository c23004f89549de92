/**
 * The Google Cloud model world: Vertex AI Model Registry (or MLflow) for
 * versions, Vertex AI endpoints for serving, PipelineJobs for runs. Kept
 * apart from backend.ts and loaded only when a config needs it, because
 * loading `@google-cloud/aiplatform` costs about a second of CPU per process,
 * which every function process on the embedded backend would otherwise pay
 * at cold start (the local stack runs eight of them).
 */
import type { Config } from '../config';
import { createVertexClients } from '../adapters/gcp/vertex-clients';
import { VertexRegistryVersions } from '../adapters/gcp/vertex-book-versions';
import { MlflowVertexVersions } from '../adapters/gcp/vertex-mlflow-versions';
import { VertexModelRegistry } from '../adapters/gcp/vertex-model-registry';
import { VertexPipelineMonitor } from '../adapters/gcp/vertex-pipeline-monitor';
import { VertexServingTarget } from '../adapters/gcp/vertex-serving-target';
import { MlflowModelRegistry } from '../adapters/mlflow/mlflow-model-registry';
import type { ModelRegistry } from '../ports/model-registry';
import type { PipelineMonitor } from '../ports/pipeline-monitor';
import type { ServingTarget } from '../ports/serving-target';

/** Registry, serving and pipelines on Vertex AI (MLflow as the registry when configured). */
export function openVertexWorld(
  config: Config,
  where: { projectId: string; location: string },
  closers: Array<() => Promise<void> | void>,
): { registry: ModelRegistry; serving: ServingTarget; pipelines: PipelineMonitor } {
  const clients = createVertexClients({
    ...where,
    apiEndpoint: config.gcp.vertexApiEndpoint,
    deadlineMs: config.gcp.vertexDeadlineMs,
    lroDeadlineMs: config.gcp.vertexLroDeadlineMs,
    quota: { share: config.gcp.vertexQuotaShare, quotas: config.gcp.vertexQuotas },
  });
  closers.push(() => clients.close());
  const mlflow = config.registry === 'mlflow' && config.mlflow;
  const registry: ModelRegistry = mlflow
    ? new MlflowModelRegistry({
        trackingUri: mlflow.trackingUri,
        token: mlflow.token,
        pipelineTrainStart: config.pipeline.trainStart,
      })
    : new VertexModelRegistry({ ...where, clients });
  // With MLflow as the registry, a Vertex Model serves the MLflow version the README's rule names.
  const versions = mlflow
    ? new MlflowVertexVersions(clients, where, registry)
    : new VertexRegistryVersions(clients, where);
  const serving = new VertexServingTarget({
    ...where,
    clients,
    endpointPrefix: config.gcp.vertexEndpointPrefix,
    ...(config.gcp.vertexEndpointPattern === undefined
      ? {}
      : { endpointPattern: config.gcp.vertexEndpointPattern }),
    ...(config.gcp.vertexEndpointLabels === undefined
      ? {}
      : { endpointLabels: { ...config.gcp.vertexEndpointLabels } }),
    ...(config.gcp.vertexValidationEndpoint === undefined
      ? {}
      : { validationEndpoint: config.gcp.vertexValidationEndpoint }),
    versions,
    // One bound on waiting for a deployment: the clients' polling and the adapter give up together.
    deployTimeoutMs: config.gcp.vertexLroDeadlineMs,
    // The serving container answers without dates: they come from the version's training window.
    trainedThroughOf: async (isbn, version) => (await registry.getVersion(isbn, version))?.trainedThrough,
  });
  return { registry, serving, pipelines: new VertexPipelineMonitor({ ...where, clients }) };
}
