/**
 * `thresholds [--report FILE.html] [--overrides-dir DIR] [--origins N] [--step-weeks W]`:
 * rolling-origin backtests of every served book and the threshold study
 * over them (docs/thresholds.md): distributions per book and sales band,
 * false-alarm and miss rates of candidate thresholds, recommendations per
 * environment, and the answers to the product owner's three questions.
 * The overrides files it writes are in FG_THRESHOLDS_FILE's format and are
 * checked with the same parser before they are written.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Environment } from '../../shared/contracts/primitives';
import { DEFAULT_BACKTEST_CHECKS } from '../../shared/domain/backtest';
import { parseThresholdOverrides } from '../../shared/domain/thresholds';
import { ForecastGuardError } from '../../shared/errors';
import { runThresholdStudy, type ThresholdStudyResult } from '../../shared/services/thresholds';
import { renderThresholdReport } from '../../shared/services/thresholds/report-html';
import { withBackend } from '../backend';
import type { Command, CommandContext } from '../command';
import { EXIT } from '../exit-codes';
import { FLAGS } from '../flag-table';
import { createProgress } from '../progress';
import { helpOf } from './help-table';

const pct = (r: number | null) => (r === null ? 'n/a' : `${(r * 100).toFixed(1)}%`);

/** `thresholds.<environment>.json` in `dir` for each environment; returns the paths. */
export function writeOverrideFiles(dir: string, study: ThresholdStudyResult): Record<Environment, string> {
  mkdirSync(dir, { recursive: true });
  const out = {} as Record<Environment, string>;
  for (const [env, rec] of Object.entries(study.recommendations) as Array<
    [Environment, typeof study.recommendations.production]
  >) {
    // Our own output goes through the loader's parser first: a file the system would refuse is never written.
    parseThresholdOverrides(rec.overrides);
    const path = join(dir, `thresholds.${env}.json`);
    writeFileSync(path, JSON.stringify(rec.overrides, null, 2) + '\n');
    out[env] = path;
  }
  return out;
}

function printStudy(ctx: CommandContext, study: ThresholdStudyResult): void {
  const b = study.backtest;
  ctx.out.line(
    `${b.books} books, ${study.fleet.windows} windows, ${b.fits} fits (${b.failedFits} failed) in ${(b.fitMs / 1000).toFixed(1)} s; study ${(b.totalMs / 1000).toFixed(1)} s`,
  );
  ctx.out.table(
    study.bands.map((band) => ({
      band: band.label,
      books: band.books,
      windows: band.windows,
      'rmse p50/p90': band.rmse ? `${band.rmse.p50}/${band.rmse.p90}` : '-',
      'mape p50/p90': band.mape ? `${band.mape.p50}/${band.mape.p90}` : '-',
      'degradation p50/p90': band.degradationPct
        ? `${band.degradationPct.p50}/${band.degradationPct.p90}`
        : '-',
    })),
  );
  ctx.out.table(
    Object.values(study.recommendations).flatMap((rec) =>
      Object.entries(rec.rules).map(([rule, r]) => ({
        environment: rec.environment,
        rule,
        now: r.current ?? 'off',
        recommended: r.value ?? 'off',
        'false alarms': pct(r.falseAlarm),
        'mean miss': pct(r.meanMiss),
        'books looser': rec.bookOverrides[rule as keyof typeof rec.bookOverrides],
      })),
    ),
  );
  for (const a of study.answers) ctx.out.line(`${a.question} ${a.answer}`);
}

export const thresholdsCommand: Command = {
  ...helpOf('thresholds'),
  async run(ctx) {
    const progress = createProgress(ctx.interactive);
    const study = await withBackend(ctx, (backend) =>
      runThresholdStudy(
        {},
        {
          registry: backend.registry,
          sales: backend.sales,
          onProgress: (done, total) => progress.update(done, total, 'backtest fits'),
        },
        {
          origins: ctx.flag(FLAGS.origins),
          stepWeeks: ctx.flag(FLAGS.stepWeeks),
          checks: { ...DEFAULT_BACKTEST_CHECKS },
        },
      ),
    );
    progress.done();
    if (study.backtest.books === 0) {
      throw new ForecastGuardError(
        'no book could be backtested: none has a production version with enough sales history (seed a fleet, or check FG_BACKEND)',
      );
    }
    const files: { report?: string; overrides?: Record<Environment, string> } = {};
    const reportPath = ctx.flag(FLAGS.report);
    if (reportPath) {
      files.report = resolve(reportPath);
      mkdirSync(dirname(files.report), { recursive: true });
      writeFileSync(files.report, renderThresholdReport(study, new Date().toISOString()));
    }
    const dir = ctx.flag(FLAGS.overridesDir);
    if (dir) files.overrides = writeOverrideFiles(resolve(dir), study);
    printStudy(ctx, study);
    if (files.report) ctx.out.line(`report: ${files.report}`);
    for (const [env, path] of Object.entries(files.overrides ?? {}))
      ctx.out.line(`${env} overrides (FG_THRESHOLDS_FILE): ${path}`);
    const { windows: _windows, ...doc } = study;
    ctx.out.result({ ...doc, files });
    return EXIT.ok;
  },
};
