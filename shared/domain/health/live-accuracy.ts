/**
 * Live accuracy of a served model: its forecast for the weeks after
 * `trainedThrough` against the actual sales of those weeks. Pure: the
 * forecast, the actuals and the training history come in, figures go out.
 *
 * Three choices, each because the naive comparison misfires on a healthy
 * fleet (measured on the seeded 100-book fleet in December: 52 of 100
 * healthy books broke the RMSE-spike rule with raw figures):
 *
 * - Weeks with zero actual sales are left out of RMSE and MAPE (unless every
 *   live week is zero): for books they are stock-outs or reporting gaps, not
 *   demand a forecast could have seen, and one such week against a forecast
 *   of 140 copies multiplies a four-week RMSE by five. sMAPE, WAPE and MASE,
 *   which are safe with zeros, are reported over every live week.
 * - `levelFactor` is the RMS of the live weeks' actual sales over the RMS of
 *   the holdout weeks': errors of a multiplicative (log-scale) model grow
 *   with the sales level, so a holdout RMSE measured in summer says little
 *   about an error in Christmas week until it is scaled to that level.
 * - Lower confidence bounds (one-sided, default 95 %) of RMSE (chi-square,
 *   errors taken as zero-mean normal) and MAPE (Student t over the weekly
 *   absolute percentage errors): with 2–12 live weeks the point figures are
 *   noisy, so a rule should fire only when even the low end of what the
 *   weeks allow breaks it. A broken model clears that bar at once.
 */
import { MAX_FORECAST_STEPS, type SalesPoint } from '../../contracts/model';
import { ValidationError } from '../../errors';
import { mape, mase, rmse, smape, wape } from '../series/metrics';
import { weeksBetween } from '../series/weeks';
import { chiSquareQuantile, studentTQuantile } from './statistics';

/** Tuning of live accuracy (defaults in DEFAULT_LIVE_ACCURACY_OPTIONS). */
export interface LiveAccuracyOptions {
  /** Most recent live weeks scored. */
  maxLiveWeeks: number;
  /** Fewer live weeks than this and accuracy is not judged (noted, not alerted). */
  minLiveWeeks: number;
  /** One-sided confidence of the lower bounds the rules compare; `null` compares the point figures. */
  confidence: number | null;
}

/** The latest 12 live weeks, judged from 2, at 95 % one-sided confidence. */
export const DEFAULT_LIVE_ACCURACY_OPTIONS: Readonly<LiveAccuracyOptions> = Object.freeze({
  maxLiveWeeks: 12,
  minLiveWeeks: 2,
  confidence: 0.95,
});

/** Holdout length assumed when a version's metrics do not say (the pipeline's split). */
export const DEFAULT_HOLDOUT_WEEKS = 32;

/**
 * How many weeks to ask the endpoint for so the answer covers every week from
 * the one after `trainedThrough` to the latest actual: at least 1 (the call
 * doubles as the endpoint canary) and at most the endpoint's horizon.
 */
export function liveForecastSteps(trainedThrough: string, latestActualWeek: string | undefined): number {
  if (latestActualWeek === undefined) return 1;
  return Math.min(MAX_FORECAST_STEPS, Math.max(1, weeksBetween(trainedThrough, latestActualWeek)));
}

/** Forecast and actual sales of the same weeks, oldest first. */
export interface LiveWindow {
  weeks: string[];
  actual: number[];
  predicted: number[];
}

/**
 * Pairs each forecast week with its actual sales. Weeks without an actual
 * (not reported yet, or missing) or without a forecast value (`null`, a NaN
 * from a broken model: the canary reports that) are left out; only the
 * latest `maxWeeks` pairs are kept, so the figures describe the model as it
 * is now.
 */
export function alignLiveWeeks(
  forecastWeeks: readonly string[],
  forecast: ReadonlyArray<number | null>,
  points: readonly SalesPoint[],
  maxWeeks: number,
): LiveWindow {
  if (forecastWeeks.length !== forecast.length) {
    throw new ValidationError(
      `forecast has ${forecast.length} values for ${forecastWeeks.length} weeks; they must match`,
      ['forecast'],
    );
  }
  const actualByWeek = new Map<string, number>();
  const first = forecastWeeks[0];
  // Only the tail of the series can match: skip the years of history before the forecast starts.
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i]!;
    if (first !== undefined && p.weekEnding < first) break;
    actualByWeek.set(p.weekEnding, p.volume);
  }
  const window: LiveWindow = { weeks: [], actual: [], predicted: [] };
  for (let i = 0; i < forecastWeeks.length; i++) {
    const actual = actualByWeek.get(forecastWeeks[i]!);
    const predicted = forecast[i];
    if (actual === undefined || predicted === null || predicted === undefined) continue;
    window.weeks.push(forecastWeeks[i]!);
    window.actual.push(actual);
    window.predicted.push(predicted);
  }
  const drop = Math.max(0, window.weeks.length - maxWeeks);
  return {
    weeks: window.weeks.slice(drop),
    actual: window.actual.slice(drop),
    predicted: window.predicted.slice(drop),
  };
}

/** Figures of one model over its live weeks. MAPE is percent; `null` when no live week sold a copy. */
export interface LiveAccuracy {
  /** Live weeks compared (zero weeks included). */
  weeks: number;
  from: string;
  to: string;
  rmse: number;
  mape: number | null;
  smape: number;
  wape?: number;
  mase?: number;
  /**
   * Mean of forecast − actual over every live week (zero weeks included, like
   * sMAPE): positive = over-forecast. RMSE says how far off, bias says which
   * way: a model that keeps ordering too many copies shows here first.
   */
  bias: number;
  /** Zero-sales weeks left out of RMSE and MAPE. */
  zeroWeeksExcluded: number;
  /** What the rules compare: the lower confidence bounds, or the point figures when `confidence` is null. */
  rmseLower: number;
  mapeLower: number | null;
  confidence: number | null;
  /** RMS of the live actuals over the RMS of the holdout actuals (1 when the holdout sold nothing). */
  levelFactor: number;
}

function rms(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const v of values) sum += v * v;
  return Math.sqrt(sum / values.length);
}

/** Mean of predicted − actual, pairwise. */
export function meanError(actual: readonly number[], predicted: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += (predicted[i] ?? 0) - (actual[i] ?? 0);
  return actual.length === 0 ? 0 : sum / actual.length;
}

/** RMSE's one-sided lower confidence bound from `n` weeks: RMSE × √(n / χ²₍confidence, n₎). */
export function rmseLowerBound(value: number, n: number, confidence: number | null): number {
  if (confidence === null) return value;
  return value * Math.sqrt(n / chiSquareQuantile(confidence, n));
}

/** The mean's one-sided lower confidence bound (Student t), floored at 0; `null` with fewer than 2 values. */
export function meanLowerBound(values: readonly number[], confidence: number | null): number | null {
  const n = values.length;
  if (n === 0) return null;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (confidence === null) return mean;
  if (n < 2) return null;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
  return Math.max(0, mean - (studentTQuantile(confidence, n - 1) * Math.sqrt(variance)) / Math.sqrt(n));
}

/**
 * Scores a live window. `training` is the version's training window (sales
 * up to `trainedThrough`, week order): MASE's seasonal-naive scale comes from
 * it, and its last `holdoutWeeks` set the level the baseline was measured at.
 */
export function measureLiveAccuracy(
  window: LiveWindow,
  training: readonly number[],
  holdoutWeeks: number,
  confidence: number | null,
): LiveAccuracy {
  const { actual, predicted } = window;
  if (actual.length === 0) throw new ValidationError('window must hold at least one live week', ['window']);
  const keep = actual.some((a) => a > 0) ? actual.map((a) => a > 0) : actual.map(() => true);
  const scoredActual = actual.filter((_, i) => keep[i]);
  const scoredPredicted = predicted.filter((_, i) => keep[i]);

  const liveRmse = rmse(scoredActual, scoredPredicted);
  const apes: number[] = [];
  for (let i = 0; i < scoredActual.length; i++) {
    const a = scoredActual[i]!;
    if (a > 0) apes.push((100 * Math.abs(a - scoredPredicted[i]!)) / a);
  }
  const liveMape = mape(scoredActual, scoredPredicted).percent ?? null;
  const liveWape = wape(actual, predicted);
  const liveMase = training.length >= 2 ? mase(actual, predicted, training) : undefined;
  const holdoutRms = rms(training.slice(-holdoutWeeks));

  return {
    weeks: actual.length,
    from: window.weeks[0]!,
    to: window.weeks[window.weeks.length - 1]!,
    rmse: liveRmse,
    mape: liveMape,
    smape: smape(actual, predicted),
    bias: meanError(actual, predicted),
    ...(liveWape === undefined ? {} : { wape: liveWape }),
    ...(liveMase === undefined ? {} : { mase: liveMase }),
    zeroWeeksExcluded: actual.length - scoredActual.length,
    rmseLower: rmseLowerBound(liveRmse, scoredActual.length, confidence),
    mapeLower: meanLowerBound(apes, confidence),
    confidence,
    levelFactor: holdoutRms > 0 ? rms(scoredActual) / holdoutRms : 1,
  };
}
