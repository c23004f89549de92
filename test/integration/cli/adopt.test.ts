/**
 * `forecast-guard adopt` and `versions` with only a registry configured:
 * FG_REGISTRY=mlflow on one machine, against the MLflow stand-in holding a
 * fleet registered exactly the pipeline's way (no fg.* tags, metrics on the
 * runs). Serving is unknown there, so adopt reports the fleet and exits 1;
 * commands that need serving refuse by name.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStateStore, stateDbPath } from '../../../shared/adapters/local/sqlite-state-store';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import { addWeeks } from '../../../shared/domain/series/weeks';
import { ADOPTED_LKG_ACTOR } from '../../../shared/services/adopt';
import { nextIsbn } from '../../builders/model';
import { runCli } from '../../helpers/cli';
import { registerLikePipeline } from '../../helpers/mlflow-pipeline';
import { type MlflowServer, startMlflowServer } from '../../helpers/mlflow-server';

const BOOKS = 20;

describe('forecast-guard adopt / versions with MLflow alone', () => {
  let server: MlflowServer;
  let stateDir: string;
  let env: Record<string, string>;
  const books = Array.from({ length: BOOKS }, () => nextIsbn());
  const [noActuals, noMetrics, noRun] = [books[3]!, books[7]!, books[11]!];

  beforeAll(async () => {
    server = await startMlflowServer();
    for (const isbn of books) {
      registerLikePipeline(server.state, { isbn, title: `Title of ${isbn}` });
      registerLikePipeline(server.state, {
        isbn,
        title: `Title of ${isbn}`,
        ...(isbn === noMetrics ? { metrics: null } : {}),
        ...(isbn === noRun ? { withRun: false } : {}),
      });
    }
    stateDir = mkdtempSync(join(tmpdir(), 'fg-adopt-'));
    // Actuals for every book but one, as the embedded backend reads them.
    const rows = ['isbn,title,week_ending,volume'];
    for (const isbn of books.filter((b) => b !== noActuals)) {
      for (let w = 0; w < 8; w++)
        rows.push(`${isbn},Title of ${isbn},${addWeeks('2024-04-27', w)},${100 + w}`);
    }
    writeFileSync(join(stateDir, 'sales.csv'), rows.join('\n') + '\n');
    env = {
      FG_STATE_DIR: stateDir,
      FG_LOG_LEVEL: 'error',
      FG_REGISTRY: 'mlflow',
      MLFLOW_TRACKING_URI: server.url,
    };
  });
  afterAll(async () => {
    await server.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('finds every book and version by the pipeline’s names, and says what blocks monitoring (exit 1)', async () => {
    const res = await runCli(env, 'adopt', '--json');
    expect(res.stderr).toBe('');
    expect(res.code).toBe(1);
    const report = res.json();
    expect(report.ready).toBe(false);
    expect(report.found).toEqual({
      books: BOOKS,
      versions: 2 * BOOKS,
      pipelineVersions: 2 * BOOKS,
      endpoints: null,
      servingVersions: null,
      booksWithActuals: BOOKS - 1,
    });
    expect(report.blocking).toMatchObject({
      servingUnknown: true,
      noActuals: [noActuals],
      noMetrics: [
        { isbn: noMetrics, version: '2', reason: 'the run logged no rmse; the run logged no mape' },
        { isbn: noRun, version: '2', reason: 'registered without a run (no run_id)' },
      ].sort((a, b) => a.isbn.localeCompare(b.isbn)),
      noServing: [],
      noLastKnownGood: [],
    });
    // Nothing is known to serve, so nothing is recorded as last-known-good.
    expect(report.lastKnownGood).toEqual({ recorded: [], kept: 0 });
    const book = report.books.find((b: { isbn: string }) => b.isbn === books[0]);
    expect(book).toMatchObject({
      title: `Title of ${books[0]}`,
      versions: ['1', '2'],
      pipelineVersions: 2,
      serving: 'unknown',
      endpoint: 'unknown',
      hasActuals: true,
      blockers: ['serving unknown: no serving target configured'],
    });
  });

  it('prints the same report for people', async () => {
    const res = await runCli(env, 'adopt');
    expect(res.code).toBe(1);
    expect(res.stdout).toContain(
      `found: ${BOOKS} book(s), ${2 * BOOKS} version(s) (${2 * BOOKS} registered by the pipeline), serving unknown, actual sales for ${BOOKS - 1} book(s)`,
    );
    expect(res.stdout).toContain('not ready: 3 thing(s) block monitoring');
    expect(res.stdout).toContain('serving unknown: no serving target is configured');
    expect(res.stdout).toContain(`no actuals for 1 book(s): ${noActuals}`);
    expect(res.stdout).toMatch(/no metrics for 2 version\(s\): \d{13} v2, \d{13} v2/);
  });

  it('shows one book’s versions with metrics from their runs and serving unknown', async () => {
    const res = await runCli(env, 'versions', '--isbn', noMetrics, '--json');
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const view = res.json();
    expect(view).toMatchObject({ isbn: noMetrics, servingKnown: false, serving: null, lastKnownGood: null });
    expect(view.versions[0]).toMatchObject({
      version: '1',
      rmse: 127.93,
      mape: 11.72,
      trainedThrough: '2023-11-18',
    });
    expect(view.versions[0].metricsMissing).toBeUndefined();
    expect(view.versions[1]).toMatchObject({
      version: '2',
      metricsMissing: expect.stringContaining('no rmse'),
    });

    const text = await runCli(env, 'versions', '--isbn', noMetrics);
    expect(text.stdout).toContain(`${noMetrics}: serving unknown (no serving target configured)`);
    expect(text.stdout).toMatch(/\n2 +missing +missing +unknown/);
  });

  it('exits 3 naming MLflow when the registry cannot be reached', async () => {
    const down = await startMlflowServer();
    const url = down.url;
    await down.close();
    const res = await runCli({ ...env, MLFLOW_TRACKING_URI: url }, 'adopt');
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/MLflow GET registered-models\/search could not reach/);
  });

  it.each([
    ['rollback', ['rollback', '--isbn', books[0]!, '--to-version', '1', '--by', 'oncall']],
    ['deploy', ['deploy', '--isbn', books[0]!, '--model-version', 'latest']],
    ['validate', ['validate', '--isbn', books[0]!, '--report-only']],
    ['health run', ['health', 'run', '--isbn', books[0]!]],
  ])('%s refuses clearly without a serving target', async (_name, argv) => {
    const res = await runCli(env, ...argv);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/serving is unknown: no serving target is configured .*FG_BACKEND=gcp/);
  });
});

describe('forecast-guard adopt on a fully monitored fleet (embedded)', () => {
  let stateDir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-adopt-embedded-'));
    env = { FG_STATE_DIR: stateDir, FG_LOG_LEVEL: 'error' };
  });
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('reports every book monitored and exits 0, keeping the pointers seed recorded', async () => {
    expect((await runCli(env, 'seed', '--books', '4', '--json')).code).toBe(0);
    const res = await runCli(env, 'adopt', '--json');
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const report = res.json();
    expect(report).toMatchObject({
      ready: true,
      found: {
        books: 4,
        versions: 12,
        pipelineVersions: 0,
        endpoints: 4,
        servingVersions: 4,
        booksWithActuals: 4,
      },
      lastKnownGood: { recorded: [], kept: 4 },
    });
    const text = await runCli(env, 'adopt');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('ready: every book is monitored');
  });

  it('records the serving version as last-known-good where none exists, once, saying so', async () => {
    const state = new SqliteStateStore(stateDbPath(stateDir));
    const [first, ...others] = (await state.query(COLLECTIONS.lastKnownGood)).map((d) => d.id);
    // Two books lose their pointer, as on a fleet forecast-guard never validated.
    for (const isbn of [first!, others[0]!]) await state.delete(COLLECTIONS.lastKnownGood, isbn);
    await state.close();

    const res = await runCli(env, 'adopt', '--json');
    expect(res.code).toBe(0);
    const report = res.json();
    expect(report.lastKnownGood.kept).toBe(2);
    expect(report.lastKnownGood.recorded.map((r: { isbn: string }) => r.isbn).sort()).toEqual(
      [first, others[0]].sort(),
    );
    const again = await runCli(env, 'adopt', '--json');
    expect(again.json().lastKnownGood).toEqual({ recorded: [], kept: 4 });

    const after = new SqliteStateStore(stateDbPath(stateDir));
    const doc = await after.get(COLLECTIONS.lastKnownGood, first!);
    await after.close();
    expect(doc?.data).toMatchObject({ isbn: first, setBy: ADOPTED_LKG_ACTOR });
    const view = (await runCli(env, 'versions', '--isbn', first!, '--json')).json();
    expect(doc?.data.version).toBe(view.serving);
    expect(view.lastKnownGood).toBe(view.serving);
  });
});
