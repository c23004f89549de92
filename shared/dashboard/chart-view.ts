/**
 * One book's chart for the dashboard: its recent actual weekly sales beside
 * the serving version's forecast (with the 95 % interval) for the same weeks
 * and a few beyond, asked of the serving target as any client would; and the
 * last-known-good version's forecast when another version serves. Read-only.
 */
import { COLLECTIONS } from '../contracts/collections';
import type { LastKnownGood } from '../contracts/documents/last-known-good';
import { MAX_FORECAST_STEPS } from '../contracts/model';
import { parseIsbn13 } from '../domain/isbn';
import { NotFoundError } from '../errors';
import { PRODUCTION_ALIAS } from '../ports/model-registry';
import { servingVersionOf, titleOf, type ViewPorts } from './views';

export interface ChartPoint {
  week: string;
  value: number | null;
}

export interface ChartView {
  isbn: string;
  title: string;
  version: string | null;
  lastKnownGood: string | null;
  actuals: ChartPoint[];
  forecast: Array<{ week: string; mean: number | null; lower: number | null; upper: number | null }>;
  /** The last-known-good version's forecast, when another version serves. */
  lastKnownGoodForecast?: ChartPoint[];
}

const ACTUAL_WEEKS = 40;
const AHEAD_WEEKS = 12;

async function forecastOf(ports: ViewPorts, isbn: string, version: string, lastActual: string) {
  const v = await ports.registry.getVersion(isbn, version);
  if (!v) return [];
  const weeksToLastActual = Math.max(
    0,
    Math.round((Date.parse(lastActual) - Date.parse(v.trainedThrough)) / (7 * 86_400_000)),
  );
  const steps = Math.min(MAX_FORECAST_STEPS, Math.max(1, weeksToLastActual + AHEAD_WEEKS));
  try {
    const res = await ports.serving.predict(isbn, [{ steps, return_confidence_intervals: true }], {
      version,
    });
    const p = res.predictions[0];
    if (!p) return [];
    return p.weeks.map((week, i) => ({
      week,
      mean: p.forecast[i] ?? null,
      lower: p.lower_bound?.[i] ?? null,
      upper: p.upper_bound?.[i] ?? null,
    }));
  } catch {
    // A version that was undeployed (or a broken artifact) has no forecast to draw; the chart shows actuals.
    return [];
  }
}

/** One book's recent actual sales beside the serving version's forecast for the same weeks and beyond. */
export async function chartView(
  ports: ViewPorts,
  isbnInput: string,
  titles: Map<string, string>,
): Promise<ChartView> {
  const isbn = parseIsbn13(isbnInput);
  const [series, servingState, lkg] = await Promise.all([
    ports.sales.getSeries(isbn),
    ports.serving.getServing(isbn),
    ports.state.get<LastKnownGood>(COLLECTIONS.lastKnownGood, isbn),
  ]);
  if (!series && !servingState) throw new NotFoundError(`no sales and no endpoint for ISBN ${isbn}`);
  const points = (series?.points ?? []).slice(-ACTUAL_WEEKS);
  const lastActual = points.at(-1)?.weekEnding ?? ports.clock.now().toISOString().slice(0, 10);
  const version =
    servingVersionOf(servingState?.deployments ?? []) ??
    (await ports.registry.getAlias(isbn, PRODUCTION_ALIAS)) ??
    null;
  const lastKnownGood = lkg?.data.version ?? null;
  const forecast = version ? await forecastOf(ports, isbn, version, lastActual) : [];
  const view: ChartView = {
    isbn,
    title: await titleOf(isbn, ports.sales, titles),
    version,
    lastKnownGood,
    actuals: points.map((p) => ({ week: p.weekEnding, value: p.volume })),
    forecast,
  };
  const lkgDeployed = servingState?.deployments.some((d) => d.version === lastKnownGood);
  if (lastKnownGood && lastKnownGood !== version && lkgDeployed) {
    view.lastKnownGoodForecast = (await forecastOf(ports, isbn, lastKnownGood, lastActual)).map((f) => ({
      week: f.week,
      value: f.mean,
    }));
  }
  return view;
}
