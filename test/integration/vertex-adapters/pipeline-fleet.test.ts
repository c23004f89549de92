/**
 * forecast-guard's services on a fleet built the way the publisher's
 * pipeline builds it (seedPipelineFleet: a new Model per run sharing
 * `arima_book_<ISBN>`, endpoints `book-sales-<ISBN>`, the serving
 * container's answers), through the real Vertex client, with Explain taken
 * away from the clients: an emergency rollback verifies, a health check
 * scores the version that answered, and MLflow versions are mapped to the
 * Vertex Models that serve them.
 */
import { VertexMlflowFixture } from './mlflow-fixture';
import { MlflowVertexVersions } from '../../../shared/adapters/gcp/vertex-mlflow-versions';
import { VertexModelRegistry } from '../../../shared/adapters/gcp/vertex-model-registry';
import type { VertexLocation } from '../../../shared/adapters/gcp/vertex-names';
import { locationPath } from '../../../shared/adapters/gcp/vertex-names';
import { VertexServingTarget } from '../../../shared/adapters/gcp/vertex-serving-target';
import { timestampToIso } from '../../../shared/adapters/gcp/vertex-values';
import { loadConfig } from '../../../shared/config';
import type { SalesSeries } from '../../../shared/contracts/model';
import { addWeeks } from '../../../shared/domain/series/weeks';
import type { ModelRegistry } from '../../../shared/ports/model-registry';
import { PRODUCTION_ALIAS } from '../../../shared/ports/model-registry';
import type { HealthCheckDeps } from '../../../shared/services/health-check';
import { healthCheckSettings } from '../../../shared/wiring/health-check';
import { checkModel } from '../../../shared/services/health-check/check-model';
import type { RollbackDeps } from '../../../shared/services/rollback/deps';
import { switchAndVerify } from '../../../shared/services/rollback/switch-book';
import { nextIsbn } from '../../builders/model';
import { withoutExplain } from '../../helpers/vertex-pipeline-world';
import { seedPipelineFleet } from '../../helpers/vertex-server';
import { useLocalVertex } from '../../helpers/vertex-server/harness';

jest.setTimeout(60_000);

const vertex = useLocalVertex();
/** Models uploaded on Sunday 30 June 2024: their training window is assumed to end Saturday 29 June. */
const UPLOADED = Date.parse('2024-06-30T12:00:00Z');
const TRAINED_THROUGH = '2024-06-29';

describe("forecast-guard on the publisher pipeline's Vertex fleet, without Explain", () => {
  let where: VertexLocation;
  let registry: VertexModelRegistry;
  let serving: VertexServingTarget;

  beforeEach(() => {
    where = vertex.freshLocation();
    let minute = 0;
    vertex.server.world.now = () => new Date(UPLOADED + 60_000 * minute++);
    const clients = withoutExplain(vertex.clients);
    registry = new VertexModelRegistry({ ...where, clients });
    serving = new VertexServingTarget({
      ...where,
      clients,
      endpointPrefix: 'forecast-',
      endpointPattern: 'book-sales-{isbn}',
      endpointLabels: { purpose: 'book_sales_forecasting' },
      trainedThroughOf: async (isbn, version) => (await registry.getVersion(isbn, version))?.trainedThrough,
      pollMs: 5,
    });
  });
  afterEach(() => {
    vertex.server.world.now = () => new Date();
    vertex.server.world.random = Math.random;
  });

  /** A book whose two runs are both deployed, traffic on the newer; the older forecasts `levels[0]`, the newer `levels[1]`. */
  function book(levels: [number, number]) {
    const isbn = nextIsbn();
    const [seeded] = seedPipelineFleet(vertex.server, {
      where,
      books: [isbn],
      versions: 2,
      deploy: 'all',
      behaviour: (_, index) => ({ forecast: () => levels[index]! }),
    });
    return seeded!;
  }

  it('rolls one book back to its older Model and verifies it by the answer’s deployedModelId', async () => {
    const seeded = book([100, 900]);
    const deps = { serving, registry } as unknown as RollbackDeps;
    const before = await serving.getServing(seeded.isbn);
    expect(before?.deployments.map((d) => [d.version, d.trafficPercent])).toEqual([
      ['1', 0],
      ['2', 100],
    ]);
    const verification = await switchAndVerify(
      deps,
      seeded.isbn,
      { split: [{ version: '1', trafficPercent: 100 }], productionAlias: '1', exact: false },
      4,
    );
    expect(verification).toEqual({ ok: true });
    const endpoint = vertex.server.world.endpoints.get(seeded.endpoint)!;
    expect(endpoint.trafficSplit).toEqual({ [seeded.deployedModelIds[seeded.models[0]!]!]: 100 });
    expect(await registry.getAlias(seeded.isbn, PRODUCTION_ALIAS)).toBe('1');
    const answer = await serving.predict(seeded.isbn, [{ steps: 4, return_confidence_intervals: true }]);
    expect(answer.predictions[0]).toMatchObject({
      forecast: [100, 100, 100, 100],
      weeks: [1, 2, 3, 4].map((k) => addWeeks(TRAINED_THROUGH, k)),
      model_version: '1',
    });
  });

  it('health check: predicts unpinned and scores the version that answered', async () => {
    const seeded = book([100, 300]);
    // The uploader labelled its holdout metrics (12.5 % MAPE, RMSE 20): live accuracy is judged against them.
    for (const model of seeded.models) {
      Object.assign(vertex.server.world.model(model).versions[0]!.labels, { rmse: '20', mape: '12_5' });
    }
    await serving.setTraffic(seeded.isbn, { '1': 90, '2': 10 });
    const weeks = Array.from({ length: 12 }, (_, i) => addWeeks(TRAINED_THROUGH, i - 40));
    const live = Array.from({ length: 12 }, (_, i) => addWeeks(TRAINED_THROUGH, i + 1));
    const series: SalesSeries = {
      isbn: seeded.isbn,
      title: 'A pipeline book',
      points: [...weeks, ...live].map((weekEnding, i) => ({ weekEnding, volume: 95 + (i % 3) * 5 })),
    };
    const deps = {
      serving,
      registry,
      sales: { getSeries: async () => series },
    } as unknown as HealthCheckDeps;
    const settings = healthCheckSettings(loadConfig({}));
    const state = (await serving.getServing(seeded.isbn))!;
    const outcomes = [];
    for (const random of [0.01, 0.99]) {
      vertex.server.world.random = () => random;
      outcomes.push(await checkModel(state, true, deps, settings));
    }
    // Either way the majority version is what is served; the answering one is what is scored.
    const versions = outcomes.map((o) => o.version).sort();
    expect(versions).toEqual(['1', '2']);
    const [one, two] = [outcomes.find((o) => o.version === '1')!, outcomes.find((o) => o.version === '2')!];
    expect(one.health?.version).toBe('1');
    expect(one.notes.join(' ')).not.toMatch(/scored version/);
    expect(two.health?.version).toBe('2');
    expect(two.notes).toContain('scored version 2, which answered; version 1 holds most traffic');
    // Version 1 forecasts 100 against ~100 sold; version 2 forecasts 300: its live error is the larger.
    expect(two.health!.rmse).toBeGreaterThan(one.health!.rmse);
  });

  it('with MLflow as the registry, a Vertex Model serves the newest MLflow version created at or before it', async () => {
    const seeded = book([100, 900]);
    const created = seeded.models.map((m) =>
      Date.parse(timestampToIso(vertex.server.world.model(m).versions[0]!.createTime)!),
    );
    // MLflow: v7 before the first upload, v8 between the uploads, v9 after the second (not uploaded yet).
    const mlflow = new VertexMlflowFixture(
      seeded.isbn,
      [created[0]! - 60_000, created[1]! - 1, created[1]! + 60_000],
      7,
    );
    const target = new VertexServingTarget({
      ...where,
      clients: withoutExplain(vertex.clients),
      endpointPrefix: 'forecast-',
      endpointPattern: 'book-sales-{isbn}',
      versions: new MlflowVertexVersions(vertex.clients, where, mlflow as unknown as ModelRegistry),
      trainedThroughOf: async () => TRAINED_THROUGH,
    });
    const state = await target.getServing(seeded.isbn);
    expect(state?.deployments.map((d) => [d.version, d.trafficPercent])).toEqual([
      ['7', 0],
      ['8', 100],
    ]);
    expect((await target.predict(seeded.isbn, [{ steps: 2 }])).modelVersionId).toBe('8');
    const err = await target.setTraffic(seeded.isbn, { '9': 100 }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/has no version 9 to deploy \(versions: 7, 8\)/);
    expect(
      vertex.server.world.endpoints.get(`${locationPath(where)}/endpoints/forecast-${seeded.isbn}`),
    ).toBeUndefined();
  });
});
