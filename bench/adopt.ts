/**
 * `adopt` figures (issue 12): one adoption of a fleet of 500 books with three
 * versions each, registered the pipeline's way in the MLflow stand-in (a
 * local HTTP server), every book served and with actuals. Prints the median
 * wall time of `--runs` fresh adoptions (a new registry each time, so every
 * run is read again) beside the MLflow calls made and the floor the design
 * promises: one search page per 1,000 books, then per book one
 * registered-models/get, one model-versions/search and one runs/get per
 * version (linear in the fleet, never N²). Figures only; nothing passes or fails.
 *
 *   npx tsx bench/adopt.ts [--runs 3] [--books 500]
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvSalesData } from '../shared/adapters/local/csv-sales-data';
import { SqliteStateStore } from '../shared/adapters/local/sqlite-state-store';
import { MlflowModelRegistry } from '../shared/adapters/mlflow/mlflow-model-registry';
import type { ServingState } from '../shared/contracts/model';
import { isbn13CheckDigit } from '../shared/domain/isbn';
import type { ServingTarget } from '../shared/ports/serving-target';
import { adoptFleet } from '../shared/services/adopt';
import { registerLikePipeline } from '../test/helpers/mlflow-pipeline';
import { startMlflowServer } from '../test/helpers/mlflow-server';
import { fmtMs, median, numberFlag, row } from './stats';

const RUNS = numberFlag('runs', 3);
const BOOKS = numberFlag('books', 500);
const VERSIONS = 3;

function isbn(n: number): string {
  const twelve = `978${String(100_000_000 + n).slice(-9)}`;
  return `${twelve}${isbn13CheckDigit(twelve)}`;
}

async function main(): Promise<void> {
  const server = await startMlflowServer();
  const dir = mkdtempSync(join(tmpdir(), 'fg-bench-adopt-'));
  try {
    const isbns = Array.from({ length: BOOKS }, (_, i) => isbn(i + 1));
    for (const id of isbns)
      for (let v = 0; v < VERSIONS; v++) registerLikePipeline(server.state, { isbn: id });
    const rows = ['isbn,title,week_ending,volume', ...isbns.map((id) => `${id},T,2025-08-02,10`)];
    writeFileSync(join(dir, 'sales.csv'), rows.join('\n') + '\n');
    const states: ServingState[] = isbns.map((id) => ({
      isbn: id,
      deployments: [{ version: String(VERSIONS), trafficPercent: 100 }],
      updatedAt: '2025-08-25T00:00:00.000Z',
    }));
    const refuse = () => Promise.reject(new Error('adopt does not change serving'));
    const serving: ServingTarget = {
      listServing: () => Promise.resolve(states),
      getServing: (id) => Promise.resolve(states.find((s) => s.isbn === id)),
      setTraffic: refuse,
      undeploy: refuse,
      predict: refuse,
    };
    const clock = { now: () => new Date('2025-09-01T08:00:00.000Z'), sleep: () => Promise.resolve() };
    const times: number[] = [];
    let calls = 0;
    let ready = true;
    for (let r = 0; r < RUNS; r++) {
      const state = new SqliteStateStore(':memory:');
      const registry = new MlflowModelRegistry({ trackingUri: server.url });
      server.requests.length = 0;
      const started = performance.now();
      const report = await adoptFleet({
        registry,
        serving,
        state,
        clock,
        sales: new CsvSalesData(join(dir, 'sales.csv')),
      });
      times.push(performance.now() - started);
      calls = server.requests.length;
      ready &&= report.ready && report.lastKnownGood.recorded.length === BOOKS;
      await state.close();
    }
    const floor = Math.ceil(BOOKS / 1000) + BOOKS * (2 + VERSIONS);
    process.stdout.write(
      `adopt: ${BOOKS} books x ${VERSIONS} pipeline versions, MLflow stand-in over HTTP, ${RUNS} runs\n`,
    );
    row('median wall time', fmtMs(median(times)), `(per book ${fmtMs(median(times) / BOOKS)})`);
    row('MLflow calls', String(calls), `floor ${floor}`, `ratio ${(calls / floor).toFixed(2)}`);
    row('fleet ready, last-known-good recorded for all', ready ? 'yes' : 'NO');
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
