import { MlflowModelRegistry } from '../../../../shared/adapters/mlflow/mlflow-model-registry';
import { BackendUnavailableError, NotFoundError, ValidationError } from '../../../../shared/errors';
import { aForecast, aNewModelVersion, aQuarantine, nextIsbn } from '../../../builders/model';
import {
  type MlflowServer,
  type MlflowServerOptions,
  startMlflowServer,
} from '../../../helpers/mlflow-server';

describe('MlflowModelRegistry, MLflow specifics', () => {
  let server: MlflowServer;
  let registry: MlflowModelRegistry;

  async function start(options: MlflowServerOptions = {}, pageSize?: number, maxTagValueLength?: number) {
    server = await startMlflowServer(options);
    registry = new MlflowModelRegistry({ trackingUri: server.url, pageSize, maxTagValueLength });
  }
  afterEach(() => server.close());

  /** Counts the requests to one endpoint so far. */
  const calls = (endpoint: string) =>
    server.requests.filter((r) => r.path.includes(`/mlflow/${endpoint}`)).length;

  it('keeps the forecast in one tag when it fits and splits it when it does not, serving it back whole', async () => {
    await start();
    const forecast = aForecast({ weeks: 104 });
    const small = await registry.registerVersion(aNewModelVersion({ forecast }));
    // Full-precision values (about 18 characters each) make 104 weeks longer than the 5,000-character cap.
    const shift = (series: number[], by: number) => series.map((v) => v + by);
    const precise = {
      mean: shift(forecast.mean, Math.PI / 7),
      lower: shift(forecast.lower, Math.PI / 9),
      upper: shift(forecast.upper, Math.E),
    };
    const big = await registry.registerVersion(aNewModelVersion({ forecast: precise }));

    const tagsOf = (isbn: string) => server.state.models.get(`arima_book_${isbn}`)!.versions[0]!.tags;
    expect(tagsOf(small.isbn).has('fg.forecast')).toBe(true);
    expect(tagsOf(big.isbn).has('fg.forecast')).toBe(false);
    expect(Number(tagsOf(big.isbn).get('fg.forecast.chunks'))).toBeGreaterThan(1);

    expect(await registry.getForecast(small.isbn, '1')).toEqual(forecast);
    expect(await registry.getForecast(big.isbn, '1')).toEqual(precise);
    const err = await registry.getForecast(big.isbn, '2').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toBe(`ISBN ${big.isbn} has no version "2" (versions: 1)`);
  });

  it('lists only books it can name, across pages', async () => {
    await start({}, 2);
    const books = [nextIsbn(), nextIsbn(), nextIsbn()];
    for (const isbn of books) await registry.registerVersion(aNewModelVersion({ isbn }));
    for (const other of ['fraud-detector', 'arima_book_not-an-isbn', 'arimaXbookX9780722532935']) {
      await registry.client.createRegisteredModel(other);
    }
    expect(await registry.listModels()).toEqual([...books].sort());
    // LIKE's '_' matches any character: five names come back, in three pages of two.
    expect(calls('registered-models/search')).toBe(3);
  });

  it('lists versions other tools registered without a run, flagged as having no metrics', async () => {
    await start();
    const { isbn } = await registry.registerVersion(aNewModelVersion());
    await registry.client.createModelVersion({
      name: `arima_book_${isbn}`,
      source: 's3://models/x',
      tags: [],
    });
    await registry.registerVersion(aNewModelVersion({ isbn }));

    expect((await registry.listVersions(isbn)).map((v) => v.version)).toEqual(['1', '2', '3']);
    expect((await registry.getVersion(isbn, '2'))?.labels).toMatchObject({
      'fg.source': 'pipeline',
      'fg.metrics': 'missing',
    });
    await registry.setAlias(isbn, 'production', '2');
    expect(await registry.getAlias(isbn, 'production')).toBe('2');
    await expect(registry.getForecast(isbn, '2')).rejects.toThrow(/no stored forecast/);
  });

  it('creates a book once for racing registrations, and again if it was deleted behind its back', async () => {
    await start();
    const isbn = nextIsbn();
    await Promise.all(Array.from({ length: 5 }, () => registry.registerVersion(aNewModelVersion({ isbn }))));
    expect(calls('registered-models/create')).toBe(1);

    server.state.models.delete(`arima_book_${isbn}`);
    const again = await registry.registerVersion(aNewModelVersion({ isbn }));
    expect(again.version).toBe('1');
    expect(calls('registered-models/create')).toBe(2);
  });

  it('reads a version back when the server answers its create without the tags', async () => {
    await start();
    const stripping: typeof fetch = async (url, init) => {
      const response = await fetch(url, init);
      if (!String(url).endsWith('/model-versions/create')) return response;
      const body = (await response.json()) as { model_version: Record<string, unknown> };
      delete body.model_version.tags;
      return new Response(JSON.stringify(body), { status: response.status });
    };
    const input = aNewModelVersion();
    const version = await new MlflowModelRegistry({
      trackingUri: server.url,
      fetch: stripping,
    }).registerVersion(input);
    expect(version).toMatchObject({ version: '1', metrics: input.metrics, dataHash: input.dataHash });
    expect(calls('model-versions/get')).toBe(1);
  });

  it('lists a long version history briefly when a version is missing, and names a missing book', async () => {
    await start({}, 10);
    const isbn = nextIsbn();
    for (let i = 0; i < 25; i++)
      await registry.registerVersion(aNewModelVersion({ isbn, forecast: aForecast({ weeks: 2 }) }));
    const err = await registry.setAlias(isbn, 'production', '30').catch((e: unknown) => e);
    expect((err as Error).message).toContain('versions: 1, 2, 3, …, 9, 10');
    expect((err as Error).message).toContain('24, 25)');

    const unknown = nextIsbn();
    await expect(registry.setQuarantine(unknown, '1', aQuarantine())).rejects.toThrow(
      `no model is registered for ISBN ${unknown}`,
    );
    await expect(registry.deleteAlias(unknown, 'production')).resolves.toBeUndefined();
  });

  it('refuses aliases MLflow reserves and quarantine marks too long for one tag, naming the field', async () => {
    await start({}, undefined, 1000);
    const { isbn } = await registry.registerVersion(aNewModelVersion());
    for (const alias of ['latest', 'v2', 'Production!']) {
      const err = await registry.setAlias(isbn, alias, '1').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).fields).toEqual(['alias']);
      expect(await registry.getAlias(isbn, alias)).toBeUndefined();
    }
    const long = await registry
      .setQuarantine(isbn, '1', aQuarantine({ reason: 'x'.repeat(1200) }))
      .catch((e: unknown) => e);
    expect(long).toBeInstanceOf(ValidationError);
    expect((long as ValidationError).fields).toEqual(['quarantine.reason']);
    expect((await registry.getVersion(isbn, '1'))?.quarantine).toBeUndefined();
  });

  it('keeps a quarantine mark as the fg.quarantine tag, readable in the MLflow UI', async () => {
    await start();
    const { isbn } = await registry.registerVersion(aNewModelVersion());
    await registry.setQuarantine(isbn, '1', aQuarantine());
    const tags = server.state.models.get(`arima_book_${isbn}`)!.versions[0]!.tags;
    expect(JSON.parse(tags.get('fg.quarantine')!)).toEqual(aQuarantine());
  });

  it('passes a retryable outage through, and pings ok: false with the reason', async () => {
    await start({ staticPrefix: '/mlflow' });
    const { isbn } = await registry.registerVersion(aNewModelVersion());
    server.failNext(1, 503);
    const down = await registry.ping();
    expect(down).toMatchObject({ ok: false, detail: expect.stringContaining('answered 503') });

    const lost = new MlflowModelRegistry({ trackingUri: server.url.replace('/mlflow', '') });
    const wrongUri = await lost.ping();
    expect(wrongUri.ok).toBe(false);
    expect(wrongUri.detail).toContain('MLFLOW_TRACKING_URI');
    expect((await registry.ping()).ok).toBe(true);

    // Last: listVersions sends two requests at once, and the one that is not failed may still be in flight.
    server.failNext(1, 503);
    const err = await registry.listVersions(isbn).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as BackendUnavailableError).retryable).toBe(true);
  });
});
