/**
 * The metric series' two shapes: a MetricPoint per book per health-check
 * run (kept `pointRetention`, 35 days by default), and a MetricRollup per book
 * per ISO week folded from them (kept two years), so a trend older than the
 * points still has its weekly mean, min and max. Pure: points in, rollups out.
 *
 * The fold is incremental (one more point into the week's rollup) because
 * reading a week's points back on every run would cost 168 reads per book
 * per hour; a rollup remembers the runs it folded (`runIds`), so a retried
 * run folds nothing twice.
 */
import type { MetricPoint, MetricRollup } from '../../contracts/documents/metric-point';
import { ValidationError } from '../../errors';

/** The figures a point carries and a rollup summarises. */
export const ROLLED_METRICS = ['rmse', 'mape', 'smape', 'mase', 'bias', 'psi'] as const;
export type RolledMetric = (typeof ROLLED_METRICS)[number];

type Summary = NonNullable<MetricRollup['rmse']>;

const DAY_MS = 86_400_000;

/** Monday (YYYY-MM-DD, UTC) of the ISO week holding `at`. */
export function isoWeekOf(at: string): string {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) throw new ValidationError(`at: "${at}" is not an ISO 8601 date-time`, ['at']);
  const day = new Date(ms).getUTCDay(); // 0 = Sunday
  const monday = ms - ((day + 6) % 7) * DAY_MS;
  return new Date(monday).toISOString().slice(0, 10);
}

/** The instant the ISO week starting on Monday `week` ends (next Monday 00:00 UTC). */
export function weekEnd(week: string): Date {
  return new Date(Date.parse(`${week}T00:00:00.000Z`) + 7 * DAY_MS);
}

function addToSummary(summary: Summary | undefined, value: number): Summary {
  if (!summary) return { mean: value, min: value, max: value, n: 1 };
  // A summary written without `n` is taken as one point: the least it can hold.
  const n = summary.n ?? 1;
  return {
    mean: (summary.mean * n + value) / (n + 1),
    min: Math.min(summary.min, value),
    max: Math.max(summary.max, value),
    n: n + 1,
  };
}

/**
 * `rollup` with `point` folded in (a new rollup when undefined); unchanged
 * when the rollup already holds the point's run. The point must be of the
 * rollup's book and week.
 */
export function foldPoint(
  rollup: MetricRollup | undefined,
  point: MetricPoint,
  expireAt: string | undefined,
): MetricRollup {
  const week = isoWeekOf(point.at);
  if (rollup && (rollup.isbn !== point.isbn || rollup.week !== week)) {
    throw new ValidationError(
      `point: ${point.isbn} at ${point.at} (week ${week}) does not belong to rollup ${rollup.isbn} ${rollup.week}`,
      ['point.at'],
    );
  }
  if (rollup?.runIds?.includes(point.runId)) return rollup;
  const next: MetricRollup = {
    isbn: point.isbn,
    week,
    points: (rollup?.points ?? 0) + 1,
    versions: rollup?.versions.includes(point.version)
      ? rollup.versions
      : [...(rollup?.versions ?? []), point.version],
    statuses: { ...rollup?.statuses, [point.status]: (rollup?.statuses[point.status] ?? 0) + 1 },
    runIds: [...(rollup?.runIds ?? []), point.runId],
  };
  for (const metric of ROLLED_METRICS) {
    const value = point[metric];
    const before = rollup?.[metric];
    if (value !== undefined) next[metric] = addToSummary(before, value);
    else if (before) next[metric] = before;
  }
  const keep = expireAt ?? rollup?.expireAt;
  if (keep !== undefined) next.expireAt = keep;
  return next;
}

/** The rollup of one book's week folded from its points, oldest first (what the incremental fold must equal). */
export function foldPoints(points: readonly MetricPoint[], expireAt?: string): MetricRollup | undefined {
  const sorted = [...points].sort((a, b) => a.at.localeCompare(b.at) || a.runId.localeCompare(b.runId));
  let rollup: MetricRollup | undefined;
  for (const p of sorted) rollup = foldPoint(rollup, p, expireAt);
  return rollup;
}
