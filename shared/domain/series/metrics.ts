/**
 * Forecast accuracy metrics, pure. Every function takes actuals and
 * predictions of equal length and throws a ValidationError naming the field
 * when they are empty, of different lengths or not finite numbers, so a bad
 * holdout is never silently scored as perfect.
 *
 * Zero actuals are normal for books (stock-outs, out-of-print weeks): MAPE
 * skips them and says how many it skipped, WAPE and MASE return `undefined`
 * when they have nothing to divide by, and sMAPE scores a 0/0 week as perfect.
 */
import type { ModelMetrics } from '../../contracts/model';
import { ValidationError } from '../../errors';

function checkSeries(name: string, values: readonly number[]): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ValidationError(`${name}[${i}] is ${String(v)}, must be a finite number`, [`${name}[${i}]`]);
    }
  }
}

function checkPair(actual: readonly number[], predicted: readonly number[]): void {
  if (actual.length === 0) throw new ValidationError('actual must not be empty', ['actual']);
  if (actual.length !== predicted.length) {
    throw new ValidationError(
      `actual has ${actual.length} weeks but predicted has ${predicted.length}; they must match`,
      ['predicted'],
    );
  }
  checkSeries('actual', actual);
  checkSeries('predicted', predicted);
}

/** Root mean squared error, in copies. */
export function rmse(actual: readonly number[], predicted: readonly number[]): number {
  checkPair(actual, predicted);
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += ((actual[i] as number) - (predicted[i] as number)) ** 2;
  return Math.sqrt(sum / actual.length);
}

/** MAPE with the zero-actual weeks it had to skip. */
export interface MapeResult {
  /** Percent; `undefined` when every actual is zero (nothing to divide by). */
  percent: number | undefined;
  /** Weeks that entered the mean. */
  weeks: number;
  /** Weeks skipped because the actual was zero. */
  zeroWeeksExcluded: number;
}

/** Mean absolute percentage error, percent; weeks with a zero actual are excluded and counted. */
export function mape(actual: readonly number[], predicted: readonly number[]): MapeResult {
  checkPair(actual, predicted);
  let sum = 0;
  let weeks = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    if (a === 0) continue;
    sum += Math.abs((a - (predicted[i] as number)) / a);
    weeks++;
  }
  return {
    percent: weeks === 0 ? undefined : (100 * sum) / weeks,
    weeks,
    zeroWeeksExcluded: actual.length - weeks,
  };
}

/** Symmetric MAPE, percent in 0..200; a week where both are zero counts as a perfect week. */
export function smape(actual: readonly number[], predicted: readonly number[]): number {
  checkPair(actual, predicted);
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const p = predicted[i] as number;
    const denominator = Math.abs(a) + Math.abs(p);
    if (denominator > 0) sum += Math.abs(a - p) / denominator;
  }
  return (200 * sum) / actual.length;
}

/** Weighted APE: total absolute error over total actuals, percent; `undefined` when every actual is zero. */
export function wape(actual: readonly number[], predicted: readonly number[]): number | undefined {
  checkPair(actual, predicted);
  let error = 0;
  let total = 0;
  for (let i = 0; i < actual.length; i++) {
    error += Math.abs((actual[i] as number) - (predicted[i] as number));
    total += Math.abs(actual[i] as number);
  }
  return total === 0 ? undefined : (100 * error) / total;
}

/** The seasonal lag MASE uses: 52 weeks when the training window has a full year to look back on, else 1. */
export function maseLag(trainingLength: number, season = 52): number {
  return trainingLength > season ? season : 1;
}

/**
 * Mean absolute scaled error: the forecast's mean absolute error over the
 * in-sample error of a seasonal-naive forecast (same week last year, lag 52)
 * on the training window; lag 1 when the training window has fewer than 53
 * weeks. Below 1 beats seasonal-naive. `undefined` when the training window
 * is constant (the naive forecast is perfect, so nothing scales).
 */
export function mase(
  actual: readonly number[],
  predicted: readonly number[],
  training: readonly number[],
  season = 52,
): number | undefined {
  checkPair(actual, predicted);
  checkSeries('training', training);
  if (training.length < 2) {
    throw new ValidationError(`training has ${training.length} weeks, needs at least 2 for MASE`, [
      'training',
    ]);
  }
  const lag = maseLag(training.length, season);
  let naive = 0;
  for (let t = lag; t < training.length; t++)
    naive += Math.abs((training[t] as number) - (training[t - lag] as number));
  const scale = naive / (training.length - lag);
  if (scale === 0) return undefined;
  let error = 0;
  for (let i = 0; i < actual.length; i++) error += Math.abs((actual[i] as number) - (predicted[i] as number));
  return error / actual.length / scale;
}

/** Holdout metrics as the registry stores them, plus how many zero weeks MAPE skipped. */
export type HoldoutMetrics = ModelMetrics & { zeroWeeksExcluded: number };

/**
 * All metrics of a holdout in the registry's shape. The contract needs a
 * MAPE even when every holdout actual is zero (a book that stopped selling):
 * then MAPE is 0 when the forecast is also all zero and 100 otherwise, which
 * is what a reviewer would say about a model that predicted sales of a book
 * that sold none. WAPE and MASE are left out when undefined.
 */
export function holdoutMetrics(
  actual: readonly number[],
  predicted: readonly number[],
  training: readonly number[],
): HoldoutMetrics {
  const m = mape(actual, predicted);
  const w = wape(actual, predicted);
  const s = mase(actual, predicted, training);
  return {
    rmse: rmse(actual, predicted),
    mape: m.percent ?? (predicted.every((p) => p === 0) ? 0 : 100),
    smape: smape(actual, predicted),
    ...(w === undefined ? {} : { wape: w }),
    ...(s === undefined ? {} : { mase: s }),
    holdoutWeeks: actual.length,
    zeroWeeksExcluded: m.zeroWeeksExcluded,
  };
}
