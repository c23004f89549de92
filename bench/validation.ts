/**
 * Validation figures (issue: Validation): the time one post-deploy
 * validation run takes for 1,000 and 10,000 predictions on the embedded
 * backend — the whole run: the batch through ServingTarget.predict, edge
 * cases, refit and ARIMA sanity, explanation, report stored — median of
 * runs, for one version and for a 12-book fleet run.
 *
 *   npx tsx bench/validation.ts [--runs 5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../shared/config';
import { createLogger } from '../shared/logging/logger';
import { randomIds } from '../shared/ports/clock';
import { seedEmbeddedFleet } from '../shared/wiring/seed';
import { validateVersions, type ValidationTarget } from '../shared/services/validation/validate-versions';
import { openBackend, SALES_CSV_FILE } from '../shared/wiring/backend';
import { fmtMs, median, quantile, row } from './stats';

const runsFlag = process.argv.indexOf('--runs');
const RUNS = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 5;

async function main(): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'fg-bench-validation-'));
  const backend = openBackend(loadConfig({ FG_STATE_DIR: stateDir, FG_LOG_LEVEL: 'error' }));
  try {
    await seedEmbeddedFleet(
      { stateDir, salesCsv: join(stateDir, SALES_CSV_FILE), books: 12, seed: 42 },
      backend,
    );
    const isbns = await backend.registry.listModels();
    const logger = createLogger({ component: 'bench', level: 'error', write: () => undefined });
    const one: ValidationTarget[] = [{ isbn: isbns[0]!, version: '3', correlationId: 'bench' }];
    const fleet: ValidationTarget[] = isbns.map((isbn) => ({ isbn, version: '3', correlationId: 'bench' }));
    process.stdout.write(`validation (embedded backend, concurrency 8), median of ${RUNS} runs\n`);
    // Warm the forecast cache and the JIT once, as a long-running function instance would be.
    await validateVersions(one, { ...backend, ids: randomIds, logger, environment: 'production' });

    for (const [label, targets] of [
      ['1 version', one],
      ['12 versions', fleet],
    ] as const) {
      for (const minPredictions of [1000, 10_000]) {
        const runs: number[] = [];
        let predictions = 0;
        for (let i = 0; i < RUNS; i++) {
          const t = performance.now();
          const results = await validateVersions(targets, {
            ...backend,
            ids: randomIds,
            logger,
            environment: 'production',
            options: { minPredictions },
          });
          runs.push(performance.now() - t);
          predictions = results.reduce((s, r) => s + r.report.predictions, 0);
          if (results.some((r) => !r.report.passed))
            throw new Error(`a seeded version failed validation: ${results[0]!.report.reportId}`);
        }
        row(
          `${label}: ${predictions.toLocaleString('en-GB')} predictions`,
          fmtMs(median(runs)),
          `p95 run ${fmtMs(quantile(runs, 0.95))}`,
          `${Math.round(predictions / (median(runs) / 1000)).toLocaleString('en-GB')} predictions/s`,
        );
      }
    }
  } finally {
    await backend.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${String(err)}\n`);
  process.exitCode = 1;
});
