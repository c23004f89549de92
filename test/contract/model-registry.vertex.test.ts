import { performance } from 'node:perf_hooks';
import { createVertexClients } from '../../shared/adapters/gcp/vertex-clients';
import { translateVertexError } from '../../shared/adapters/gcp/vertex-errors';
import { VertexModelRegistry } from '../../shared/adapters/gcp/vertex-model-registry';
import type { VertexLocation } from '../../shared/adapters/gcp/vertex-names';
import { locationPath, modelNameFor } from '../../shared/adapters/gcp/vertex-names';
import { fromProtoValue } from '../../shared/adapters/gcp/vertex-values';
import { BackendUnavailableError, ConflictError, NotFoundError, ValidationError } from '../../shared/errors';
import { aForecast, aNewModelVersion, aQuarantine, nextIsbn } from '../builders/model';
import { reportFigure } from '../helpers/figures';
import { useLocalVertex } from '../helpers/vertex-server/harness';
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

  it('lists only Models labelled app=forecast-guard', async () => {
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
      `median ${times[5]!.toFixed(1)} ms over 10 (3 RPCs each)`,
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
