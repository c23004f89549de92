/**
 * Refits a version's recorded order on its training window exactly as
 * training does (weekly grid, log1p, the Christmas-anchored seasonal profile
 * taken out, outliers pulled in, gaps filled), for the ARIMA sanity checks:
 * the `arima` package does not expose coefficients, so what can be learned
 * about the fitted model comes from this refit's forecast variances and the
 * series it was fitted on. Only ARIMA(0,1,1) without a seasonal part is
 * refitted: its coefficient can be recovered; other orders are not (see
 * shared/domain/validation/arima-sanity.ts).
 */
import type { SalesPoint } from '../../contracts/model';
import type { RefitResult } from '../../domain/validation/arima-sanity';
import { parseOrder } from '../../domain/validation/arima-sanity';
import { describeError } from '../../errors';
import { fitArima } from '../../forecasting/arima-fit';
import { adjustSeries, weeklyGrid } from '../../domain/series/seasonal-adjustment';

/** The refit for `params` on the window up to `trainedThrough`; undefined when the order is not refitted. */
export function refitTrainingWindow(
  points: readonly SalesPoint[],
  trainedThrough: string,
  params: Readonly<Record<string, unknown>>,
  now: () => number = () => performance.now(),
): RefitResult | undefined {
  const order = parseOrder(params);
  if (!order || order.seasonal || order.p !== 0 || order.d !== 1 || order.q !== 1) return undefined;
  if (params.transform !== undefined && params.transform !== 'log1p-seasonal-profile') {
    return { ok: false, reason: `transform ${String(params.transform)} is not the one training refits` };
  }
  try {
    const grid = weeklyGrid(points, trainedThrough);
    if (grid.weeks.length < 10)
      return { ok: false, reason: `${grid.weeks.length} weeks up to ${trainedThrough}` };
    const fitted = adjustSeries(grid).values;
    const { variance } = fitArima(fitted, 3, { p: 0, d: 1, q: 1 }, undefined, now);
    return { ok: true, variance, fitted };
  } catch (err) {
    return { ok: false, reason: describeError(err) };
  }
}
