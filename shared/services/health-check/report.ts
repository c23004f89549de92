/**
 * HealthReport documents: reading the previous run's (to resolve what
 * cleared) and writing this run's, within the StateStore's document limit,
 * with an `expireAt` so the TTL policy on health-reports deletes old ones.
 */
import { COLLECTIONS } from '../../contracts/collections';
import { HealthReport, type ModelHealth } from '../../contracts/documents/health-report';
import { parseWith, safeParseWith } from '../../contracts/parse';
import type { HealthStatus } from '../../contracts/primitives';
import type { Logger } from '../../logging/logger';
import { firestoreSize, type StateStore } from '../../ports/state-store';

/**
 * The most recent report by `startedAt` other than `runId` (a retried run
 * must not compare itself with its own earlier attempt). A report that no
 * longer parses is logged and treated as absent: nothing is resolved from it.
 */
export async function readPreviousReport(
  state: StateStore,
  runId: string,
  logger: Logger,
): Promise<HealthReport | undefined> {
  const docs = await state.query(COLLECTIONS.healthReports, {
    orderBy: { field: 'startedAt', direction: 'desc' },
    limit: 2,
  });
  const doc = docs.find((d) => d.id !== runId);
  if (!doc) return undefined;
  const parsed = safeParseWith(HealthReport, doc.data, `HealthReport ${doc.id}`);
  if (!parsed.ok) {
    logger.warning(`previous report ignored: ${parsed.error.message}`, { previousRunId: doc.id });
    return undefined;
  }
  return parsed.value;
}

/** This run's report if it was already written (the request was handled before). */
export async function readReport(state: StateStore, runId: string): Promise<HealthReport | undefined> {
  const doc = await state.get(COLLECTIONS.healthReports, runId);
  return doc ? parseWith(HealthReport, doc.data, `HealthReport ${runId}`) : undefined;
}

/** Books per status (what the fleet-over-time view counts; the report's `models` may be trimmed). */
export function countStatuses(
  books: ReadonlyArray<{ status: HealthStatus }>,
): Partial<Record<HealthStatus, number>> {
  const counts: Partial<Record<HealthStatus, number>> = {};
  for (const b of books) counts[b.status] = (counts[b.status] ?? 0) + 1;
  return counts;
}

const STATUS_ORDER: Record<string, number> = { unhealthy: 0, critical: 0, degraded: 1, warning: 1 };
const rank = (status: string) => STATUS_ORDER[status] ?? 2;

/**
 * What a report keeps within `budgetBytes` (Firestore's count, `firestoreSize`;
 * a document holds at most MAX_DOCUMENT_BYTES, both in the StateStore port). Alerts first, criticals first: they are what the
 * next run resolves from. Then models, the unhealthy and degraded first,
 * healthy ones in ISBN order until the budget is spent. A small fleet keeps
 * everything; at 5,000 books the healthy tail may be left out, and in a
 * fleet-wide storm even some warnings (both counted in the result).
 */
export function fitReportToBudget<A extends { severity: string }>(
  alerts: readonly A[],
  models: readonly ModelHealth[],
  budgetBytes: number,
): { alerts: A[]; models: ModelHealth[]; omittedAlerts: number; omittedModels: number } {
  let used = 0;
  const take = <T>(items: readonly T[], key: (t: T) => string, sortKey: (t: T) => number): T[] => {
    const ordered = [...items].sort((a, b) => sortKey(a) - sortKey(b) || key(a).localeCompare(key(b)));
    const kept: T[] = [];
    for (const item of ordered) {
      const size = firestoreSize(item);
      if (used + size > budgetBytes) break;
      kept.push(item);
      used += size;
    }
    return kept;
  };
  const keptAlerts = take(
    alerts,
    (a) => JSON.stringify(a),
    (a) => rank(a.severity),
  );
  const keptModels = take(
    models,
    (m) => m.isbn,
    (m) => rank(m.status),
  );
  return {
    alerts: keptAlerts,
    models: keptModels,
    omittedAlerts: alerts.length - keptAlerts.length,
    omittedModels: models.length - keptModels.length,
  };
}

/**
 * How long a report is kept after its run finished (its `expireAt`). 30 days,
 * because: a redelivered request finds its report by runId and publishes
 * nothing again, so a report must outlive Pub/Sub's redelivery window (7-day
 * retention; processed-message records keep 8 days); the next run resolves
 * what cleared against the previous report, so a schedule paused for weeks
 * still resolves; and readers need far less (the dashboard scans the newest
 * 25, the daily summary the newest one). Hourly runs then keep at most 720
 * reports, under 1 GiB even if every one filled Firestore's 1 MiB limit.
 */
export const HEALTH_REPORT_RETENTION_MS = 30 * 24 * 3600 * 1000;

/**
 * Validates and writes the report under its runId, expiring
 * `HEALTH_REPORT_RETENTION_MS` after `finishedAt`; returns what was written.
 */
export async function writeReport(state: StateStore, report: HealthReport): Promise<HealthReport> {
  const valid = parseWith(HealthReport, report, 'HealthReport');
  const expireAt = new Date(Date.parse(valid.finishedAt) + HEALTH_REPORT_RETENTION_MS).toISOString();
  const written = { ...valid, expireAt };
  await state.set(COLLECTIONS.healthReports, valid.runId, written);
  return written;
}
