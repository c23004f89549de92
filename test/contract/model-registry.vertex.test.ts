import { performance } from 'node:perf_hooks';
import { createVertexClients } from '../../shared/adapters/gcp/vertex-clients';
import { translateVertexError } from '../../shared/adapters/gcp/vertex-errors';
import { VertexModelRegistry } from '../../shared/adapters/gcp/vertex-model-registry';
import type { VertexLocation } from '../../shared/adapters/gcp/vertex-names';
import { locationPath, modelNameFor } from '../../shared/adapters/gcp/vertex-names';
import { fromProtoValue, timestampToIso } from '../../shared/adapters/gcp/vertex-values';
import { BackendUnavailableError, ConflictError, NotFoundError, ValidationError } from '../../shared/errors';
import { aForecast, aNewModelVersion, aQuarantine, nextIsbn } from '../builders/model';
import { reportFigure } from '../helpers/figures';
import { seedPipelineFleet } from '../helpers/vertex-server';
import { useLocalVertex } from '../helpers/vertex-server/harness';
import { uploadPipelineModel } from '../helpers/vertex-pipeline-world';
import { MISSING_METRIC_VALUE } from '../../shared/domain/version-origin';
import { describeModelRegistryContract } from './model-registry.contract';

const vertex = useLocalVertex();

describeModelRegistryContract('VertexModelRegistry (real client, local gRPC server)', async () => ({
  registry: new VertexModelRegistry({ ...vertex.freshLocation(), clients: vertex.clients }),
}));

describe('VertexModelRegistry on the local Vertex AI server', () => {
  let where: VertexLocation;
  let registry: VertexModelRegistry;

  beforeEach(() => {
    where = vertex.freshLocation();
    registry = new VertexModelRegistry({ ...where, clients: vertex.clients });
    vertex.server.world.now = () => new Date();
  });

  const versionsOnServer = (isbn: string) =>
    vertex.server.world.models.get(modelNameFor(where, isbn))?.versions ?? [];

  it('keeps one Model per book, arima_book_<isbn>, with its labels, metadata and forecast', async () => {
    const forecast = aForecast({ weeks: 8 });
    const { isbn } = await registry.registerVersion(aNewModelVersion({ forecast }));
    await registry.registerVersion(aNewModelVersion({ isbn }));

    const model = vertex.server.world.models.get(`${locationPath(where)}/models/arima_book_${isbn}`);
    expect(model?.displayName).toBe(`arima_book_${isbn}`);
    expect(model?.versions.map((v) => v.versionId)).toEqual(['1', '2']);
    const first = model!.versions[0]!;
    expect(first.labels).toEqual({ trainer: 'builder', cadence: 'weekly', isbn, app: 'forecast-guard' });
    expect(fromProtoValue(first.uploaded.metadata as never)).toMatchObject({
      schema: 'forecast-guard/model-version@1',
      dataHash: 'sha256:5d41402abc4b2a76b9719d911017c592',
      forecast,
    });
  });

  it('lists book Models only: not a Model of another team', async () => {
    const { isbn } = await registry.registerVersion(aNewModelVersion());
    const [operation] = await vertex.clients.model.uploadModel({
      parent: locationPath(where),
      modelId: 'someone_elses_model',
      model: { displayName: 'churn', labels: { team: 'growth' } },
    });
    await operation.promise();
    expect(await registry.listModels()).toEqual([isbn]);
  });

  it("reports Vertex's default alias on the first version and never moves it", async () => {
    const { isbn } = await registry.registerVersion(aNewModelVersion());
    await registry.registerVersion(aNewModelVersion({ isbn }));
    await registry.setAlias(isbn, 'production', '2');
    expect((await registry.listVersions(isbn)).map((v) => [v.version, v.aliases])).toEqual([
      ['1', ['default']],
      ['2', ['production']],
    ]);
    for (const call of [registry.setAlias(isbn, 'default', '2'), registry.deleteAlias(isbn, 'default')]) {
      const err = await call.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).fields).toEqual(['alias']);
    }
    // The server holds to Vertex's rule as well: exactly one version keeps `default`.
    const refused = await vertex.clients.model
      .mergeVersionAliases({ name: `${modelNameFor(where, isbn)}@1`, versionAliases: ['-default'] })
      .catch((e: unknown) => translateVertexError(e, 'remove default'));
    expect(refused).toBeInstanceOf(ConflictError);
    expect(
      versionsOnServer(isbn)
        .filter((v) => v.aliases.has('default'))
        .map((v) => v.versionId),
    ).toEqual(['1']);
  });

  it('keeps an alias on one version on the server: adding it to another moves it', async () => {
    const { isbn } = await registry.registerVersion(aNewModelVersion());
    await registry.registerVersion(aNewModelVersion({ isbn }));
    await registry.setAlias(isbn, 'challenger', '1');
    await registry.setAlias(isbn, 'challenger', '2');
    expect(versionsOnServer(isbn).map((v) => [v.versionId, v.aliases.has('challenger')])).toEqual([
      ['1', false],
      ['2', true],
    ]);
  });

  it("refuses aliases outside Vertex's rule and never reads a version id as an alias, nor an alias as a version", async () => {
    const { isbn } = await registry.registerVersion(aNewModelVersion());
    for (const alias of ['Production!', 'p', 'prod-', '1st', 'Prod']) {
      const err = await registry.setAlias(isbn, alias, '1').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).fields).toEqual(['alias']);
    }
    await registry.setAlias(isbn, 'production', '1');
    expect(await registry.getAlias(isbn, '1')).toBeUndefined();
    expect(await registry.getVersion(isbn, 'production')).toBeUndefined();
    expect(await registry.getAlias(isbn, 'production')).toBe('1');
  });

  it("takes Vertex's versionCreateTime when a registration has no createdAt", async () => {
    vertex.server.world.now = () => new Date('2024-06-01T12:34:56.789Z');
    const { createdAt: _omitted, ...input } = aNewModelVersion();
    const version = await registry.registerVersion(input);
    expect(version.createdAt).toBe('2024-06-01T12:34:56.789Z');
    expect(fromProtoValue(versionsOnServer(input.isbn)[0]!.uploaded.metadata as never)).not.toHaveProperty(
      'createdAt',
    );
  });

  it('names a bad or reserved label and uploads nothing', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ Team: 'risk' }, 'labels.Team'],
      [{ team: 'Risk Unit' }, 'labels.team'],
      [{ isbn: '9780000000002' }, 'labels.isbn'],
      [{ app: 'other' }, 'labels.app'],
    ];
    for (const [labels, field] of cases) {
      const input = aNewModelVersion({ labels });
      const err = await registry.registerVersion(input).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).fields).toEqual([field]);
      expect(versionsOnServer(input.isbn)).toHaveLength(0);
    }
  });

  it('keeps the quarantine mark in versionDescription and leaves the immutable metadata alone', async () => {
    const { isbn } = await registry.registerVersion(aNewModelVersion());
    const before = JSON.stringify(versionsOnServer(isbn)[0]!.uploaded.metadata);
    await registry.setQuarantine(isbn, '1', aQuarantine());
    expect(JSON.parse(versionsOnServer(isbn)[0]!.description)).toEqual({ quarantine: aQuarantine() });
    expect(JSON.stringify(versionsOnServer(isbn)[0]!.uploaded.metadata)).toBe(before);
    const err = await registry
      .setQuarantine(isbn, '1', { ...aQuarantine(), by: '' })
      .catch((e: unknown) => e);
    expect((err as ValidationError).fields).toEqual(['quarantine.by']);
  });

  it('refuses to read a version another tool uploaded without forecast-guard metadata', async () => {
    const { isbn } = await registry.registerVersion(aNewModelVersion());
    const [operation] = await vertex.clients.model.uploadModel({
      parent: locationPath(where),
      parentModel: modelNameFor(where, isbn),
      model: { displayName: 'hand-made' },
    });
    await operation.promise();
    const err = await registry.listVersions(isbn).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as BackendUnavailableError).retryable).toBe(false);
    expect((err as Error).message).toMatch(/version 2 has no forecast-guard metadata/);
  });

  it('lists a long version history briefly in a NotFoundError', async () => {
    const isbn = nextIsbn();
    for (let i = 0; i < 25; i++)
      await registry.registerVersion(aNewModelVersion({ isbn, forecast: aForecast({ weeks: 2 }) }));
    const err = await registry.setAlias(isbn, 'production', '30').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toContain('versions: 1, 2, 3, …, 9, 10');
    expect((err as Error).message).toContain('24, 25)');
    const started = performance.now();
    const listed = await registry.listVersions(isbn);
    reportFigure(
      'model-registry',
      'vertex-list-25-versions',
      `${(performance.now() - started).toFixed(1)} ms`,
    );
    expect(listed.map((v) => v.version)).toEqual(Array.from({ length: 25 }, (_, i) => String(i + 1)));
  });

  it('measures a registration: GetModel, UploadModel (LRO) and the read-back', async () => {
    const isbn = nextIsbn();
    await registry.registerVersion(aNewModelVersion({ isbn }));
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      await registry.registerVersion(aNewModelVersion({ isbn }));
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    reportFigure(
      'model-registry',
      'vertex-register-version',
      `median ${times[5]!.toFixed(1)} ms over 10 (GetModel, UploadModel LRO, and ListModels + ListModelVersions to read it back under its book version id)`,
    );
    expect((await registry.listVersions(isbn)).map((v) => v.version)).toHaveLength(11);
  });

  it('turns an unreachable API into a failed ping and retryable BackendUnavailableError', async () => {
    const clients = createVertexClients({ ...where, apiEndpoint: '127.0.0.1:1' });
    try {
      const offline = new VertexModelRegistry({ ...where, clients });
      const ping = await offline.ping();
      expect(ping.ok).toBe(false);
      expect(ping.detail).toMatch(/UNAVAILABLE|ECONNREFUSED|connect/i);
      const err = await offline.listModels().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackendUnavailableError);
      expect((err as BackendUnavailableError).retryable).toBe(true);
      expect((err as Error).message).toMatch(/^Vertex AI: list models failed \(UNAVAILABLE\)/);
    } finally {
      await clients.close();
    }
  });
});

describe("VertexModelRegistry reading the publisher pipeline's Models", () => {
  let where: VertexLocation;
  let registry: VertexModelRegistry;

  beforeEach(() => {
    where = vertex.freshLocation();
    registry = new VertexModelRegistry({ ...where, clients: vertex.clients });
    // Distinct creation times a minute apart: the ranking key, as on Vertex (microsecond times).
    let minute = 0;
    vertex.server.world.now = () => new Date(Date.UTC(2025, 7, 24, 15, minute++));
  });
  afterEach(() => {
    vertex.server.world.now = () => new Date();
  });

  /** A pipeline book of `versions` separate Models sharing the display name; their resource names, oldest first. */
  function pipelineBook(versions: number): { isbn: string; models: string[] } {
    const isbn = nextIsbn();
    const [book] = seedPipelineFleet(vertex.server, { where, books: [isbn], versions, deploy: 'none' });
    return { isbn, models: book!.models };
  }

  it('numbers display-name twins 1, 2, 3 by creation and says what they lack', async () => {
    const { isbn, models } = pipelineBook(3);
    expect(await registry.listModels()).toEqual([isbn]);
    const versions = await registry.listVersions(isbn);
    expect(versions.map((v) => [v.version, v.labels.vertex_model])).toEqual(
      models.map((m, i) => [String(i + 1), m.split('/').pop()]),
    );
    expect(versions[0]).toMatchObject({
      isbn,
      // Vertex's versionCreateTime of the first Model, a Sunday: the Saturday before is assumed as trained-through.
      createdAt: timestampToIso(vertex.server.world.model(models[0]!).versions[0]!.createTime),
      trainedThrough: '2025-08-23',
      metrics: { rmse: MISSING_METRIC_VALUE, mape: MISSING_METRIC_VALUE },
      dataHash: `vertex:${models[0]!.split('/').pop()}@1`,
      labels: {
        model_type: 'arima',
        framework: 'mlflow_statsmodels',
        'fg.source': 'pipeline',
        'fg.metrics': 'missing',
        'fg.trained_through': 'assumed',
      },
    });
    expect(await registry.getVersion(isbn, '2')).toEqual(versions[1]);
    expect(await registry.getVersion(isbn, '4')).toBeUndefined();
  });

  it('reads metrics and the training window from labels when the uploader set them', async () => {
    const isbn = nextIsbn();
    await uploadPipelineModel(vertex.server, vertex.clients, where, isbn, 300, {
      rmse: '41_25',
      mape: '12_5',
      trained_through: '2024-06-29',
    });
    const [version] = await registry.listVersions(isbn);
    expect(version).toMatchObject({
      version: '1',
      metrics: { rmse: 41.25, mape: 12.5 },
      trainedThrough: '2024-06-29',
    });
    expect(version!.labels).not.toHaveProperty('fg.metrics');
    expect(version!.labels).not.toHaveProperty('fg.trained_through');
  });

  it('keeps an alias on one of the twins: moving it takes it off the other Model', async () => {
    const { isbn, models } = pipelineBook(3);
    await registry.setAlias(isbn, 'production', '2');
    await registry.setAlias(isbn, 'production', '3');
    expect(await registry.getAlias(isbn, 'production')).toBe('3');
    const holders = models.map((m) => vertex.server.world.model(m).versions[0]!.aliases.has('production'));
    expect(holders).toEqual([false, false, true]);
    await registry.setQuarantine(isbn, '2', aQuarantine());
    expect(JSON.parse(vertex.server.world.model(models[1]!).versions[0]!.description)).toEqual({
      quarantine: aQuarantine(),
    });
    await registry.deleteAlias(isbn, 'production');
    expect(await registry.getAlias(isbn, 'production')).toBeUndefined();
  });

  it('numbers a new upload next, and closes up the ranks when an older Model is deleted (documented)', async () => {
    const { isbn, models } = pipelineBook(2);
    const third = await uploadPipelineModel(vertex.server, vertex.clients, where, isbn);
    expect((await registry.listVersions(isbn)).map((v) => [v.version, v.labels.vertex_model])).toEqual([
      ['1', models[0]!.split('/').pop()],
      ['2', models[1]!.split('/').pop()],
      ['3', third.split('/').pop()],
    ]);
    vertex.server.world.models.delete(models[0]!);
    expect((await registry.listVersions(isbn)).map((v) => [v.version, v.labels.vertex_model])).toEqual([
      ['1', models[1]!.split('/').pop()],
      ['2', third.split('/').pop()],
    ]);
  });

  it("keeps forecast-guard's own versions numbered by Vertex when a book has only its Model", async () => {
    const { isbn } = await registry.registerVersion(aNewModelVersion());
    await registry.registerVersion(aNewModelVersion({ isbn }));
    expect((await registry.listVersions(isbn)).map((v) => [v.version, v.labels])).toEqual([
      ['1', { trainer: 'builder', cadence: 'weekly' }],
      ['2', { trainer: 'builder', cadence: 'weekly' }],
    ]);
  });
});
