/**
 * Forecasting figures: fit time per book for the candidate model forms, the
 * time to train the 12-book fleet × 3 versions through the worker pool, each
 * book's holdout accuracy beside the product owner's thresholds, whether the
 * final refit beats reusing the holdout fit, and the 95 % interval's coverage.
 * Prints figures; asserts nothing.
 *
 *   npx tsx bench/forecasting.ts [--seed 42]
 */
import { availableParallelism } from 'node:os';
import type { SalesSeries } from '../shared/contracts/model';
import { DEFAULT_BOOKS } from '../shared/fleet/catalogue';
import { generateFleetSales } from '../shared/fleet/sales-generator';
import { fitMany } from '../shared/forecasting/fit-pool';
import { mape, rmse } from '../shared/domain/series/metrics';
import type { TrainModelOptions } from '../shared/forecasting/train-model';
import { trainModel } from '../shared/forecasting/train-model';
import { addWeeks } from '../shared/domain/series/weeks';

const seedFlag = process.argv.indexOf('--seed');
const seed = seedFlag > 0 ? Number(process.argv[seedFlag + 1]) : 42;
const CUTOFFS = ['2023-12-30', '2024-06-29', '2024-12-28'];
const THRESHOLDS = { production: { rmse: 80, mape: 30 }, staging: { rmse: 100, mape: 50 } };

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
};
const fmt = (v: number, digits = 1) => v.toFixed(digits).padStart(7);

function candidates(): {
  name: string;
  prepare: (s: SalesSeries) => SalesSeries;
  options: Partial<TrainModelOptions>;
}[] {
  const lastYears = (years: number) => (s: SalesSeries) => ({
    ...s,
    points: s.points.filter((p) => p.weekEnding > `${2024 - years}-12-31`),
  });
  return [
    { name: 'ARIMA(0,1,1) + seasonal profile, full window [default]', prepare: (s) => s, options: {} },
    {
      name: 'ARIMA(2,1,1) + seasonal profile, full window',
      prepare: (s) => s,
      options: { order: { p: 2, d: 1, q: 1 } },
    },
    {
      name: 'SARIMA(0,1,1)(0,1,1)52 on log1p, last 5 years',
      prepare: lastYears(5),
      options: { seasonalOrder: { P: 0, D: 1, Q: 1, s: 52 } },
    },
  ];
}

async function main(): Promise<void> {
  const fleet = generateFleetSales(DEFAULT_BOOKS, { seed });
  console.log(
    `forecasting bench: ${fleet.length} books, seed ${seed}, cutoffs ${CUTOFFS.join(' ')}, ${availableParallelism()} CPUs\n`,
  );
  trainModel(fleet[0]!, { cutoff: CUTOFFS[0]! }); // warm the WebAssembly module and the JIT

  console.log('fit time per book (ARIMA fits only = params.fitMs; whole trainModel = wall), ms');
  console.log(
    `${'model'.padEnd(56)} ${'fit p50'.padStart(7)} ${'fit p95'.padStart(7)} ${'wall50'.padStart(7)} ${'wall95'.padStart(7)} fallbacks  RMSE p50  MAPE p50`,
  );
  for (const candidate of candidates()) {
    const fits: number[] = [];
    const walls: number[] = [];
    const rmses: number[] = [];
    const mapes: number[] = [];
    let fallbacks = 0;
    for (const series of fleet) {
      for (const cutoff of CUTOFFS) {
        const started = performance.now();
        try {
          const model = trainModel(candidate.prepare(series), { cutoff, ...candidate.options });
          walls.push(performance.now() - started);
          fits.push(model.params.fitMs);
          rmses.push(model.metrics.rmse);
          mapes.push(model.metrics.mape);
          if (model.params.fallbackFrom) fallbacks++;
        } catch (err) {
          console.log(`  ${series.title}: ${String(err)}`);
        }
      }
    }
    console.log(
      `${candidate.name.padEnd(56)} ${fmt(quantile(fits, 0.5))} ${fmt(quantile(fits, 0.95))} ${fmt(quantile(walls, 0.5))} ${fmt(
        quantile(walls, 0.95),
      )} ${String(fallbacks).padStart(9)} ${fmt(quantile(rmses, 0.5))}  ${fmt(quantile(mapes, 0.5))}`,
    );
  }

  const jobs = fleet.flatMap((series) => CUTOFFS.map((cutoff) => ({ series, options: { cutoff } })));
  const poolStarted = performance.now();
  const results = await fitMany(jobs);
  const poolMs = performance.now() - poolStarted;
  const failed = results.filter((r) => !r.ok).length;
  console.log(
    `\npool: ${jobs.length} models (12 books × 3 versions) in ${poolMs.toFixed(0)} ms on ${availableParallelism()} workers ` +
      `(worker start-up included), ${failed} failed`,
  );

  console.log(`\nholdout accuracy of the latest version (trained through ${CUTOFFS[2]}, 32-week holdout)`);
  console.log(
    `${'isbn'.padEnd(14)} ${'title'.padEnd(42)} ${'RMSE'.padStart(7)} ${'MAPE %'.padStart(7)}  production (<80, <30 %)  staging (<100, <50 %)`,
  );
  for (const result of results.filter((r) => r.ok && r.model.trainedThrough === CUTOFFS[2])) {
    const { isbn, metrics } = result.model!;
    const title = fleet.find((s) => s.isbn === isbn)!.title.slice(0, 42);
    const verdict = (t: { rmse: number; mape: number }) =>
      metrics.rmse < t.rmse && metrics.mape < t.mape ? 'pass' : 'FAIL';
    console.log(
      `${isbn} ${title.padEnd(42)} ${fmt(metrics.rmse)} ${fmt(metrics.mape)}  ${verdict(THRESHOLDS.production).padEnd(23)}  ${verdict(THRESHOLDS.staging)}`,
    );
  }

  // Refit on the whole window vs reuse the holdout fit: score both on the 52 weeks after 2023-12-30.
  const cutoff = CUTOFFS[0]!;
  const refit = { rmse: [] as number[], mape: [] as number[] };
  const reuse = { rmse: [] as number[], mape: [] as number[] };
  let covered = 0;
  let scored = 0;
  let refitWins = 0;
  for (const s of [42, 1, 2, 3].flatMap((sd) => generateFleetSales(DEFAULT_BOOKS, { seed: sd }))) {
    const full = trainModel(s, { cutoff, horizon: 52 });
    const holdoutFit = trainModel(s, { cutoff: addWeeks(cutoff, -32), horizon: 84 });
    const actualByWeek = new Map(s.points.map((p) => [p.weekEnding, p.volume]));
    const actual: number[] = [];
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < 52; i++) {
      const v = actualByWeek.get(addWeeks(cutoff, i + 1));
      if (v === undefined) continue;
      actual.push(v);
      a.push(full.forecast.mean[i]!);
      b.push(holdoutFit.forecast.mean[i + 32]!);
      scored++;
      if (v >= full.forecast.lower[i]! && v <= full.forecast.upper[i]!) covered++;
    }
    refit.rmse.push(rmse(actual, a));
    reuse.rmse.push(rmse(actual, b));
    refit.mape.push(mape(actual, a).percent ?? 0);
    reuse.mape.push(mape(actual, b).percent ?? 0);
    if (rmse(actual, a) < rmse(actual, b)) refitWins++;
  }
  console.log(`\nnext 52 weeks after ${cutoff}, 12 books × seeds 42,1,2,3:`);
  console.log(
    `  refit on whole window: RMSE p50 ${quantile(refit.rmse, 0.5).toFixed(1)}, MAPE p50 ${quantile(refit.mape, 0.5).toFixed(1)} %` +
      ` | reuse holdout fit: RMSE p50 ${quantile(reuse.rmse, 0.5).toFixed(1)}, MAPE p50 ${quantile(reuse.mape, 0.5).toFixed(1)} %` +
      ` | refit better on ${refitWins}/${refit.rmse.length} books`,
  );
  console.log(
    `  95 % interval coverage of the refit: ${((100 * covered) / scored).toFixed(1)} % of ${scored} book-weeks`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
