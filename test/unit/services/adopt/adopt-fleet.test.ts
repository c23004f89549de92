/**
 * adoptFleet over a fleet registered the pipeline's way in the MLflow
 * stand-in, with endpoints known: a fully served fleet is ready and gets its
 * last-known-good recorded once (saying so); a re-run changes nothing; a
 * pointer forecast-guard already holds is never overwritten; each kind of
 * blocker is counted. MLflow calls grow with the fleet, never with its square.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvSalesData } from '../../../../shared/adapters/local/csv-sales-data';
import { SqliteStateStore } from '../../../../shared/adapters/local/sqlite-state-store';
import { MlflowModelRegistry } from '../../../../shared/adapters/mlflow/mlflow-model-registry';
import { COLLECTIONS } from '../../../../shared/contracts/collections';
import type { ServingState } from '../../../../shared/contracts/model';
import { addWeeks } from '../../../../shared/domain/series/weeks';
import type { Clock } from '../../../../shared/ports/clock';
import type { ServingTarget } from '../../../../shared/ports/serving-target';
import { ADOPTED_LKG_ACTOR, adoptFleet } from '../../../../shared/services/adopt';
import { aQuarantine, nextIsbn } from '../../../builders/model';
import { registerLikePipeline } from '../../../helpers/mlflow-pipeline';
import { type MlflowServer, startMlflowServer } from '../../../helpers/mlflow-server';

const NOW = '2025-09-01T08:00:00.000Z';
const clock: Clock = { now: () => new Date(NOW), sleep: () => Promise.resolve() };

/** Endpoints as a serving target lists them: only the reads adopt makes answer. */
function endpoints(states: ServingState[]): ServingTarget {
  const refuse = () => Promise.reject(new Error('adopt must not change serving'));
  return {
    listServing: () => Promise.resolve(states),
    getServing: (isbn) => Promise.resolve(states.find((s) => s.isbn === isbn)),
    setTraffic: refuse,
    undeploy: refuse,
    predict: refuse,
  };
}

function serving(isbn: string, version: string): ServingState {
  return {
    isbn,
    endpoint: `projects/p/locations/europe-west2/endpoints/${isbn.slice(-6)}`,
    deployments: [{ version, trafficPercent: 100 }],
    updatedAt: '2025-08-25T00:00:00.000Z',
  };
}

describe('adoptFleet', () => {
  let server: MlflowServer;
  let dir: string;
  let state: SqliteStateStore;
  let registry: MlflowModelRegistry;

  beforeEach(async () => {
    server = await startMlflowServer();
    registry = new MlflowModelRegistry({ trackingUri: server.url });
    dir = mkdtempSync(join(tmpdir(), 'fg-adopt-'));
    state = new SqliteStateStore(':memory:');
  });
  afterEach(async () => {
    await state.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `n` books, two pipeline versions each, v2 serving; actuals for all but `without`. */
  function fleet(n: number, without: string[] = []) {
    const isbns = Array.from({ length: n }, () => nextIsbn());
    for (const isbn of isbns) for (let v = 0; v < 2; v++) registerLikePipeline(server.state, { isbn });
    const rows = ['isbn,title,week_ending,volume'];
    for (const isbn of isbns.filter((i) => !without.includes(i)))
      for (let w = 0; w < 4; w++) rows.push(`${isbn},T,${addWeeks('2025-08-02', w)},${50 + w}`);
    writeFileSync(join(dir, 'sales.csv'), rows.join('\n') + '\n');
    return isbns;
  }
  const sales = () => new CsvSalesData(join(dir, 'sales.csv'));

  it('adopts a fully served fleet of 50 books: ready, last-known-good recorded once, re-run idempotent', async () => {
    const isbns = fleet(50);
    const ports = {
      registry,
      state,
      clock,
      sales: sales(),
      serving: endpoints(isbns.map((i) => serving(i, '2'))),
    };

    const first = await adoptFleet(ports);
    expect(first.ready).toBe(true);
    expect(first.found).toEqual({
      books: 50,
      versions: 100,
      pipelineVersions: 100,
      endpoints: 50,
      servingVersions: 50,
      booksWithActuals: 50,
    });
    expect(first.books.every((b) => b.blockers.length === 0)).toBe(true);
    expect(first.lastKnownGood.recorded).toHaveLength(50);
    const doc = await state.get(COLLECTIONS.lastKnownGood, isbns[0]!);
    expect(doc?.data).toEqual({ isbn: isbns[0], version: '2', validatedAt: NOW, setBy: ADOPTED_LKG_ACTOR });
    // One search, then per book: registered-models/get, model-versions/search and one runs/get per version.
    expect(server.requests).toHaveLength(1 + 50 * (2 + 2));

    const again = await adoptFleet(ports);
    expect(again.ready).toBe(true);
    expect(again.lastKnownGood).toEqual({ recorded: [], kept: 50 });
    expect((await state.get(COLLECTIONS.lastKnownGood, isbns[0]!))?.updateTime).toBe(doc?.updateTime);
  });

  it('never overwrites a last-known-good forecast-guard already holds', async () => {
    const [isbn] = fleet(1);
    await state.set(COLLECTIONS.lastKnownGood, isbn!, {
      isbn,
      version: '1',
      validatedAt: '2025-08-30T00:00:00.000Z',
      setBy: 'post-deploy-validation',
    });
    const report = await adoptFleet({
      registry,
      state,
      clock,
      sales: sales(),
      serving: endpoints([serving(isbn!, '2')]),
    });
    expect(report.books[0]!.lastKnownGood).toEqual({
      action: 'kept',
      version: '1',
      setBy: 'post-deploy-validation',
    });
    expect((await state.get(COLLECTIONS.lastKnownGood, isbn!))?.data).toMatchObject({ version: '1' });
  });

  it('counts each blocker: no actuals, no endpoint, quarantined or unknown serving version, unregistered endpoint', async () => {
    const isbns = fleet(6, []);
    const [served, noActuals, noEndpoint, quarantined, phantom] = isbns;
    const stray = nextIsbn();
    writeFileSync(
      join(dir, 'sales.csv'),
      [
        'isbn,title,week_ending,volume',
        ...isbns.filter((i) => i !== noActuals).map((i) => `${i},T,2025-08-02,5`),
      ].join('\n') + '\n',
    );
    await registry.setQuarantine(quarantined!, '2', aQuarantine());
    const states = [served!, noActuals!, quarantined!, isbns[5]!].map((i) => serving(i, '2'));
    states.push(serving(phantom!, '9'), serving(stray, '1'));

    const report = await adoptFleet({ registry, state, clock, sales: sales(), serving: endpoints(states) });
    expect(report.ready).toBe(false);
    expect(report.blocking).toEqual({
      servingUnknown: false,
      noActuals: [noActuals],
      noMetrics: [],
      noVersions: [],
      noServing: [noEndpoint],
      servingUnregisteredVersion: [{ isbn: phantom, version: '9' }],
      noLastKnownGood: [
        { isbn: quarantined, reason: expect.stringMatching(/^serving version 2 is quarantined/) },
        { isbn: phantom, reason: 'serving version 9 is not in the registry' },
      ].sort((a, b) => a.isbn!.localeCompare(b.isbn!)),
      endpointsWithoutModel: [{ isbn: stray, endpoint: states[5]!.endpoint }],
    });
    expect(report.found).toMatchObject({ books: 6, endpoints: 6, servingVersions: 5 });
    expect(report.lastKnownGood.recorded.map((r) => r.isbn).sort()).toEqual(
      [served, noActuals, isbns[5]].sort(),
    );
    expect(report.books.find((b) => b.isbn === noEndpoint)!.blockers).toEqual(['no serving endpoint']);
  });

  it('says so when there is no sales source at all, instead of failing', async () => {
    const [isbn] = fleet(1);
    rmSync(join(dir, 'sales.csv'));
    const report = await adoptFleet({
      registry,
      state,
      clock,
      sales: sales(),
      serving: endpoints([serving(isbn!, '2')]),
    });
    expect(report.ready).toBe(false);
    expect(report.blocking.salesProblem).toMatch(/sales file .* does not exist/);
    expect(report.blocking.noActuals).toEqual([isbn]);
  });
});
