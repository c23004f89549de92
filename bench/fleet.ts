/**
 * Fleet figures (issue: Fleet): seed time for 12 and 100 books on a fresh
 * state directory (median of runs), a cached re-seed, and predict throughput
 * for 1,000-instance calls on the embedded serving target.
 *
 *   npx tsx bench/fleet.ts [--runs 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../shared/config';
import { seedEmbeddedFleet } from '../shared/wiring/seed';
import { openBackend, SALES_CSV_FILE } from '../shared/wiring/backend';
import { fmtMs, median, row, timeRuns } from './stats';

const runsFlag = process.argv.indexOf('--runs');
const RUNS = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 3;

async function seedOnce(books: number, dir?: string): Promise<{ ms: number; dir: string }> {
  const stateDir = dir ?? mkdtempSync(join(tmpdir(), 'fg-bench-seed-'));
  const backend = openBackend(loadConfig({ FG_STATE_DIR: stateDir }));
  const t = performance.now();
  await seedEmbeddedFleet({ stateDir, salesCsv: join(stateDir, SALES_CSV_FILE), books, seed: 42 }, backend);
  const ms = performance.now() - t;
  await backend.close();
  return { ms, dir: stateDir };
}

async function main(): Promise<void> {
  process.stdout.write(`fleet (embedded backend), median of ${RUNS} runs\n`);
  const dirs: string[] = [];
  for (const books of [12, 100]) {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await seedOnce(books);
      times.push(r.ms);
      dirs.push(r.dir);
    }
    row(
      `seed ${books} books (x3 versions), fresh state dir`,
      fmtMs(median(times)),
      `min ${fmtMs(Math.min(...times))}`,
    );
  }
  const cached = await timeRuns(RUNS, () => seedOnce(100, dirs[dirs.length - 1]));
  row('seed 100 books again (cached)', fmtMs(median(cached)));

  const backend = openBackend(loadConfig({ FG_STATE_DIR: dirs[0]! }));
  const instances = Array.from({ length: 1000 }, (_, i) => ({
    steps: 1 + (i % 52),
    return_confidence_intervals: i % 2 === 0,
  }));
  const isbns = await backend.registry.listModels();
  await backend.serving.predict(isbns[0]!, instances); // warm the forecast cache
  const calls = await timeRuns(20, (i) => backend.serving.predict(isbns[i % isbns.length]!, instances));
  const perCall = median(calls);
  row(
    'predict, 1,000 instances per call',
    fmtMs(perCall),
    `${Math.round(1000 / (perCall / 1000)).toLocaleString('en-GB')} instances/s`,
  );
  await backend.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

void main();
