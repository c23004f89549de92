/**
 * `npm run bench`: every benchmark script in turn, each in its own process so
 * one's memory and warm caches do not colour the next. Figures only; nothing
 * here passes or fails. Each bench appends its figures-beside-goals to a
 * file named by FG_BENCH_SUMMARY (stats.ts `goal`); the run ends with them
 * as one table.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSummary, summaryTable, SUMMARY_FILE_ENV } from './stats';

const BENCHES = [
  'fleet',
  'forecasting',
  'rollback',
  'vertex-rollback',
  'health-check',
  'validation',
  'load',
  'sales-data',
  'sales-landing',
  'adopt',
  'thresholds',
  'anomaly',
  'scheduler-watch',
  'metric-points',
  'cold-start',
];
const only = process.argv.slice(2);
const summaryDir = mkdtempSync(join(tmpdir(), 'fg-bench-summary-'));
const summaryFile = join(summaryDir, 'goals.jsonl');
const exited: string[] = [];

for (const name of BENCHES) {
  if (only.length && !only.includes(name)) continue;
  const file = join(__dirname, `${name}.ts`);
  if (!existsSync(file)) continue;
  process.stdout.write(`\n== bench/${name}.ts\n`);
  const res = spawnSync(process.execPath, ['--import', 'tsx', file], {
    stdio: 'inherit',
    env: { ...process.env, FG_LOG_LEVEL: 'error', [SUMMARY_FILE_ENV]: summaryFile },
  });
  if (res.status !== 0) {
    process.stdout.write(`bench/${name}.ts exited ${res.status}\n`);
    exited.push(`bench/${name}.ts exited ${res.status}`);
  }
}

const rows = existsSync(summaryFile) ? readSummary(readFileSync(summaryFile, 'utf8')) : [];
rmSync(summaryDir, { recursive: true, force: true });
process.stdout.write(`\n== every figure beside its goal (${rows.length} rows)\n${summaryTable(rows)}\n`);
for (const line of exited) process.stdout.write(`${line}: its figures above may be missing\n`);
