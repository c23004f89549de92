/**
 * One ARIMA fit and forecast with the `arima` package (a WebAssembly build of
 * ctsa), guarded: its exact-likelihood optimiser sometimes diverges on orders
 * with an AR term and returns infinite or exploding forecasts without an
 * error (measured on the seasonally adjusted series of 12 books × 3 cutoffs:
 * (1,1,1) diverged on 9 of 36 fits, (2,0,1) on 7, (1,0,1) on 3, (0,1,1) on
 * none of 144). A diverged fit is reported as a ModelFitError instead of
 * being stored as a forecast.
 */
import type ARIMA from 'arima';
import { ForecastGuardError } from '../errors';

/** Non-seasonal order. */
export interface ArimaOrder {
  p: number;
  d: number;
  q: number;
}

/** Seasonal order; `s` is the season length in weeks. */
export interface SeasonalOrder {
  P: number;
  D: number;
  Q: number;
  s: number;
}

/** The fit did not produce a usable model (diverged, series too short for the order). Retrying the same data will not help. */
export class ModelFitError extends ForecastGuardError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retryable: false });
  }
}

/** Mean and forecast-error variance per step, on the scale the model was fitted on. */
export interface ArimaForecast {
  mean: number[];
  variance: number[];
  fitMs: number;
}

/*
 * `arima` instantiates its WebAssembly module when it loads (tens of ms):
 * required on the first fit, so the processes that never fit (every function
 * but post-deploy validation, most CLI commands) never pay for it.
 */
let arimaClass: typeof ARIMA | undefined;
function loadArima(): typeof ARIMA {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  arimaClass ??= require('arima') as typeof ARIMA;
  return arimaClass;
}

/** How far (in the fitted scale) a forecast may stray from the data before it counts as diverged; 3 in log1p is 20×, and a diverged fit passes it within a few steps. */
const MAX_EXCURSION = 3;

/**
 * Fits `order` (and `seasonalOrder` if given) to `values` by exact maximum
 * likelihood and forecasts `horizon` steps. `now` is a monotonic millisecond
 * source for `fitMs`.
 */
export function fitArima(
  values: readonly number[],
  horizon: number,
  order: ArimaOrder,
  seasonalOrder: SeasonalOrder | undefined,
  now: () => number,
): ArimaForecast {
  const started = now();
  let model: InstanceType<typeof ARIMA> | undefined;
  let mean: number[];
  let variance: number[];
  try {
    model = new (loadArima())({ ...order, ...(seasonalOrder ?? {}), verbose: false }).train(values.slice());
    [mean, variance] = model.predict(horizon);
  } catch (err) {
    throw new ModelFitError(`ARIMA${describeOrder(order, seasonalOrder)} failed to fit: ${String(err)}`, {
      cause: err,
    });
  } finally {
    model?.destroy();
  }
  const fitMs = now() - started;
  let low = Infinity;
  let high = -Infinity;
  for (const v of values) {
    low = Math.min(low, v);
    high = Math.max(high, v);
  }
  const bad = mean.findIndex(
    (m, i) =>
      !Number.isFinite(m) ||
      !Number.isFinite(variance[i] as number) ||
      (variance[i] as number) < 0 ||
      m > high + MAX_EXCURSION ||
      m < low - MAX_EXCURSION,
  );
  if (mean.length !== horizon || bad >= 0) {
    throw new ModelFitError(
      `ARIMA${describeOrder(order, seasonalOrder)} diverged: step ${bad + 1} forecast ${mean[bad]} ` +
        `(variance ${variance[bad]}) is outside the data range ${low.toFixed(2)}..${high.toFixed(2)}`,
    );
  }
  return { mean, variance, fitMs };
}

/** `(p,d,q)` or `(p,d,q)(P,D,Q)s`, the usual notation. */
export function describeOrder(order: ArimaOrder, seasonalOrder?: SeasonalOrder): string {
  const base = `(${order.p},${order.d},${order.q})`;
  return seasonalOrder
    ? `${base}(${seasonalOrder.P},${seasonalOrder.D},${seasonalOrder.Q})${seasonalOrder.s}`
    : base;
}
