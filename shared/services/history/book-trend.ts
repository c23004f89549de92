/**
 * One book's metric history for the dashboard's Trends panel: the health
 * checks' points (newest 35 days by default), the weekly rollups for the
 * weeks before them, the threshold lines each point was up against, and the
 * markers of what changed the serving version: rollbacks (their audit
 * records), deploys (the serving history deploys write, and post-deploy
 * validations), and version changes seen in the points themselves (a
 * hot-fix pushed past both shows there). Read-only.
 */
import { COLLECTIONS } from '../../contracts/collections';
import { MetricPoint, MetricRollup, type MetricPoint as Point } from '../../contracts/documents/metric-point';
import type { RollbackRecord } from '../../contracts/documents/rollback';
import type { ValidationReport } from '../../contracts/documents/validation-report';
import { safeParseWith } from '../../contracts/parse';
import { isoWeekOf } from '../../domain/history/rollup';
import { limitLines, versionChanges, type Baseline, type LimitLines } from '../../domain/history/trends';
import { parseIsbn13 } from '../../domain/isbn';
import { thresholdsFor, type Thresholds } from '../../domain/thresholds';
import { readHistory } from '../rollback/leases';
import type { HistoryPorts, HistorySettings } from './ports';

export type TrendPoint = Omit<Point, 'isbn' | 'expireAt'>;
export type TrendWeek = Omit<MetricRollup, 'isbn' | 'expireAt' | 'runIds'>;

/** Something that changed what served the book, drawn as a vertical line. */
export interface TrendMarker {
  at: string;
  kind: 'rollback' | 'deploy' | 'validation' | 'version-change';
  /** The version served after it (null: nothing). */
  to: string | null;
  from?: string | null;
  /** One line for people: who, why, outcome. */
  detail: string;
}

export interface BookTrend {
  isbn: string;
  points: TrendPoint[];
  /** Weekly rollups older than the first point (the points have expired there). */
  weeks: TrendWeek[];
  markers: TrendMarker[];
  thresholds: Readonly<Thresholds>;
  /** Per version seen in the series: its holdout baseline and the lines it implies. */
  versions: Record<string, { baseline?: Baseline; limits: LimitLines }>;
}

/** A book's series, threshold lines and markers (see the file comment). */
export async function bookTrend(
  request: { isbn: string },
  ports: HistoryPorts,
  settings: HistorySettings,
): Promise<BookTrend> {
  const isbn = parseIsbn13(request.isbn);
  const [points, rollups] = await Promise.all([readPoints(ports, isbn), readRollups(ports, isbn)]);
  const firstWeek = points[0] ? isoWeekOf(points[0].at) : undefined;
  const weeks = rollups
    .filter((r) => firstWeek === undefined || r.week < firstWeek)
    .map(({ isbn: _i, expireAt: _e, runIds: _r, ...week }) => week);
  const thresholds = thresholdsFor(settings.environment, isbn, settings.thresholdOverrides);
  const seen = new Set([...points.map((p) => p.version), ...weeks.flatMap((w) => w.versions)]);
  const versions: BookTrend['versions'] = {};
  await Promise.all(
    [...seen].map(async (version) => {
      const meta = await ports.registry.getVersion(isbn, version).catch(() => undefined);
      const baseline = meta ? { rmse: meta.metrics.rmse, mape: meta.metrics.mape } : undefined;
      versions[version] = { ...(baseline ? { baseline } : {}), limits: limitLines(thresholds, baseline) };
    }),
  );
  const since = weeks[0] ? `${weeks[0].week}T00:00:00.000Z` : points[0]?.at;
  const markers = await readMarkers(ports, isbn, points, since);
  return {
    isbn,
    points: points.map(({ isbn: _i, expireAt: _e, ...p }) => p),
    weeks,
    markers,
    thresholds,
    versions,
  };
}

/** The book's points, oldest first; an unreadable one is left out (the series goes on). */
export async function readPoints(ports: Pick<HistoryPorts, 'state'>, isbn: string): Promise<Point[]> {
  const docs = await ports.state.query(COLLECTIONS.metricPoints, {
    where: [{ field: 'isbn', op: '==', value: isbn }],
    orderBy: { field: 'at', direction: 'asc' },
  });
  return docs.flatMap((d) => {
    const parsed = safeParseWith(MetricPoint, d.data, `MetricPoint ${d.id}`);
    return parsed.ok ? [parsed.value] : [];
  });
}

async function readRollups(ports: HistoryPorts, isbn: string): Promise<MetricRollup[]> {
  const docs = await ports.state.query(COLLECTIONS.metricRollups, {
    where: [{ field: 'isbn', op: '==', value: isbn }],
    orderBy: { field: 'week', direction: 'asc' },
  });
  return docs.flatMap((d) => {
    const parsed = safeParseWith(MetricRollup, d.data, `MetricRollup ${d.id}`);
    return parsed.ok ? [parsed.value] : [];
  });
}

/** Rollbacks, deploys, validations and version changes from `since` on, oldest first. */
async function readMarkers(
  ports: HistoryPorts,
  isbn: string,
  points: readonly Point[],
  since: string | undefined,
): Promise<TrendMarker[]> {
  // Equality only (single-field indexes serve it); sorted here rather than by an index.
  const [rollbacks, validations, serving] = await Promise.all([
    ports.state.query<RollbackRecord>(COLLECTIONS.rollbackRecords, {
      where: [{ field: 'isbn', op: '==', value: isbn }],
    }),
    ports.state.query<ValidationReport>(COLLECTIONS.validationReports, {
      where: [{ field: 'isbn', op: '==', value: isbn }],
    }),
    readHistory(ports.state, isbn),
  ]);
  const markers: TrendMarker[] = [
    ...rollbacks
      .map((d) => d.data)
      .filter((r) => r.status !== 'skipped')
      .map((r) => ({
        at: r.at,
        kind: 'rollback' as const,
        from: r.from,
        to: r.to,
        detail: `rollback ${r.status}${r.from ? ` v${r.from}` : ''} → ${r.to ? `v${r.to}` : '–'} by ${String(r.requestedBy)}: ${r.reason}`,
      })),
    ...serving
      .filter((e) => e.via === 'deploy')
      .map((e) => ({
        at: e.at,
        kind: 'deploy' as const,
        to: e.version,
        detail: `deployed v${e.version}${e.by ? ` by ${e.by}` : ''}`,
      })),
    ...validations
      .map((d) => d.data)
      .map((v) => ({
        at: v.startedAt,
        kind: 'validation' as const,
        to: v.version,
        detail: `post-deploy validation of v${v.version} ${v.passed ? 'passed' : 'failed'}`,
      })),
    ...versionChanges(points).map((c) => ({
      at: c.at,
      kind: 'version-change' as const,
      from: c.from,
      to: c.to,
      detail: `health check scored v${c.to} (was v${c.from})`,
    })),
  ];
  return markers
    .filter((m) => since === undefined || m.at >= since)
    .sort((a, b) => a.at.localeCompare(b.at) || a.kind.localeCompare(b.kind));
}
