/**
 * Is the newest observation of an error metric (MAPE, RMSE…) out of line with
 * the book's own recent history? Pure; two rules, both robust:
 *
 * - `mad` (the default): a median/MAD band. The baseline is the `baseline`
 *   observations before the test window (the last `confirm`); its median and
 *   1.4826 × MAD (the normal-consistent robust sigma, floored at `minScale`)
 *   give the band, and the rule fires while the median of the test window is
 *   more than `k` sigmas above the baseline median, so it resolves once the
 *   recent observations are back within the band. With three in the window
 *   one wild week cannot fire it alone. With `seasonalWeeks` > 0 the baseline
 *   also takes last year's observations within that many weeks of the same
 *   date (the seasonal variant).
 * - `ewma`: EWMA control limits on the same robust baseline: the residuals
 *   of the last `confirm` observations, standardised and clipped at ±`clip`
 *   (one wild point moves the statistic by at most λ × clip), smoothed with
 *   weight `lambda`; fires when the statistic passes `k` times its standard
 *   deviation.
 *
 * Both work on log values: errors scale multiplicatively (a model twice as
 * wrong doubles its MAPE whatever its level), so a ×2 shift is the same
 * distance for every book. Only upward moves fire: an error metric falling
 * is good news.
 *
 * Why `mad`, median of 3, k 2: measured by `bench/anomaly.ts` on the seeded
 * fleet's replayed weekly MAPE (30 books, 2019–2024, 133 book-years, the real
 * ARIMA retrained every 4 weeks; docs/anomaly.md has the whole table). It
 * raises 0.60 false alarms per book-year against EWMA's 0.73 (λ 0.3, L 3),
 * detects as many shifts within 3 observations (×2: 29 % vs 30 %; ×3: 54 %
 * vs 53 %), and fires on 8.7 % of single one-week spikes against EWMA's
 * 19.5 %; EWMA catches more by 6 observations and more slow drifts, but book
 * sales are full of one-week events (promotions, stock-outs) that are not a
 * broken model. The seasonal variant measured the same and needs a year of
 * points. No rule reaches ×2 at 90 % within 3 observations: a week's MAPE
 * has a robust sigma of 0.52 in log terms, so ×2 is 1.3 sigma.
 */
import { ValidationError } from '../../errors';
import type { MetricObservation } from './observations';

export type AnomalyMethod = 'mad' | 'ewma';

export interface AnomalyOptions {
  method: AnomalyMethod;
  /** Observations in the trailing baseline. */
  baseline: number;
  /** Baseline observations needed before anything is judged. */
  minHistory: number;
  /** Band half-width (mad) or control limit (ewma), in robust sigmas. */
  k: number;
  /** mad: consecutive observations above the band to fire; ewma: observations smoothed. */
  confirm: number;
  /** ewma: weight of the newest observation. */
  lambda: number;
  /** ewma: standardised residuals are clipped to ±clip. */
  clip: number;
  /** Floor of the robust sigma in log units (0.1 ≈ 10 %): a flat history must not make any wobble an anomaly. */
  minScale: number;
  /** Seasonal variant: last year's observations within this many weeks of the same date join the baseline; 0 = off. */
  seasonalWeeks: number;
}

export type AnomalyState = 'insufficient' | 'normal' | 'anomalous';

/** The detector's answer about the newest observation, in the metric's own units. */
export interface AnomalyVerdict {
  state: AnomalyState;
  value: number;
  /** What was compared with the band: the median of the test window (mad), the smoothed level (ewma). */
  level?: number;
  /** Median of the baseline. */
  center?: number;
  /** Upper edge of the band (mad) or the level the smoothed statistic had to pass (ewma). */
  upper?: number;
  /** Robust z of the newest observation (mad) or the EWMA statistic over its limit, × k (ewma). */
  score?: number;
  baselineSize: number;
}

/** Chosen from the measurements quoted in docs/anomaly.md. */
export const DEFAULT_ANOMALY_OPTIONS: Readonly<AnomalyOptions> = Object.freeze({
  method: 'mad',
  baseline: 26,
  minHistory: 8,
  k: 2,
  confirm: 3,
  lambda: 0.3,
  clip: 4,
  minScale: 0.1,
  seasonalWeeks: 0,
});

const WEEK_MS = 7 * 86_400_000;
const MAD_TO_SIGMA = 1.4826;

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const logOf = (v: number) => Math.log(Math.max(v, 1e-6));

/** Rejects options no rule can work with, naming the field. */
export function checkAnomalyOptions(o: AnomalyOptions): void {
  const whole: Array<[keyof AnomalyOptions, number]> = [
    ['baseline', 2],
    ['minHistory', 2],
    ['confirm', 1],
  ];
  for (const [name, min] of whole) {
    const v = o[name] as number;
    if (!Number.isInteger(v) || v < min)
      throw new ValidationError(`${name} must be a whole number ≥ ${min}, got ${v}`, [name]);
  }
  if (o.minHistory > o.baseline)
    throw new ValidationError(`minHistory ${o.minHistory} exceeds baseline ${o.baseline}`, ['minHistory']);
  for (const name of ['k', 'minScale', 'clip'] as const)
    if (!(o[name] > 0)) throw new ValidationError(`${name} must be > 0, got ${o[name]}`, [name]);
  if (!(o.lambda > 0 && o.lambda <= 1))
    throw new ValidationError(`lambda must be in (0, 1], got ${o.lambda}`, ['lambda']);
}

interface Baseline {
  center: number;
  scale: number;
  size: number;
}

/** Median and robust sigma (log units) of the observations before index `end`, plus last year's same season. */
function baselineBefore(
  logs: readonly number[],
  times: readonly number[],
  end: number,
  o: AnomalyOptions,
): Baseline | undefined {
  const start = Math.max(0, end - o.baseline);
  const values = logs.slice(start, end);
  if (values.length < o.minHistory) return undefined;
  if (o.seasonalWeeks > 0) {
    const target = (times[end] ?? 0) - 52 * WEEK_MS;
    for (let i = 0; i < start; i++)
      if (Math.abs((times[i] ?? 0) - target) <= o.seasonalWeeks * WEEK_MS) values.push(logs[i] as number);
  }
  const center = median(values);
  const mad = median(values.map((v) => Math.abs(v - center)));
  return { center, scale: Math.max(MAD_TO_SIGMA * mad, o.minScale), size: values.length };
}

function detectMad(logs: readonly number[], times: readonly number[], o: AnomalyOptions) {
  const first = logs.length - o.confirm;
  const base = first < 0 ? undefined : baselineBefore(logs, times, first, o);
  if (!base) return undefined;
  // The median of the test window: one wild observation among three cannot move it past the band.
  const level = median(logs.slice(first));
  const z = (level - base.center) / base.scale;
  return {
    firing: z > o.k,
    level,
    center: base.center,
    upper: base.center + o.k * base.scale,
    score: z,
    size: base.size,
  };
}

function detectEwma(logs: readonly number[], times: readonly number[], o: AnomalyOptions) {
  const first = logs.length - o.confirm;
  const base = first < 0 ? undefined : baselineBefore(logs, times, first, o);
  if (!base) return undefined;
  let z = 0;
  for (let i = first; i < logs.length; i++) {
    const r = ((logs[i] as number) - base.center) / base.scale;
    z = o.lambda * Math.max(-o.clip, Math.min(o.clip, r)) + (1 - o.lambda) * z;
  }
  // The exact standard deviation of an EWMA started at 0 after `confirm` steps of unit-variance residuals.
  const sd = Math.sqrt((o.lambda / (2 - o.lambda)) * (1 - (1 - o.lambda) ** (2 * o.confirm)));
  const limit = o.k * sd;
  return {
    firing: z > limit,
    level: base.center + z * base.scale,
    center: base.center,
    upper: base.center + limit * base.scale,
    score: (z / limit) * o.k,
    size: base.size,
  };
}

/**
 * Judges the newest of `observations` (oldest first) against the ones before
 * it. Fewer than `minHistory` baseline observations (plus the test window)
 * answer `insufficient`: nothing is decided.
 */
export function detectAnomaly(
  observations: readonly MetricObservation[],
  options: AnomalyOptions = DEFAULT_ANOMALY_OPTIONS,
): AnomalyVerdict {
  checkAnomalyOptions(options);
  const latest = observations[observations.length - 1];
  if (latest === undefined) return { state: 'insufficient', value: Number.NaN, baselineSize: 0 };
  const logs = observations.map((o) => logOf(o.value));
  const times = observations.map((o) => Date.parse(o.at));
  const found =
    options.method === 'ewma' ? detectEwma(logs, times, options) : detectMad(logs, times, options);
  if (!found) return { state: 'insufficient', value: latest.value, baselineSize: 0 };
  return {
    state: found.firing ? 'anomalous' : 'normal',
    value: latest.value,
    level: Math.exp(found.level),
    center: Math.exp(found.center),
    upper: Math.exp(found.upper),
    score: found.score,
    baselineSize: found.size,
  };
}
