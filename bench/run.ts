/**
 * `npm run bench`: every benchmark script in turn, each in its own process so
 * one's memory and warm caches do not colour the next. Figures only; nothing
 * here passes or fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

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

for (const name of BENCHES) {
  if (only.length && !only.includes(name)) continue;
  const file = join(__dirname, `${name}.ts`);
  if (!existsSync(file)) continue;
  process.stdout.write(`\n== bench/${name}.ts\n`);
  const res = spawnSync(process.execPath, ['--import', 'tsx', file], {
    stdio: 'inherit',
    env: { ...process.env, FG_LOG_LEVEL: 'error' },
  });
  if (res.status !== 0) process.stdout.write(`bench/${name}.ts exited ${res.status}\n`);
}
