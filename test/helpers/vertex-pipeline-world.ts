/**
 * The publisher's pipeline, as it acts on Vertex AI (test/fixtures/gcp-formats/
 * 9-publisher-pipeline: vertex.model.json, vertex.endpoint.json), driven with
 * the real client against the local server:
 * - every run uploads a NEW Model (no parent_model, generated id) with display
 *   name `arima_book_<ISBN>` and the labels model_type=arima,
 *   framework=mlflow_statsmodels, isbn;
 * - each book has an Endpoint with display name `book-sales-<ISBN>`, a
 *   generated id and the label purpose=book_sales_forecasting, and the
 *   pipeline deploys its Model there with 100 % of the traffic.
 * The uploads carry no forecast-guard metadata: the local server answers
 * for them as the pipeline's serving container does (a steady `level`).
 */
import type { VertexClients } from '../../shared/adapters/gcp/vertex-clients';
import type { VertexLocation } from '../../shared/adapters/gcp/vertex-names';
import { locationPath } from '../../shared/adapters/gcp/vertex-names';
import type { LocalVertexServer } from './vertex-server';

export const PIPELINE_ENDPOINT_PATTERN = 'book-sales-{isbn}';
export const PIPELINE_ENDPOINT_LABELS = { purpose: 'book_sales_forecasting' };

/** Uploads one pipeline run's Model for the book; resolves to its resource name (versionId is "1"). */
export async function uploadPipelineModel(
  server: LocalVertexServer,
  clients: Pick<VertexClients, 'model'>,
  where: VertexLocation,
  isbn: string,
  level = 200,
  extraLabels: Record<string, string> = {},
): Promise<string> {
  const [operation] = await clients.model.uploadModel({
    parent: locationPath(where),
    model: {
      displayName: `arima_book_${isbn}`,
      description: `MLflow ARIMA model with Custom Prediction Routine - arima_book_${isbn}`,
      labels: { model_type: 'arima', framework: 'mlflow_statsmodels', isbn, ...extraLabels },
      artifactUri: `gs://example-book-sales-artifacts/models/arima_book_${isbn}/latest`,
    },
  });
  const [response] = await operation.promise();
  const model = String(response.model);
  server.world.containers.set(model, { forecast: () => level });
  return model;
}

/** Creates the book's pipeline endpoint (generated id); resolves to its resource name. */
export async function createPipelineEndpoint(
  clients: Pick<VertexClients, 'endpoint'>,
  where: VertexLocation,
  isbn: string,
): Promise<string> {
  const [operation] = await clients.endpoint.createEndpoint({
    parent: locationPath(where),
    endpoint: {
      displayName: `book-sales-${isbn}`,
      labels: { model_type: 'arima', framework: 'statsmodels', ...PIPELINE_ENDPOINT_LABELS },
    },
  });
  const [endpoint] = await operation.promise();
  return String(endpoint.name);
}

/** What the pipeline's `model.deploy(endpoint, traffic_percentage=100)` does; resolves to the DeployedModel id. */
export async function pipelineDeploy(
  clients: Pick<VertexClients, 'endpoint'>,
  endpoint: string,
  model: string,
  isbn: string,
): Promise<string> {
  const [operation] = await clients.endpoint.deployModel({
    endpoint,
    deployedModel: {
      model,
      displayName: `arima_book_${isbn}_deployment`,
      dedicatedResources: {
        machineSpec: { machineType: 'n1-standard-2' },
        minReplicaCount: 1,
        maxReplicaCount: 2,
      },
    },
    trafficSplit: { '0': 100 },
  });
  const [response] = await operation.promise();
  return String(response.deployedModel?.id);
}

/**
 * The clients with Explain taken away: any call fails the test. Real Vertex
 * refuses Explain for deployments without an explanation spec, and
 * forecast-guard must never depend on it.
 */
export function withoutExplain(clients: VertexClients): VertexClients {
  const prediction = new Proxy(clients.prediction, {
    get(target, key, receiver) {
      if (key === 'explain') {
        return () => {
          throw new Error('Explain was called: forecast-guard must predict and attribute by deployedModelId');
        };
      }
      const value = Reflect.get(target, key, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    get model() {
      return clients.model;
    },
    get endpoint() {
      return clients.endpoint;
    },
    prediction,
    get pipeline() {
      return clients.pipeline;
    },
    get limiter() {
      return clients.limiter;
    },
    close: () => clients.close(),
  };
}
