/**
 * A book's metric series as the anomaly detector sees it: one value per
 * distinct observation, not one per health-check run. Pure.
 *
 * The health check runs hourly but actuals arrive weekly, so a week's 168
 * runs score the same forecast against the same actuals and write the same
 * figures: counted as 168 points they would make one week look like a
 * settled history and any change look like a step. A new observation starts
 * when the figures change: another version answered, or a new week of
 * actuals moved the live window. MetricPoint does not carry the latest
 * actual week, so "same version and same value" is the test; two different
 * weeks giving the very same figure to three decimals is rare enough to
 * ignore (it merges two observations, which only makes the detector slower).
 *
 * The health check keeps each book's observations itself (`metric-observations`,
 * one document per book): `foldEntries` turns MetricPoints into that list once,
 * when a book has none yet; `appendObservation` adds each new one, bounded;
 * `seriesOf` gives the detector one metric's series from it.
 */
import {
  OBSERVED_METRICS,
  type MetricObservationEntry,
  type ObservedMetric,
} from '../../contracts/documents/metric-observations';

/** One distinct observation of one metric of one book. */
export interface MetricObservation {
  /** When it was first seen (the first run that wrote these figures), ISO 8601. */
  at: string;
  version: string;
  value: number;
}

/** A point as read from the store: any shape with a time, a version and the metric (absent when not measured). */
export interface PointLike {
  at: string;
  version: string;
  value?: number | undefined;
}

/**
 * Folds points (oldest first) into observations: consecutive points with the
 * same version and value are one observation, dated by the first of them.
 * Points without the value (accuracy not judged that run) are skipped and do
 * not split an observation.
 */
export function foldObservations(points: readonly PointLike[]): MetricObservation[] {
  const out: MetricObservation[] = [];
  for (const p of points) {
    if (p.value === undefined || !Number.isFinite(p.value)) continue;
    const last = out[out.length - 1];
    if (last && last.version === p.version && last.value === p.value) continue;
    out.push({ at: p.at, version: p.version, value: p.value });
  }
  return out;
}

/** A stored point as far as the observation history needs it. */
export interface PointFigures {
  at: string;
  runId: string;
  version: string;
  mape?: number | undefined;
  rmse?: number | undefined;
  smape?: number | undefined;
  mase?: number | undefined;
}

/** The entry for one point: its time, run, version and the error metrics it measured. */
export function entryOf(p: PointFigures): MetricObservationEntry {
  const entry: MetricObservationEntry = { at: p.at, runId: p.runId, version: p.version };
  for (const m of OBSERVED_METRICS) {
    const v = p[m];
    if (v !== undefined && Number.isFinite(v)) entry[m] = v;
  }
  return entry;
}

const sameFigures = (a: MetricObservationEntry, b: MetricObservationEntry) =>
  a.version === b.version && OBSERVED_METRICS.every((m) => a[m] === b[m]);

/**
 * Folds points (oldest first) into entries, as foldObservations does for one
 * metric but over all of them at once: consecutive points with the same
 * version and the same figures are one entry, dated by the first. Points that
 * measured none of the metrics are skipped. Folding one metric of the result
 * gives what folding that metric of the points would.
 */
export function foldEntries(points: readonly PointFigures[]): MetricObservationEntry[] {
  const out: MetricObservationEntry[] = [];
  for (const p of points) {
    const entry = entryOf(p);
    if (!OBSERVED_METRICS.some((m) => entry[m] !== undefined)) continue;
    const last = out[out.length - 1];
    if (last && sameFigures(last, entry)) continue;
    out.push(entry);
  }
  return out;
}

/**
 * The history with `entry` added, keeping the newest `keep`. Idempotent for a
 * retried run: an entry of the same run is replaced, not repeated. Figures
 * equal to the newest entry's are the same observation and add nothing.
 */
export function appendObservation(
  history: readonly MetricObservationEntry[],
  entry: MetricObservationEntry,
  keep: number,
): MetricObservationEntry[] {
  const others = history.filter((e) => e.runId !== entry.runId);
  const last = others[others.length - 1];
  const next = last && sameFigures(last, entry) ? others : [...others, entry];
  return next.slice(Math.max(0, next.length - keep));
}

/** One metric's series from the history (entries without it skipped, equal neighbours folded). */
export function seriesOf(
  history: readonly MetricObservationEntry[],
  metric: ObservedMetric,
): MetricObservation[] {
  return foldObservations(history.map((e) => ({ at: e.at, version: e.version, value: e[metric] })));
}
