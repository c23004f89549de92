/**
 * Trains one book's forecasting model the way the pipeline does: score a fit
 * on the last 32 weeks of the training window (the holdout), refit on the
 * whole window, forecast 104 weeks with a 95 % interval, and record what it
 * learned from (data hash, cutoff) so the version can be traced.
 *
 * Model choice, from `bench/forecasting.ts` (12 default books, seed 42,
 * cutoffs 2023-12-30 / 2024-06-29 / 2024-12-28, a shared 2-vCPU machine, idle
 * to busy; times are both fits of one version):
 * - Default: ARIMA(0,1,1) on log1p sales with a Christmas-anchored 52-week
 *   seasonal profile taken out and added back, promotions and stock-outs
 *   pulled to the local level. ARIMA time p50 1–2 ms, p95 4–16 ms; whole
 *   trainModel p50 8–20 ms. Holdout RMSE p50 13.1, MAPE p50 15.2 %; over seeds
 *   42/1/2/3 (144 fits) 5 exceed a production threshold (a promotion inside
 *   the holdout, the gift book's Christmas).
 * - ARIMA(2,1,1) with the same adjustment: p50 10–27 ms, no more accurate.
 *   (1,1,1), (1,0,1) and (2,0,1) by exact likelihood diverged on 3–9 of 36
 *   fits (see `fitArima`), hence the fallback below.
 * - SARIMA(0,1,1)(0,1,1)52 on log1p, last 5 years: p50 110–290 ms, RMSE p50
 *   22.6, MAPE p50 19.5 %. On the full window 400–500 ms a fit;
 *   (1,1,1)(1,1,1)52 about 2 s a fit and it sometimes diverges. Available
 *   through `seasonalOrder`, not the default.
 * - The pool trains 12 books × 3 versions in 0.5–1.6 s on 2 workers,
 *   worker start-up included.
 *
 * The final forecast refits on the whole window rather than reusing the
 * holdout fit (forecasting 32 + h weeks and dropping the first 32). Scored on
 * the 52 weeks after 2023-12-30 for 48 book × seed pairs, the two are a wash
 * (refit RMSE p50 18.6 / MAPE 17.6 %, reuse 18.2 / 18.8 %, refit better on
 * 27 of 48), so the refit wins on the other counts: the forecast then comes
 * from a model fitted on exactly the window `dataHash` names and
 * `trainedThrough` claims, and it costs one more ~1 ms fit.
 *
 * Point forecasts are expm1 of the log-scale mean, i.e. the median, which is
 * what MAPE rewards; the 95 % interval is the log-scale mean ± 1.96 σ mapped
 * back, skewed upwards like sales are and never negative. It covered 93.0 %
 * of 2,482 book-weeks in the same 52-week test.
 */
import type { ModelMetrics, SalesPoint, SalesSeries, StoredForecast } from '../contracts/model';
import { isValidIsbn13 } from '../domain/isbn';
import { ValidationError } from '../errors';
import type { ArimaOrder, SeasonalOrder } from './arima-fit';
import { describeOrder, fitArima, ModelFitError } from './arima-fit';
import { trainingDataHash } from '../domain/series/data-hash';
import { holdoutMetrics } from '../domain/series/metrics';
import type { WeeklyGrid } from '../domain/series/seasonal-adjustment';
import { adjustSeries, interpolateGaps, weeklyGrid } from '../domain/series/seasonal-adjustment';
import { addWeeks, isSaturday, seasonalSlot } from '../domain/series/weeks';

/** The order used unless one is asked for, and the one a diverged fit falls back to. */
export const DEFAULT_ORDER: Readonly<ArimaOrder> = Object.freeze({ p: 0, d: 1, q: 1 });
export const DEFAULT_HOLDOUT_WEEKS = 32;
export const DEFAULT_HORIZON = 104;
/** Weeks a fit needs before the holdout starts. */
export const MIN_FIT_WEEKS = 26;

export interface TrainModelOptions {
  /** Last training week (a Saturday); weeks after it are not looked at. */
  cutoff: string;
  /** Needed when `series` is a bare list of points. */
  isbn?: string;
  order?: ArimaOrder;
  /** A seasonal order fits SARIMA on log1p sales directly, without the seasonal profile. */
  seasonalOrder?: SeasonalOrder;
  holdoutWeeks?: number;
  horizon?: number;
  /** Monotonic milliseconds for `fitMs`; defaults to `performance.now`. */
  now?: () => number;
}

/** How the model was built; stored as the version's params. */
export interface TrainedParams {
  order: ArimaOrder;
  seasonalOrder?: SeasonalOrder;
  /** The `arima` package does not expose fitted coefficients, so this stays unset. */
  coefficients?: number[];
  transform: 'log1p-seasonal-profile' | 'log1p';
  /** Both fits (holdout and final), milliseconds. */
  fitMs: number;
  /** The order asked for when it diverged and DEFAULT_ORDER was used instead. */
  fallbackFrom?: string;
  trainingWeeks: number;
  filledWeeks: number;
  outlierWeeks: number;
  /** Log-scale seasonal effect per Christmas-anchored slot, when the transform uses one. */
  seasonalProfile?: number[];
}

/** Everything a registry needs to record a new version, plus the holdout for inspection. */
export interface TrainedModel {
  isbn: string;
  params: TrainedParams;
  metrics: ModelMetrics;
  dataHash: string;
  trainedThrough: string;
  forecast: StoredForecast;
  holdout: { weeks: string[]; actual: number[]; predicted: number[] };
}

interface Fit {
  mean: number[];
  lower: number[];
  upper: number[];
  fitMs: number;
  filledWeeks: number;
  outlierWeeks: number;
  profile?: number[];
}

const Z95 = 1.959964;
const round2 = (v: number) => Math.round(v * 100) / 100;

function checkInt(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(`${name} must be an integer from ${min} to ${max}, got ${value}`, [name]);
  }
}

function checkOrders(order: ArimaOrder, seasonal: SeasonalOrder | undefined): void {
  checkInt('order.p', order.p, 0, 5);
  checkInt('order.d', order.d, 0, 2);
  checkInt('order.q', order.q, 0, 5);
  if (!seasonal) return;
  checkInt('seasonalOrder.P', seasonal.P, 0, 2);
  checkInt('seasonalOrder.D', seasonal.D, 0, 1);
  checkInt('seasonalOrder.Q', seasonal.Q, 0, 2);
  checkInt('seasonalOrder.s', seasonal.s, 2, 52);
}

/** Fits `grid` and forecasts the `horizon` weeks after its last week, in copies. */
function fitGrid(
  grid: WeeklyGrid,
  horizon: number,
  order: ArimaOrder,
  seasonal: SeasonalOrder | undefined,
  now: () => number,
): Fit {
  const last = grid.weeks[grid.weeks.length - 1] as string;
  const future = Array.from({ length: horizon }, (_, i) => addWeeks(last, i + 1));
  const logs = grid.values.map((v) => (Number.isNaN(v) ? Number.NaN : Math.log1p(v)));
  const adjusted = seasonal
    ? { values: interpolateGaps(logs), profile: undefined, filledWeeks: 0, outlierWeeks: 0 }
    : adjustSeries(grid);
  const { mean, variance, fitMs } = fitArima(adjusted.values, horizon, order, seasonal, now);
  const effect = (i: number) =>
    adjusted.profile ? (adjusted.profile[seasonalSlot(future[i] as string)] as number) : 0;
  const back = (v: number) => round2(Math.max(0, Math.expm1(v)));
  return {
    mean: mean.map((m, i) => back(m + effect(i))),
    lower: mean.map((m, i) => back(m + effect(i) - Z95 * Math.sqrt(variance[i] as number))),
    upper: mean.map((m, i) => back(m + effect(i) + Z95 * Math.sqrt(variance[i] as number))),
    fitMs,
    filledWeeks: seasonal ? logs.filter(Number.isNaN).length : adjusted.filledWeeks,
    outlierWeeks: adjusted.outlierWeeks,
    ...(adjusted.profile ? { profile: adjusted.profile } : {}),
  };
}

/**
 * Trains a model on the weeks up to `cutoff`: holdout metrics on the last
 * `holdoutWeeks` (default 32) weeks of that window, then a refit on the whole
 * window forecasting `horizon` (default 104) weeks after the cutoff. A
 * requested order that diverges falls back to DEFAULT_ORDER and says so in
 * `params.fallbackFrom`. Bad options throw ValidationError naming the field;
 * a fit that cannot be made throws ModelFitError.
 */
export function trainModel(
  series: SalesSeries | readonly SalesPoint[],
  options: TrainModelOptions,
): TrainedModel {
  const points: readonly SalesPoint[] = Array.isArray(series) ? series : (series as SalesSeries).points;
  const isbn = Array.isArray(series) ? options.isbn : (series as SalesSeries).isbn;
  if (!isbn || !isValidIsbn13(isbn)) {
    throw new ValidationError(`isbn must be a valid ISBN-13, got ${JSON.stringify(isbn)}`, ['isbn']);
  }
  if (!isSaturday(options.cutoff)) {
    throw new ValidationError(`cutoff must be a Saturday (week ending) ISO date, got "${options.cutoff}"`, [
      'cutoff',
    ]);
  }
  const holdoutWeeks = options.holdoutWeeks ?? DEFAULT_HOLDOUT_WEEKS;
  const horizon = options.horizon ?? DEFAULT_HORIZON;
  checkInt('holdoutWeeks', holdoutWeeks, 1, 104);
  checkInt('horizon', horizon, 1, 520);
  const requested = options.order ?? DEFAULT_ORDER;
  checkOrders(requested, options.seasonalOrder);
  const now = options.now ?? (() => performance.now());

  points.forEach((p, i) => {
    if (p.weekEnding > options.cutoff) return;
    if (!isSaturday(p.weekEnding)) {
      throw new ValidationError(`points[${i}].weekEnding ${p.weekEnding} is not a Saturday`, [
        `points[${i}].weekEnding`,
      ]);
    }
    if (!Number.isInteger(p.volume) || p.volume < 0) {
      throw new ValidationError(
        `points[${i}].volume ${p.volume} must be a whole number of copies, 0 or more`,
        [`points[${i}].volume`],
      );
    }
  });
  const grid = weeklyGrid(points, options.cutoff);
  if (grid.weeks.length < holdoutWeeks + MIN_FIT_WEEKS) {
    throw new ValidationError(
      `series has ${grid.weeks.length} weeks up to ${options.cutoff}; needs at least ${holdoutWeeks + MIN_FIT_WEEKS} ` +
        `(${MIN_FIT_WEEKS} to fit + ${holdoutWeeks} holdout)`,
      ['series'],
    );
  }
  const split = grid.weeks.length - holdoutWeeks;
  const head: WeeklyGrid = { weeks: grid.weeks.slice(0, split), values: grid.values.slice(0, split) };

  const fitBoth = (order: ArimaOrder, seasonal: SeasonalOrder | undefined) => ({
    holdoutFit: fitGrid(head, holdoutWeeks, order, seasonal, now),
    finalFit: fitGrid(grid, horizon, order, seasonal, now),
  });
  let order = requested;
  let seasonalOrder = options.seasonalOrder;
  let fallbackFrom: string | undefined;
  let fits: ReturnType<typeof fitBoth>;
  try {
    fits = fitBoth(order, seasonalOrder);
  } catch (err) {
    const isDefault = !seasonalOrder && describeOrder(order) === describeOrder(DEFAULT_ORDER);
    if (!(err instanceof ModelFitError) || isDefault) throw err;
    // A diverged custom order should not cost the book its version; say what happened instead.
    fallbackFrom = describeOrder(order, seasonalOrder);
    order = { ...DEFAULT_ORDER };
    seasonalOrder = undefined;
    fits = fitBoth(order, seasonalOrder);
  }
  const { holdoutFit, finalFit } = fits;

  // Score only weeks that have a row: a missing week is unknown, not zero.
  const holdout = { weeks: [] as string[], actual: [] as number[], predicted: [] as number[] };
  for (let i = 0; i < holdoutWeeks; i++) {
    const actual = grid.values[split + i] as number;
    if (Number.isNaN(actual)) continue;
    holdout.weeks.push(grid.weeks[split + i] as string);
    holdout.actual.push(actual);
    holdout.predicted.push(holdoutFit.mean[i] as number);
  }
  if (holdout.actual.length === 0) {
    throw new ValidationError(`no sales rows in the ${holdoutWeeks}-week holdout before ${options.cutoff}`, [
      'series',
    ]);
  }
  const { zeroWeeksExcluded: _zeroWeeks, ...metrics } = holdoutMetrics(
    holdout.actual,
    holdout.predicted,
    interpolateGaps(head.values),
  );
  return {
    isbn,
    params: {
      order,
      ...(seasonalOrder ? { seasonalOrder } : {}),
      transform: seasonalOrder ? 'log1p' : 'log1p-seasonal-profile',
      fitMs: round2(holdoutFit.fitMs + finalFit.fitMs),
      ...(fallbackFrom ? { fallbackFrom } : {}),
      trainingWeeks: grid.weeks.length,
      filledWeeks: finalFit.filledWeeks,
      outlierWeeks: finalFit.outlierWeeks,
      ...(finalFit.profile
        ? { seasonalProfile: finalFit.profile.map((v) => Math.round(v * 1e4) / 1e4) }
        : {}),
    },
    metrics,
    dataHash: trainingDataHash(isbn, points, options.cutoff),
    trainedThrough: options.cutoff,
    forecast: { mean: finalFit.mean, lower: finalFit.lower, upper: finalFit.upper },
    holdout,
  };
}
