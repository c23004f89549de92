/**
 * The local Vertex server speaks the publisher's world, through the real
 * @google-cloud/aiplatform clients: Models uploaded without a parent share a
 * display name, list filters and paging, resource names with the project
 * number, a fleet seeded as the pipeline seeds it, and the serving
 * container's predict shape (9-publisher-pipeline fixtures).
 */
import { fromProtoValue, toProtoValue } from '../../../shared/adapters/gcp/vertex-values';
import { loadFixture } from '../../helpers/gcp-fixtures';
import { seedPipelineFleet } from '../../helpers/vertex-server';
import { useLocalVertex } from '../../helpers/vertex-server/harness';

const PROJECT_NUMBER = '123456789012';
const vertex = useLocalVertex({ projectNumbers: { 'demo-numbered': PROJECT_NUMBER }, operationDelayMs: 0 });

const ISBNS = ['9780722532935', '9780241003008', '9780140449136'];

interface FixtureEnvelope<T> {
  request: { body: T };
  response: { body: Record<string, unknown> };
}

function parentOf(where: { projectId: string; location: string }): string {
  return `projects/${where.projectId}/locations/${where.location}`;
}

describe('local Vertex server: the publisher pipeline world', () => {
  it('creates a new Model with a numeric id on every upload without parent_model, so Models share a display name', async () => {
    const where = vertex.freshLocation();
    const upload = async () => {
      const [operation] = await vertex.clients.model.uploadModel({
        parent: parentOf(where),
        model: { displayName: 'arima_book_9780722532935', labels: { isbn: '9780722532935' } },
      });
      const [response] = await operation.promise();
      return response;
    };
    const first = await upload();
    const second = await upload();
    expect(first.model).not.toBe(second.model);
    expect(first.model).toMatch(/\/models\/[0-9]{19}$/);
    expect([first.modelVersionId, second.modelVersionId]).toEqual(['1', '1']);

    const [named] = await vertex.clients.model.listModels({
      parent: parentOf(where),
      filter: 'display_name="arima_book_9780722532935"',
    });
    expect(named.map((m) => m.name).sort()).toEqual([first.model, second.model].sort());
    const [other] = await vertex.clients.model.listModels({
      parent: parentOf(where),
      filter: 'display_name="arima_book_9780241003008"',
    });
    expect(other).toEqual([]);
  });

  it('lists endpoints by label and by display name, page by page', async () => {
    const where = vertex.freshLocation();
    const books = ['9780000000002', '9780000000019', '9780000000026', '9780000000033', '9780000000040'];
    seedPipelineFleet(vertex.server, { where, books });
    const seen: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const [endpoints, , response] = await vertex.clients.endpoint.listEndpoints(
        {
          parent: parentOf(where),
          filter: 'labels.purpose="book_sales_forecasting"',
          pageSize: 2,
          pageToken,
        },
        { autoPaginate: false },
      );
      seen.push(...endpoints.map((e) => String(e.displayName)));
      pageToken = response?.nextPageToken || undefined;
      pages += 1;
    } while (pageToken);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(books.map((b) => `book-sales-${b}`).sort());

    const [one] = await vertex.clients.endpoint.listEndpoints({
      parent: parentOf(where),
      filter: 'display_name="book-sales-9780000000019"',
    });
    expect(one.map((e) => e.displayName)).toEqual(['book-sales-9780000000019']);
    const [none] = await vertex.clients.endpoint.listEndpoints({
      parent: parentOf(where),
      filter: 'labels.purpose="something_else"',
    });
    expect(none).toEqual([]);
  });

  it('answers with the project number, and finds resources named by project id or number', async () => {
    const where = { projectId: 'demo-numbered', location: 'europe-west2' };
    const [operation] = await vertex.clients.model.uploadModel({
      parent: parentOf(where),
      model: { displayName: 'arima_book_9780722532935' },
    });
    const [uploaded] = await operation.promise();
    expect(uploaded.model).toMatch(
      new RegExp(`^projects/${PROJECT_NUMBER}/locations/europe-west2/models/[0-9]{19}$`),
    );
    const id = String(uploaded.model).split('/').pop();
    const [byId] = await vertex.clients.model.getModel({ name: `${parentOf(where)}/models/${id}` });
    expect(byId.name).toBe(uploaded.model);
    const [byNumber] = await vertex.clients.model.getModel({ name: String(uploaded.model) });
    expect(byNumber.displayName).toBe('arima_book_9780722532935');
  });

  it('seeds models and endpoints exactly in the shape of the pipeline fixtures', async () => {
    const where = vertex.freshLocation();
    const [seeded] = seedPipelineFleet(vertex.server, { where, books: [ISBNS[0] as string] });
    const fixtureModel = loadFixture<FixtureEnvelope<never>>('9-publisher-pipeline/vertex.model.json')
      .response.body;
    const fixtureEndpoint = loadFixture<FixtureEnvelope<never>>('9-publisher-pipeline/vertex.endpoint.json')
      .response.body as { deployedModels: Array<Record<string, unknown>> } & Record<string, unknown>;

    const [model] = await vertex.clients.model.getModel({ name: seeded?.models[0] });
    expect(model.displayName).toBe(fixtureModel.displayName);
    expect(model.description).toBe(fixtureModel.description);
    expect(model.labels).toEqual(fixtureModel.labels);
    expect(model.versionId).toBe('1');
    expect(model.metadata ?? null).toBeNull();
    expect(model.deployedModels).toEqual([
      expect.objectContaining({
        endpoint: seeded?.endpoint,
        deployedModelId: expect.stringMatching(/^[0-9]{19}$/),
      }),
    ]);

    const [endpoint] = await vertex.clients.endpoint.getEndpoint({ name: seeded?.endpoint });
    expect(endpoint.displayName).toBe(fixtureEndpoint.displayName);
    expect(endpoint.description).toBe(fixtureEndpoint.description);
    expect(endpoint.labels).toEqual(fixtureEndpoint.labels);
    expect(endpoint.deployedModels).toHaveLength(1);
    const [deployed] = endpoint.deployedModels ?? [];
    const fixtureDeployed = fixtureEndpoint.deployedModels[0] as Record<string, unknown>;
    expect(deployed?.id).toMatch(/^[0-9]{19}$/);
    expect(deployed?.displayName).toBe(fixtureDeployed.displayName);
    expect(deployed?.model).toBe(seeded?.models[0]);
    expect(deployed?.dedicatedResources?.machineSpec?.machineType).toBe('n1-standard-2');
    expect(Number(deployed?.dedicatedResources?.minReplicaCount)).toBe(1);
    expect(Number(deployed?.dedicatedResources?.maxReplicaCount)).toBe(2);
    expect(endpoint.trafficSplit).toEqual({ [String(deployed?.id)]: 100 });
  });

  it('keeps every Model deployed with traffic on the newest when asked to deploy all', async () => {
    const where = vertex.freshLocation();
    const [seeded] = seedPipelineFleet(vertex.server, {
      where,
      books: [ISBNS[1] as string],
      versions: 2,
      deploy: 'all',
    });
    const [endpoint] = await vertex.clients.endpoint.getEndpoint({ name: seeded?.endpoint });
    const [older, newer] = seeded?.models ?? [];
    const ids = seeded?.deployedModelIds ?? {};
    expect(endpoint.deployedModels?.map((d) => d.model).sort()).toEqual([older, newer].sort());
    expect(endpoint.trafficSplit).toEqual({ [ids[newer as string] as string]: 100 });
  });

  it('answers predict in the serving container shape, failed instances inside an OK response', async () => {
    const where = vertex.freshLocation();
    const isbn = '9780722532935';
    const [seeded] = seedPipelineFleet(vertex.server, {
      where,
      books: [isbn],
      behaviour: () => ({ forecast: (step) => 900 + step }),
    });
    const fixture = loadFixture<FixtureEnvelope<{ instances: unknown[] }>>(
      '9-publisher-pipeline/predictor.predict.json',
    );
    const [response] = await vertex.clients.prediction.predict({
      endpoint: seeded?.endpoint,
      instances: fixture.request.body.instances.map((i) => toProtoValue(i)),
    });
    const predictions = (response.predictions ?? []).map((p) => fromProtoValue(p)) as Array<
      Record<string, unknown>
    >;
    const expected = fixture.response.body.predictions as Array<Record<string, unknown>>;
    // Same keys, in the predictor's order, for successes and the failure alike.
    expect(predictions.map((p) => Object.keys(p).sort())).toEqual(expected.map((p) => Object.keys(p).sort()));
    expect(predictions[0]).toMatchObject({
      forecast: [901, 902, 903, 904],
      confidence_intervals: null,
      steps: 4,
      model_name: `arima_book_${isbn}`,
      isbn,
      forecast_type: 'SARIMA',
      model_params: { order: [1, 0, 0], seasonal_order: [2, 0, 1, 52], trend: null },
    });
    const withIntervals = predictions[1] as {
      forecast: number[];
      confidence_intervals: { lower: number[]; upper: number[]; confidence_level: number };
    };
    expect(withIntervals.forecast).toHaveLength(12);
    expect(withIntervals.confidence_intervals.confidence_level).toBe(0.95);
    withIntervals.forecast.forEach((f, i) => {
      expect(withIntervals.confidence_intervals.lower[i]).toBeLessThan(f);
      expect(withIntervals.confidence_intervals.upper[i]).toBeGreaterThan(f);
    });
    expect(predictions[2]).toEqual({
      error: expect.any(String),
      model_name: `arima_book_${isbn}`,
      isbn,
      instance_index: 2,
    });
    expect(response.deployedModelId).toBe(seeded?.deployedModelIds[seeded.models[0] as string]);
    expect(response.model).toBe(seeded?.models[0]);
    expect(response.modelDisplayName).toBe(`arima_book_${isbn}`);
    expect(response.modelVersionId).toBe('1');
  });

  it('lets a test degrade one Model by a factor', async () => {
    const where = vertex.freshLocation();
    const [seeded] = seedPipelineFleet(vertex.server, {
      where,
      books: [ISBNS[2] as string],
      behaviour: () => ({ forecast: () => 500, factor: 3 }),
    });
    const [response] = await vertex.clients.prediction.predict({
      endpoint: seeded?.endpoint,
      instances: [toProtoValue({ steps: 2 })],
    });
    const [first] = (response.predictions ?? []).map((p) => fromProtoValue(p)) as Array<{
      forecast: number[];
    }>;
    expect(first?.forecast).toEqual([1500, 1500]);
  });
});
