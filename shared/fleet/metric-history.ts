/**
 * The metric history a weekly health check would have written for one
 * seeded book, replayed from its synthetic sales: what the anomaly detector
 * is measured on (`bench/anomaly.ts`) and tested against.
 *
 * The replay follows the seeded world's rhythm (shared/services/seed-fleet.ts):
 * the pipeline registers a new version every `retrainEveryWeeks` weeks
 * (the seed's cutoffs are 4 weeks apart), trained by the real `trainModel`
 * on the sales up to its cutoff and deployed at once. Each week a new week of
 * actuals lands and the served version is scored exactly as the health check
 * scores it (`alignLiveWeeks`, `measureLiveAccuracy`: the latest live weeks
 * since its cutoff, at most `maxLiveWeeks`, judged from `minLiveWeeks`), so
 * the week right after a deploy, with one live week, has no observation.
 * One observation per week of actuals: the hourly runs in between write the
 * same figures (see shared/domain/anomaly/observations.ts).
 */
import type { SalesSeries } from '../contracts/model';
import {
  alignLiveWeeks,
  DEFAULT_LIVE_ACCURACY_OPTIONS,
  measureLiveAccuracy,
} from '../domain/health/live-accuracy';
import { addWeeks } from '../domain/series/weeks';
import { ValidationError } from '../errors';
import { DEFAULT_HOLDOUT_WEEKS, MIN_FIT_WEEKS, trainModel } from '../forecasting/train-model';

export interface ReplayOptions {
  /** First cutoff (a Saturday): the first version is trained through it. */
  firstCutoff: string;
  /** Last week of actuals replayed (a Saturday). */
  lastWeek: string;
  retrainEveryWeeks?: number;
  minLiveWeeks?: number;
  maxLiveWeeks?: number;
}

/** One week's figures of the version serving that week. */
export interface ReplayedObservation {
  /** The newest actual week scored. */
  week: string;
  /** The serving version's cutoff, which names it. */
  version: string;
  mape: number;
  rmse: number;
  smape: number;
  mase?: number;
}

/** Replays the weekly health check over `series` (see the file comment). Deterministic. */
export function replayMetricHistory(series: SalesSeries, options: ReplayOptions): ReplayedObservation[] {
  const every = options.retrainEveryWeeks ?? 4;
  const minLive = options.minLiveWeeks ?? DEFAULT_LIVE_ACCURACY_OPTIONS.minLiveWeeks;
  const maxLive = options.maxLiveWeeks ?? DEFAULT_LIVE_ACCURACY_OPTIONS.maxLiveWeeks;
  if (!Number.isInteger(every) || every < 1)
    throw new ValidationError(`retrainEveryWeeks must be a whole number ≥ 1, got ${every}`, [
      'retrainEveryWeeks',
    ]);
  const out: ReplayedObservation[] = [];
  // A title launched inside the window is first trained once it has the weeks a fit needs (as the pipeline does).
  const firstWeek = series.points[0]?.weekEnding ?? options.lastWeek;
  const earliest = addWeeks(firstWeek, MIN_FIT_WEEKS + DEFAULT_HOLDOUT_WEEKS + 4);
  const start = earliest > options.firstCutoff ? earliest : options.firstCutoff;
  for (let cutoff = start; cutoff <= options.lastWeek; cutoff = addWeeks(cutoff, every)) {
    const model = trainModel(series, { cutoff, horizon: every + 1 });
    const weeks = model.forecast.mean.map((_, i) => addWeeks(cutoff, i + 1));
    const training = series.points.filter((p) => p.weekEnding <= cutoff).map((p) => p.volume);
    // The version serves until the next one deploys, `every` weeks later.
    for (let step = minLive; step <= every; step++) {
      const week = addWeeks(cutoff, step);
      if (week > options.lastWeek) break;
      const upTo = series.points.filter((p) => p.weekEnding <= week);
      const window = alignLiveWeeks(weeks, model.forecast.mean, upTo, maxLive);
      if (window.weeks.length < minLive) continue;
      const live = measureLiveAccuracy(
        window,
        training,
        model.metrics.holdoutWeeks ?? DEFAULT_HOLDOUT_WEEKS,
        null,
      );
      out.push({
        week,
        version: cutoff,
        mape: live.mape ?? 100,
        rmse: live.rmse,
        smape: live.smape,
        ...(live.mase === undefined ? {} : { mase: live.mase }),
      });
    }
  }
  return out;
}
