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
 */

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
