/**
 * Versions the publisher's pipeline registered (no fg.* tags; metrics and
 * params on the run) are visible and usable through MlflowModelRegistry: read
 * from their run once, flagged when the run or its metrics are missing, and
 * written to (alias, quarantine) without touching the pipeline's tags.
 */
import { MlflowModelRegistry } from '../../../../shared/adapters/mlflow/mlflow-model-registry';
import { RunResponse } from '../../../../shared/adapters/mlflow/mlflow-schemas';
import { MISSING_METRIC_VALUE, missingMetrics } from '../../../../shared/domain/version-origin';
import { BackendUnavailableError } from '../../../../shared/errors';
import { aQuarantine, nextIsbn } from '../../../builders/model';
import { loadFixture } from '../../../helpers/gcp-fixtures';
import { type MlflowServer, startMlflowServer } from '../../../helpers/mlflow-server';
import { registerLikePipeline } from '../../../helpers/mlflow-pipeline';

describe('MlflowModelRegistry reads the pipeline’s own versions', () => {
  let server: MlflowServer;
  let registry: MlflowModelRegistry;
  beforeEach(async () => {
    server = await startMlflowServer({ now: () => Date.UTC(2025, 7, 24, 14, 31) });
    registry = new MlflowModelRegistry({ trackingUri: server.url, pageSize: 2 });
  });
  afterEach(() => server.close());

  const calls = (endpoint: string) =>
    server.requests.filter((r) => r.path.includes(`/mlflow/${endpoint}`)).length;

  it('lists every book and reads metrics, orders and the training window from the run', async () => {
    const books = [nextIsbn(), nextIsbn(), nextIsbn()];
    for (const isbn of books) registerLikePipeline(server.state, { isbn, title: 'Alchemist, The' });
    registerLikePipeline(server.state, {
      isbn: books[0]!,
      metrics: { rmse: 99.5, mape: 8.25 },
      trainLength: 100,
    });

    expect(await registry.listModels()).toEqual([...books].sort());
    const [first, second] = await registry.listVersions(books[0]!);
    expect(first).toMatchObject({
      isbn: books[0],
      version: '1',
      createdAt: '2025-08-24T14:31:00.000Z',
      metrics: { rmse: 127.93, mape: 11.72, holdoutWeeks: 32 },
      // 620 weekly rows from the week ending 2012-01-07: the 620th ends 619 weeks later.
      trainedThrough: '2023-11-18',
      aliases: [],
      labels: {
        'fg.source': 'pipeline',
        book_isbn: books[0],
        book_title: 'Alchemist, The',
        run_type: 'individual_book',
        model_type: 'SARIMA',
      },
    });
    expect(first!.params).toMatchObject({ order: [1, 0, 0], seasonalOrder: [2, 0, 1, 52], isbn: books[0] });
    expect(first!.params.pipelineMetrics).toMatchObject({ mae: 98.41, rmse: 127.93, mape: 11.72 });
    expect(first!.dataHash).toMatch(/^mlflow-run:[0-9a-f]{32}$/);
    expect(first!.pipelineRunId).toBe(first!.dataHash.slice('mlflow-run:'.length));
    expect(missingMetrics(first!)).toBeUndefined();
    expect(second).toMatchObject({
      version: '2',
      metrics: { rmse: 99.5, mape: 8.25 },
      trainedThrough: '2013-11-30',
    });
    expect(await registry.getVersion(books[0]!, '2')).toEqual(second);
  });

  it('reads each run once per process, however often the versions are listed', async () => {
    const isbn = nextIsbn();
    for (let i = 0; i < 5; i++) registerLikePipeline(server.state, { isbn });
    await registry.listVersions(isbn);
    await registry.listVersions(isbn);
    await registry.getVersion(isbn, '3');
    expect(calls('runs/get')).toBe(5);
  });

  it('lists a version without a run, or whose run logged no metrics, flagged instead of failing the listing', async () => {
    const isbn = nextIsbn();
    registerLikePipeline(server.state, { isbn });
    registerLikePipeline(server.state, { isbn, withRun: false });
    registerLikePipeline(server.state, { isbn, metrics: null });
    const gone = registerLikePipeline(server.state, { isbn });
    server.state.runs.delete(gone.runId!);

    const versions = await registry.listVersions(isbn);
    expect(versions.map((v) => [v.version, missingMetrics(v) ?? 'ok'])).toEqual([
      ['1', 'ok'],
      ['2', 'registered without a run (no run_id)'],
      ['3', 'the run logged no rmse; the run logged no mape'],
      ['4', `run ${gone.runId} does not exist`],
    ]);
    // Unknown metrics fail every gate instead of passing one.
    expect(versions[1]!.metrics).toEqual({ rmse: MISSING_METRIC_VALUE, mape: MISSING_METRIC_VALUE });
    // Without train_length the window is bounded by the registration date, and says so.
    expect(versions[1]).toMatchObject({
      trainedThrough: '2025-08-23',
      labels: { 'fg.trained_through': 'assumed' },
    });
    expect(versions[1]!.dataHash).toBe(`mlflow-version:arima_book_${isbn}/2`);
    expect(versions[2]!.trainedThrough).toBe('2023-11-18');
  });

  it('takes a NaN metric (proto JSON writes it as "NaN") as missing, and int64 timestamps as strings', async () => {
    await server.close();
    server = await startMlflowServer({ int64As: 'string', now: () => Date.UTC(2025, 7, 24, 14, 31) });
    registry = new MlflowModelRegistry({ trackingUri: server.url });
    const isbn = nextIsbn();
    const { runId } = registerLikePipeline(server.state, { isbn });
    server.state.runs.get(runId!)!.metrics.set('mape', Number.NaN);
    const raw = await fetch(`${server.url}/api/2.0/mlflow/runs/get?run_id=${runId}`).then((r) => r.text());
    expect(raw).toContain('"key":"mape","value":"NaN"');
    const [version] = await registry.listVersions(isbn);
    expect(version).toMatchObject({ createdAt: '2025-08-24T14:31:00.000Z', metrics: { rmse: 127.93 } });
    expect(missingMetrics(version!)).toBe("the run's mape is NaN");
  });

  it('passes a server outage on a run through, and reads the run again next time', async () => {
    const isbn = nextIsbn();
    registerLikePipeline(server.state, { isbn });
    const fresh = new MlflowModelRegistry({ trackingUri: server.url });
    const original = fresh.client.getRun.bind(fresh.client);
    // registered-models/get and model-versions/search answer; the one run read meets a 503.
    let failures = 1;
    fresh.client.getRun = (id: string) => {
      if (failures-- > 0) server.failNext(1, 503);
      return original(id);
    };
    await expect(fresh.listVersions(isbn)).rejects.toBeInstanceOf(BackendUnavailableError);
    expect((await fresh.listVersions(isbn))[0]!.metrics.rmse).toBe(127.93);
  });

  it('moves aliases and quarantines with its own marks, never touching the pipeline’s tags', async () => {
    const isbn = nextIsbn();
    registerLikePipeline(server.state, { isbn });
    registerLikePipeline(server.state, { isbn });
    const tagsOf = (n: number) => new Map(server.state.models.get(`arima_book_${isbn}`)!.versions[n]!.tags);
    const before = tagsOf(0);

    await registry.setAlias(isbn, 'production', '1');
    const mark = aQuarantine();
    await registry.setQuarantine(isbn, '1', mark);
    const after = tagsOf(0);
    expect(after.get('fg.quarantine')).toBeDefined();
    after.delete('fg.quarantine');
    expect(after).toEqual(before);

    const v1 = await registry.getVersion(isbn, '1');
    expect(v1).toMatchObject({ aliases: ['production'], quarantine: mark, metrics: { rmse: 127.93 } });
    await registry.setAlias(isbn, 'production', '2');
    expect(await registry.getAlias(isbn, 'production')).toBe('2');
    await registry.setQuarantine(isbn, '1', undefined);
    expect((await registry.getVersion(isbn, '1'))!.quarantine).toBeUndefined();
    expect(tagsOf(0)).toEqual(before);
  });

  it('counts the training window from a configured train start, moved to its week-ending Saturday', async () => {
    const isbn = nextIsbn();
    registerLikePipeline(server.state, { isbn, trainLength: 100 });
    const later = new MlflowModelRegistry({ trackingUri: server.url, pipelineTrainStart: '2013-01-01' });
    // 2013-01-01 is a Tuesday: its week ends Saturday 2013-01-05; 100 weeks end 99 weeks later.
    expect((await later.getVersion(isbn, '1'))!.trainedThrough).toBe('2014-11-29');
  });
});

describe('the MLflow stand-in answers runs/get as MLflow does', () => {
  let server: MlflowServer;
  beforeEach(async () => (server = await startMlflowServer()));
  afterEach(() => server.close());

  const get = async (query: string) => {
    const res = await fetch(`${server.url}/api/2.0/mlflow/runs/get${query}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('answers a pipeline run in the shape of the publisher fixture', async () => {
    const { runId } = registerLikePipeline(server.state, { isbn: '9780722532935', title: 'Alchemist, The' });
    const res = await get(`?run_id=${runId}`);
    expect(res.status).toBe(200);
    const run = RunResponse.parse(res.body).run;
    const fixture = RunResponse.parse(
      loadFixture<{ response: { body: unknown } }>('9-publisher-pipeline/mlflow.run.json').response.body,
    ).run;
    const keys = (list: Array<{ key: string }>) => list.map((x) => x.key).sort();
    expect(keys(run.data.params)).toEqual(keys(fixture.data.params));
    expect(keys(run.data.metrics)).toEqual(keys(fixture.data.metrics));
    expect(keys(run.data.tags)).toEqual(keys(fixture.data.tags));
    expect(run.info).toMatchObject({ run_id: runId, experiment_id: '7', status: 'FINISHED' });
  });

  it('refuses an unknown run with 404 and a missing run_id with 400, in MLflow’s error envelope', async () => {
    expect(await get('?run_id=0123456789abcdef0123456789abcdef')).toEqual({
      status: 404,
      body: {
        error_code: 'RESOURCE_DOES_NOT_EXIST',
        message: 'Run with id=0123456789abcdef0123456789abcdef not found',
      },
    });
    const missing = await get('');
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringContaining("Missing value for required parameter 'run_id'"),
    });
  });

  it("pages registered models by name LIKE 'arima_book_%' and refuses more than 1,000 a page", async () => {
    for (const isbn of ['9780722532935', '9780241003008', '9780747532743'])
      registerLikePipeline(server.state, { isbn });
    const search = (q: string) => fetch(`${server.url}/api/2.0/mlflow/registered-models/search?${q}`);
    const filter = encodeURIComponent("name LIKE 'arima_book_%'");
    const page = (await (await search(`filter=${filter}&max_results=2`)).json()) as {
      registered_models: unknown[];
      next_page_token?: string;
    };
    expect(page.registered_models).toHaveLength(2);
    expect(page.next_page_token).toBeDefined();
    const tooMany = await search(`filter=${filter}&max_results=1001`);
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
  });
});
