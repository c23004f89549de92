import { performance } from 'node:perf_hooks';
import { translateVertexError } from '../../shared/adapters/gcp/vertex-errors';
import { VertexModelRegistry } from '../../shared/adapters/gcp/vertex-model-registry';
import type { VertexLocation } from '../../shared/adapters/gcp/vertex-names';
import { endpointNameFor, locationPath, modelNameFor } from '../../shared/adapters/gcp/vertex-names';
import { VertexServingTarget } from '../../shared/adapters/gcp/vertex-serving-target';
import { ConflictError, ValidationError } from '../../shared/errors';
import { aForecast, aNewModelVersion } from '../builders/model';
import { reportFigure } from '../helpers/figures';
import { useLocalVertex } from '../helpers/vertex-server/harness';
import { describeServingTargetContract } from './serving-target.contract';

// The contract's 90/10 case makes 2,000 gRPC round trips through google-gax, 1–5 ms each on a busy
// 2-core machine, and its 1,000-instance case moves 1.7 MB of protobuf Values each way: give them room.
jest.setTimeout(60_000);

const vertex = useLocalVertex();
const PREFIX = 'forecast-';

describeServingTargetContract('VertexServingTarget (real client, local gRPC server)', async ({ random }) => {
  const where = vertex.freshLocation();
  // A real endpoint routes by its own randomness; the local one takes the suite's seeded source.
  vertex.server.world.random = random;
  return {
    registry: new VertexModelRegistry({ ...where, clients: vertex.clients }),
    serving: new VertexServingTarget({ ...where, clients: vertex.clients, endpointPrefix: PREFIX }),
  };
});

describe('VertexServingTarget on the local Vertex AI server', () => {
  let where: VertexLocation;
  let registry: VertexModelRegistry;
  let serving: VertexServingTarget;

  beforeEach(() => {
    where = vertex.freshLocation();
    vertex.server.world.random = Math.random;
    registry = new VertexModelRegistry({ ...where, clients: vertex.clients });
    serving = new VertexServingTarget({ ...where, clients: vertex.clients, endpointPrefix: PREFIX });
  });

  async function bookWith(versions: number, weeks = 104): Promise<string> {
    const { isbn } = await registry.registerVersion(aNewModelVersion({ forecast: aForecast({ weeks }) }));
    for (let i = 1; i < versions; i++) await registry.registerVersion(aNewModelVersion({ isbn }));
    return isbn;
  }
  const endpointOnServer = (isbn: string) =>
    vertex.server.world.endpoints.get(endpointNameFor(where, PREFIX, isbn));

  it('creates one Endpoint per book, <prefix><isbn>, labelled, with DeployedModels of the book Model', async () => {
    const isbn = await bookWith(2);
    const state = await serving.setTraffic(isbn, { '1': 70, '2': 30 });
    const endpoint = endpointOnServer(isbn)!;
    expect(endpoint.name).toBe(`${locationPath(where)}/endpoints/${PREFIX}${isbn}`);
    expect(endpoint.displayName).toBe(`${PREFIX}${isbn}`);
    expect(endpoint.labels).toEqual({ isbn, app: 'forecast-guard' });
    expect(endpoint.deployedModels.map((d) => [d.model, d.modelVersionId])).toEqual([
      [modelNameFor(where, isbn), '1'],
      [modelNameFor(where, isbn), '2'],
    ]);
    // Vertex's split is keyed by DeployedModel id; ours by version.
    const ids = Object.fromEntries(state.deployments.map((d) => [d.version, d.deployedModelId!]));
    expect(endpoint.trafficSplit).toEqual({ [ids['1']!]: 70, [ids['2']!]: 30 });
  });

  it('flips traffic among deployed versions with one UpdateEndpoint and no redeployment', async () => {
    const isbn = await bookWith(2);
    const deployStarted = performance.now();
    await serving.setTraffic(isbn, { '1': 100, '2': 0 });
    const deployMs = performance.now() - deployStarted;
    const deployedBefore = endpointOnServer(isbn)!.deployedModels.map((d) => d.id);

    const flips: number[] = [];
    for (const version of ['2', '1', '2', '1', '2']) {
      const started = performance.now();
      const state = await serving.setTraffic(isbn, { [version]: 100 });
      flips.push(performance.now() - started);
      expect(state.deployments.map((d) => [d.version, d.trafficPercent])).toEqual([
        ['1', version === '1' ? 100 : 0],
        ['2', version === '2' ? 100 : 0],
      ]);
    }
    flips.sort((a, b) => a - b);
    reportFigure(
      'serving-target',
      'vertex-traffic-flip',
      `median ${flips[2]!.toFixed(1)} ms (GetEndpoint + ListModelVersions + UpdateEndpoint); first deployment of 2 versions ${deployMs.toFixed(1)} ms`,
    );
    expect(endpointOnServer(isbn)!.deployedModels.map((d) => d.id)).toEqual(deployedBefore);
    expect((await serving.predict(isbn, [{ steps: 1 }])).modelVersionId).toBe('2');
  });

  it('refuses, on the server too, to undeploy a model that still has traffic', async () => {
    const isbn = await bookWith(1);
    const state = await serving.setTraffic(isbn, { '1': 100 });
    const refused = await vertex.clients.endpoint
      .undeployModel({
        endpoint: endpointNameFor(where, PREFIX, isbn),
        deployedModelId: state.deployments[0]!.deployedModelId,
      })
      .catch((e: unknown) => translateVertexError(e, 'undeploy'));
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as Error).message).toMatch(/still has 100% of the Endpoint's traffic/);
    expect(endpointOnServer(isbn)!.deployedModels).toHaveLength(1);
  });

  it("holds to Vertex's split rule on the server: whole percents summing to 100", async () => {
    const isbn = await bookWith(2);
    const state = await serving.setTraffic(isbn, { '1': 50, '2': 50 });
    const [a, b] = state.deployments.map((d) => d.deployedModelId!);
    const refused = await vertex.clients.endpoint
      .updateEndpoint({
        endpoint: { name: endpointNameFor(where, PREFIX, isbn), trafficSplit: { [a!]: 50, [b!]: 40 } },
        updateMask: { paths: ['traffic_split'] },
      })
      .catch((e: unknown) => translateVertexError(e, 'update traffic'));
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as Error).message).toMatch(/must add up to 100 \(got 90\)/);
  });

  it("lets the endpoint check a version's own horizon, naming the instance and field", async () => {
    const isbn = await bookWith(1, 52);
    await serving.setTraffic(isbn, { '1': 100 });
    expect((await serving.predict(isbn, [{ steps: 52 }])).predictions[0]?.forecast).toHaveLength(52);
    const err = await serving.predict(isbn, [{ steps: 4 }, { steps: 53 }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fields).toEqual(['instances[1].steps']);
    expect((err as Error).message).toContain('must be at most 52');
  });

  it('refuses a prediction when no version has traffic', async () => {
    const isbn = await bookWith(1);
    await serving.setTraffic(isbn, { '1': 100 });
    await vertex.clients.endpoint.updateEndpoint({
      endpoint: { name: endpointNameFor(where, PREFIX, isbn), trafficSplit: {} },
      updateMask: { paths: ['traffic_split'] },
    });
    await expect(serving.predict(isbn, [{ steps: 2 }])).rejects.toThrow(ConflictError);
  });

  it('lists every book endpoint in ISBN order', async () => {
    const a = await bookWith(1);
    const b = await bookWith(1);
    await bookWith(1);
    await serving.setTraffic(b, { '1': 100 });
    await serving.setTraffic(a, { '1': 100 });
    expect((await serving.listServing()).map((s) => s.isbn)).toEqual([a, b].sort());
  });

  it('wants an endpoint prefix that makes a Vertex endpoint id', () => {
    for (const endpointPrefix of ['9books-', 'Forecast-', 'forecast_', 'x'.repeat(51)]) {
      expect(() => new VertexServingTarget({ ...where, clients: vertex.clients, endpointPrefix })).toThrow(
        /endpointPrefix: must start with a lowercase letter/,
      );
    }
  });
});
