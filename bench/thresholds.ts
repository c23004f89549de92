/**
 * Threshold study figures (issue 14 item 5): `forecast-guard thresholds
 * --report … --overrides-dir …` on the 500-book seeded fleet, wall time of
 * the whole command (open the backend, 4,000 backtest fits on the fit pool,
 * scoring, report and files written), median of runs, beside the 60 s goal.
 * Seeding is done once first and not timed.
 *
 *   npx tsx bench/thresholds.ts [--runs 3] [--books 500] [--state-dir DIR]
 */
import { mkdtempSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { main as cli } from '../cli/main';
import { fmtMs, median, row } from './stats';

const GOAL_MS = 60_000;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

async function run(env: Record<string, string>, ...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await cli(argv, { env, streams: { stdout: (s) => void (out += s), stderr: () => {} } });
  return { code, out };
}

async function main(): Promise<void> {
  const runs = Number(arg('runs', '3'));
  const books = arg('books', '500');
  const stateDir = arg('state-dir', mkdtempSync(join(tmpdir(), 'fg-bench-thresholds-')));
  const env = { FG_STATE_DIR: stateDir, FG_LOG_LEVEL: 'error' };
  process.stdout.write(
    `threshold study on ${books} seeded books, ${availableParallelism()} cores, median of ${runs} runs\n`,
  );
  const seeded = await run(env, 'seed', '--books', books, '--json');
  if (seeded.code !== 0) throw new Error(`seed exited ${seeded.code}`);
  const times: number[] = [];
  // CPU of the whole process, fit workers included (they are threads): what an idle machine would need.
  const cpuMs: number[] = [];
  let last:
    { backtest: { fits: number; fitMs: number; books: number }; fleet: { windows: number } } | undefined;
  for (let i = 0; i < runs; i++) {
    const load = loadavg()[0] ?? 0;
    const out = join(stateDir, `study-${i}`);
    const cpu = process.cpuUsage();
    const t = performance.now();
    const r = await run(
      env,
      'thresholds',
      '--json',
      '--report',
      join(out, 'report.html'),
      '--overrides-dir',
      out,
    );
    const ms = performance.now() - t;
    const used = process.cpuUsage(cpu);
    cpuMs.push((used.user + used.system) / 1000);
    if (r.code !== 0) throw new Error(`thresholds exited ${r.code}`);
    last = JSON.parse(r.out);
    times.push(ms);
    row(
      `run ${i + 1}`,
      fmtMs(ms),
      `cpu ${fmtMs(cpuMs[i] ?? 0)}`,
      `load average before ${load.toFixed(1)}`,
      `report ${statSync(join(out, 'report.html')).size} bytes`,
    );
  }
  const m = median(times);
  row(
    'thresholds --report (whole command)',
    fmtMs(m),
    `goal ≤ ${fmtMs(GOAL_MS)}`,
    `${(m / GOAL_MS).toFixed(2)} × goal`,
    m <= GOAL_MS ? 'met' : 'NOT met',
  );
  const cores = availableParallelism();
  const idle = median(cpuMs) / cores;
  row(
    'cpu time (all threads)',
    fmtMs(median(cpuMs)),
    `÷ ${cores} cores = ${fmtMs(idle)} on an otherwise idle machine`,
    `${(idle / GOAL_MS).toFixed(2)} × goal`,
  );
  if (last) {
    row(
      'backtest',
      `${last.backtest.books} books`,
      `${last.fleet.windows} windows`,
      `${last.backtest.fits} fits in ${fmtMs(last.backtest.fitMs)} (last run)`,
    );
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
