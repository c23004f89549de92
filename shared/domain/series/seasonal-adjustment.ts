/**
 * Turns a book's weekly sales into a series ARIMA can fit quickly: a regular
 * weekly grid (missing weeks filled), on a log1p scale (sales are
 * multiplicative: Christmas doubles a book, it does not add 100 copies), with
 * the Christmas-anchored seasonal profile taken out and one-off outliers
 * (promotions, stock-out zeros) pulled back to the local level. The profile is
 * added back to the forecast.
 */
import type { SalesPoint } from '../../contracts/model';
import { saturdaysBetween, seasonalSlot, SLOTS_PER_YEAR } from './weeks';

/** A regular weekly grid; `values` holds NaN where a week has no row. */
export interface WeeklyGrid {
  weeks: string[];
  values: number[];
}

/** Every Saturday from the first point to `through`, with the volumes present (NaN where absent). */
export function weeklyGrid(points: readonly SalesPoint[], through: string): WeeklyGrid {
  const window = points.filter((p) => p.weekEnding <= through);
  if (window.length === 0) return { weeks: [], values: [] };
  const first = window.reduce((min, p) => (p.weekEnding < min ? p.weekEnding : min), through);
  const byWeek = new Map(window.map((p) => [p.weekEnding, p.volume]));
  const weeks = saturdaysBetween(first, through);
  return { weeks, values: weeks.map((w) => byWeek.get(w) ?? Number.NaN) };
}

function median(values: readonly number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Median of each centred window of `2 × halfWidth + 1` points (truncated at the ends), ignoring NaN. */
function rollingMedian(values: readonly number[], halfWidth: number): number[] {
  // One reused buffer: this runs over every week of every fit.
  const window: number[] = [];
  return values.map((_, i) => {
    window.length = 0;
    for (let j = Math.max(0, i - halfWidth); j <= Math.min(values.length - 1, i + halfWidth); j++) {
      const v = values[j] as number;
      if (!Number.isNaN(v)) window.push(v);
    }
    if (window.length === 0) return Number.NaN;
    window.sort((a, b) => a - b);
    const mid = window.length >> 1;
    return window.length % 2
      ? (window[mid] as number)
      : ((window[mid - 1] as number) + (window[mid] as number)) / 2;
  });
}

/** Centred moving average ignoring NaN, truncated at the ends (a trend estimate). */
function movingAverage(values: readonly number[], halfWidth: number): number[] {
  return values.map((_, i) => {
    let sum = 0;
    let n = 0;
    for (let j = Math.max(0, i - halfWidth); j <= Math.min(values.length - 1, i + halfWidth); j++) {
      const v = values[j] as number;
      if (!Number.isNaN(v)) {
        sum += v;
        n++;
      }
    }
    return n ? sum / n : Number.NaN;
  });
}

/**
 * 52 additive log-scale seasonal effects, one per Christmas-anchored slot
 * (see `seasonalSlot`), summing to zero. Each is the median over the years of
 * the series' deviation from its 53-week moving average; the median ignores a
 * promotion that happened to fall in that week of one year. Two passes so the
 * trend is estimated on an already deseasonalised series. Slots with no data
 * get 0.
 */
export function seasonalProfile(
  weeks: readonly string[],
  logValues: readonly number[],
  slots: readonly number[] = weeks.map(seasonalSlot),
): number[] {
  let profile: number[] = new Array<number>(SLOTS_PER_YEAR).fill(0);
  for (let pass = 0; pass < 2; pass++) {
    const trend = movingAverage(
      logValues.map((v, i) => v - (profile[slots[i] as number] as number)),
      26,
    );
    const bySlot: number[][] = Array.from({ length: SLOTS_PER_YEAR }, () => []);
    logValues.forEach((v, i) => {
      if (!Number.isNaN(v)) bySlot[slots[i] as number]?.push(v - (trend[i] as number));
    });
    const raw = bySlot.map((deviations) => (deviations.length ? median(deviations) : 0));
    const mean = raw.reduce((sum, v) => sum + v, 0) / SLOTS_PER_YEAR;
    profile = raw.map((v) => v - mean);
  }
  return profile;
}

/**
 * Replaces points further than `threshold` robust standard deviations
 * (1.4826 × MAD) from a 13-week rolling median by that median; returns the
 * cleaned copy and how many were replaced. A promotion or stock-out at the
 * end of the window would otherwise be carried into a random-walk forecast.
 */
export function winsorize(
  values: readonly number[],
  threshold: number,
): { values: number[]; replaced: number } {
  const level = rollingMedian(values, 6);
  const residuals = values.map((v, i) => v - (level[i] as number));
  const spread = 1.4826 * median(residuals.filter((r) => !Number.isNaN(r)).map(Math.abs));
  let replaced = 0;
  const cleaned = values.map((v, i) => {
    if (Number.isNaN(v) || !(spread > 0) || Math.abs(residuals[i] as number) <= threshold * spread) return v;
    replaced++;
    return level[i] as number;
  });
  return { values: cleaned, replaced };
}

/** Fills NaN runs by linear interpolation; leading/trailing runs take the nearest known value. */
export function interpolateGaps(values: readonly number[]): number[] {
  const out = values.slice();
  for (let i = 0; i < out.length; i++) {
    if (!Number.isNaN(out[i] as number)) continue;
    let j = i;
    while (j < out.length && Number.isNaN(out[j] as number)) j++;
    const before = i > 0 ? (out[i - 1] as number) : (out[j] as number);
    const after = j < out.length ? (out[j] as number) : before;
    for (let k = i; k < j; k++) out[k] = before + ((after - before) * (k - i + 1)) / (j - i + 1);
    i = j;
  }
  return out;
}

/** A series ready for a non-seasonal ARIMA, and what it takes to undo the adjustment. */
export interface AdjustedSeries {
  /** log1p(volume) minus the seasonal effect, outliers replaced, gaps filled. */
  values: number[];
  /** Seasonal effect per slot, log scale. */
  profile: number[];
  /** Weeks that had no row and were interpolated. */
  filledWeeks: number;
  /** Weeks pulled back to the local level as outliers. */
  outlierWeeks: number;
}

/** Outlier threshold in robust standard deviations: 4 kept 2–4× promotions out and real level shifts in. */
export const OUTLIER_THRESHOLD = 4;

/** log1p, deseasonalise, winsorize, interpolate: the transform `trainModel` calls `log1p-seasonal-profile`. */
export function adjustSeries(grid: WeeklyGrid): AdjustedSeries {
  const logs = grid.values.map((v) => (Number.isNaN(v) ? Number.NaN : Math.log1p(v)));
  const slots = grid.weeks.map(seasonalSlot);
  const profile = seasonalProfile(grid.weeks, logs, slots);
  const deseasonalised = logs.map((v, i) => v - (profile[slots[i] as number] as number));
  const { values, replaced } = winsorize(deseasonalised, OUTLIER_THRESHOLD);
  return {
    values: interpolateGaps(values),
    profile,
    filledWeeks: logs.filter((v) => Number.isNaN(v)).length,
    outlierWeeks: replaced,
  };
}
