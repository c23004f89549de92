/**
 * Seeds the local Vertex server with a fleet exactly as the publisher's
 * pipeline builds it (deploy/03_deploy_to_vertex_endpoints.py; fixtures
 * 9-publisher-pipeline/vertex.model.json and vertex.endpoint.json):
 *
 * - every upload is `Model.upload` WITHOUT parent_model: a new Model with a
 *   generated numeric id, version "1", display name `arima_book_<ISBN>`,
 *   labels {model_type: arima, framework: mlflow_statsmodels, isbn,
 *   deployment_type: vertex_ai_cpr, serving_format: custom_prediction_routine},
 *   a custom container spec and no forecast-guard metadata;
 * - one Endpoint per book, `book-sales-<ISBN>`, labelled {model_type: arima,
 *   framework: statsmodels, purpose: book_sales_forecasting};
 * - each deployment: display name `<model display name>_deployment`,
 *   n1-standard-2, 1–2 replicas, traffic {"0": 100} (the new model takes all
 *   traffic), a generated 19-digit DeployedModel id.
 *
 * It goes through the server's own request checks but not through gRPC, and
 * its deployments are done at once: seeding costs no quota and no waiting.
 */
import type { VertexLocation } from '../../../shared/adapters/gcp/vertex-names';
import type { ContainerBehaviour } from './container';
import { createEndpointWork, deployModelWork } from './endpoint-service';
import { uploadModelRecord } from './model-service';
import type { VertexWorld } from './world';

export interface PipelineFleetOptions {
  where: VertexLocation;
  /** ISBN-13s, bare digits. */
  books: readonly string[];
  /** Models uploaded per book (separate Models sharing the display name), oldest first. Default 1. */
  versions?: number;
  /** Deploy only the newest Model (default), or every one in turn so all stay deployed, traffic on the newest. */
  deploy?: 'newest' | 'all' | 'none';
  /** What each Model forecasts (`index` 0 = the oldest upload); the container default otherwise. */
  behaviour?: (isbn: string, index: number) => ContainerBehaviour | undefined;
  /** Artifact bucket for artifactUri. Default example-book-sales-artifacts. */
  bucket?: string;
}

export interface SeededBook {
  isbn: string;
  /** Endpoint resource name (with the project number when the world maps one). */
  endpoint: string;
  /** Model resource names, oldest first. */
  models: string[];
  /** DeployedModel id per Model resource name, for the deployed ones. */
  deployedModelIds: Record<string, string>;
}

export const PIPELINE_MODEL_LABELS = {
  model_type: 'arima',
  framework: 'mlflow_statsmodels',
  deployment_type: 'vertex_ai_cpr',
  serving_format: 'custom_prediction_routine',
} as const;

export const PIPELINE_ENDPOINT_LABELS = {
  model_type: 'arima',
  framework: 'statsmodels',
  purpose: 'book_sales_forecasting',
} as const;

/** Seeds `books` into the server (or its world); returns what was created, per book. */
export function seedPipelineFleet(
  target: VertexWorld | { world: VertexWorld },
  options: PipelineFleetOptions,
): SeededBook[] {
  const world = 'world' in target ? target.world : target;
  const parent = world.canonicalName(
    `projects/${options.where.projectId}/locations/${options.where.location}`,
  );
  const versions = options.versions ?? 1;
  const deploy = options.deploy ?? 'newest';
  const bucket = options.bucket ?? 'example-book-sales-artifacts';
  return options.books.map((isbn) => {
    if (!/^[0-9]{13}$/.test(isbn))
      throw new Error(`seedPipelineFleet: ISBN ${JSON.stringify(isbn)} is not 13 digits`);
    const displayName = `arima_book_${isbn}`;
    const models = Array.from({ length: versions }, (_, index) => {
      const { model } = uploadModelRecord(world, {
        parent,
        model: {
          displayName,
          description: `MLflow ARIMA model with Custom Prediction Routine - ${displayName}`,
          artifactUri: `gs://${bucket}/models/${displayName}/latest`,
          containerSpec: {
            imageUri: `${options.where.location}-docker.pkg.dev/${options.where.projectId}/book-sales-cpr/${displayName}`,
            predictRoute: '/predict',
            healthRoute: '/health',
          },
          labels: { ...PIPELINE_MODEL_LABELS, isbn },
        },
      });
      const behaviour = options.behaviour?.(isbn, index);
      if (behaviour) world.containers.set(model.name, behaviour);
      return model.name;
    });
    const endpointName = `book-sales-${isbn}`;
    const { name: endpoint, work } = createEndpointWork(world, {
      parent,
      endpoint: {
        displayName: endpointName,
        description: `Book sales ARIMA model endpoint for ${endpointName}`,
        labels: { ...PIPELINE_ENDPOINT_LABELS },
      },
    });
    work();
    const toDeploy = deploy === 'none' ? [] : deploy === 'all' ? models : models.slice(-1);
    const deployedModelIds: Record<string, string> = {};
    for (const model of toDeploy) {
      const deployed = deployModelWork(world, {
        endpoint,
        deployedModel: {
          model,
          displayName: `${displayName}_deployment`,
          dedicatedResources: {
            machineSpec: { machineType: 'n1-standard-2' },
            minReplicaCount: 1,
            maxReplicaCount: 2,
          },
        },
        trafficSplit: { '0': 100 },
      })();
      deployedModelIds[model] = deployed.id;
    }
    return { isbn, endpoint, models, deployedModelIds };
  });
}
