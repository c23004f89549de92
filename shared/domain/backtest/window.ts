/**
 * One rolling-origin backtest window scored the way the hourly health check
 * scores a served model. Pure.
 *
 * A window is a model trained through an origin week (the pipeline's own
 * training: holdout metrics on the 32 weeks before the origin, then a refit),
 * its forecast for the weeks after the origin, and those weeks' actual sales.
 * The health check sees such a model every hour while its live weeks arrive
 * one by one, so it judges 2 live weeks, then 3, … up to 12 (its
 * `maxLiveWeeks`). A rule "fires in a window" when it fires at ANY of those
 * checks: that is what paging would have done. Each check uses the health
 * check's own maths (`measureLiveAccuracy`: zero weeks left out, lower
 * confidence bounds, the baseline scaled by the live sales level), so a false
 * alarm here is one the production system would have raised.
 */
import type { ModelMetrics } from '../../contracts/model';
import { ValidationError } from '../../errors';
import {
  DEFAULT_HOLDOUT_WEEKS,
  DEFAULT_LIVE_ACCURACY_OPTIONS,
  measureLiveAccuracy,
  type LiveAccuracyOptions,
  type LiveWindow,
} from '../health/live-accuracy';

/** A model trained through `origin` and the weeks after it. */
export interface BacktestWindow {
  isbn: string;
  /** Last training week (a Saturday). */
  origin: string;
  /** The live weeks after the origin, oldest first, with their actuals and the model's forecast. */
  live: LiveWindow;
  /** Sales of the training window (every row up to the origin), as the health check reads them. */
  training: readonly number[];
  /** The model's holdout metrics: the baseline the health check compares against. */
  baseline: Pick<ModelMetrics, 'rmse' | 'mape' | 'holdoutWeeks'>;
}

/** What one health check at `weeks` live weeks compares with the thresholds. */
export interface WindowCheck {
  weeks: number;
  rmseLower: number;
  mapeLower: number | null;
  /** The holdout RMSE scaled to the live weeks' sales level, the degradation rule's baseline. */
  expectedRmse: number;
}

/** A window's figures: point figures over the whole window and every check the health check would make. */
export interface WindowScore {
  isbn: string;
  origin: string;
  weeks: number;
  /** Mean actual weekly sales over the live weeks. */
  meanActual: number;
  rmse: number;
  mape: number | null;
  /** Live RMSE over the expected RMSE, minus 1, in percent (null when the expected RMSE is 0). */
  degradationPct: number | null;
  checks: WindowCheck[];
}

/** Live-accuracy options the backtest takes from the health check (defaults: 12 weeks, from 2, 95 %). */
export type BacktestCheckOptions = LiveAccuracyOptions;
export const DEFAULT_BACKTEST_CHECKS: Readonly<BacktestCheckOptions> = DEFAULT_LIVE_ACCURACY_OPTIONS;

function prefix(live: LiveWindow, n: number): LiveWindow {
  return {
    weeks: live.weeks.slice(0, n),
    actual: live.actual.slice(0, n),
    predicted: live.predicted.slice(0, n),
  };
}

/**
 * Scores a window; `undefined` when it has fewer live weeks than the health
 * check needs to judge (`minLiveWeeks`).
 */
export function scoreWindow(
  window: BacktestWindow,
  options: BacktestCheckOptions = DEFAULT_BACKTEST_CHECKS,
): WindowScore | undefined {
  const { live, training, baseline } = window;
  if (live.actual.length !== live.predicted.length || live.actual.length !== live.weeks.length) {
    throw new ValidationError(
      `window ${window.isbn}@${window.origin} has ${live.weeks.length} weeks, ${live.actual.length} actuals and ${live.predicted.length} forecasts; they must match`,
      ['live'],
    );
  }
  const n = Math.min(live.weeks.length, options.maxLiveWeeks);
  if (n < options.minLiveWeeks) return undefined;
  const holdoutWeeks = baseline.holdoutWeeks ?? DEFAULT_HOLDOUT_WEEKS;
  // The rules read only the holdout weeks of the training window (its sales level); the rest feeds
  // MASE, which no rule reads, and costs a pass over years of weeks at each of the checks.
  const tail = training.slice(-holdoutWeeks);
  const checks: WindowCheck[] = [];
  for (let k = options.minLiveWeeks; k <= n; k++) {
    const acc = measureLiveAccuracy(prefix(live, k), tail, holdoutWeeks, options.confidence);
    checks.push({
      weeks: k,
      rmseLower: acc.rmseLower,
      mapeLower: acc.mapeLower,
      expectedRmse: baseline.rmse * acc.levelFactor,
    });
  }
  const whole = measureLiveAccuracy(prefix(live, n), tail, holdoutWeeks, null);
  const expected = baseline.rmse * whole.levelFactor;
  const scored = live.actual.slice(0, n);
  return {
    isbn: window.isbn,
    origin: window.origin,
    weeks: n,
    meanActual: scored.reduce((s, v) => s + v, 0) / n,
    rmse: whole.rmse,
    mape: whole.mape,
    degradationPct: expected > 0 ? (whole.rmse / expected - 1) * 100 : null,
    checks,
  };
}

/** How a window is altered to stand for a broken model or a changed market. */
export interface Injection {
  /** Short id, e.g. `forecast-x1.5`. */
  id: string;
  /** For people: "forecasts 50 % too high". */
  label: string;
  /** Multiplies every forecast of the live weeks. */
  forecastFactor?: number;
  /** Multiplies every actual of the live weeks (rounded to whole copies): a level shift the model did not see. */
  actualFactor?: number;
}

/** The degradations the study injects into every healthy window. */
export const DEFAULT_INJECTIONS: readonly Injection[] = Object.freeze([
  { id: 'forecast-x1.3', label: 'forecasts 30 % too high', forecastFactor: 1.3 },
  { id: 'forecast-x1.5', label: 'forecasts 50 % too high', forecastFactor: 1.5 },
  { id: 'level-x1.5', label: 'sales jump 50 % (level shift)', actualFactor: 1.5 },
  { id: 'level-x0.6', label: 'sales fall 40 % (level shift)', actualFactor: 0.6 },
]);

/** The window with the injection applied to its live weeks (training and baseline untouched). */
export function inject(window: BacktestWindow, injection: Injection): BacktestWindow {
  const f = injection.forecastFactor ?? 1;
  const a = injection.actualFactor ?? 1;
  return {
    ...window,
    live: {
      weeks: window.live.weeks,
      actual: window.live.actual.map((v) => Math.round(v * a)),
      predicted: window.live.predicted.map((v) => v * f),
    },
  };
}
