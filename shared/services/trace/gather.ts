/**
 * Reads everything a trace needs about one book through the ports. Every
 * query is an equality on one field (`isbn`, `correlationId`) or a range on
 * one field (`startedAt`), which Firestore's single-field indexes serve
 * (infra/firestore.tf declares no composite index for them).
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { AlertState } from '../../contracts/documents/alert-state';
import type { Approval } from '../../contracts/documents/approval';
import type { HealthReport } from '../../contracts/documents/health-report';
import type { LastKnownGood } from '../../contracts/documents/last-known-good';
import type { MetricPoint } from '../../contracts/documents/metric-point';
import type { RollbackBackup, RollbackRecord, ServingHistoryEntry } from '../../contracts/documents/rollback';
import type { ValidationReport } from '../../contracts/documents/validation-report';
import type { ModelVersion, ServingState } from '../../contracts/model';
import type { StateStore } from '../../ports/state-store';
import { readHistory } from '../rollback/leases';
import type { TracePorts } from './types';

/** Approvals read to find the ones naming the book (they hold a list of ISBNs, which the port cannot filter on). */
export const APPROVALS_SCANNED = 500;
/** Health reports read for one week (hourly checks: 168, and manual ones). */
export const HEALTH_REPORTS_PER_WEEK = 400;

export interface BookRecords {
  versions: ModelVersion[];
  history: ServingHistoryEntry[];
  rollbacks: RollbackRecord[];
  /** Rollback run heads by rollbackId (who asked, the correlation id). */
  runs: Map<string, RollbackBackup>;
  validations: ValidationReport[];
  lastKnownGood?: LastKnownGood;
  alerts: AlertState[];
  points: MetricPoint[];
  serving?: ServingState;
  approvals: Approval[];
}

async function byIsbn<T extends object>(state: StateStore, collection: string, isbn: string): Promise<T[]> {
  const docs = await state.query<T & Record<string, unknown>>(collection, {
    where: [{ field: 'isbn', op: '==', value: isbn }],
  });
  return docs.map((d) => d.data);
}

async function rollbackRuns(state: StateStore, records: readonly RollbackRecord[]) {
  const runs = new Map<string, RollbackBackup>();
  for (const backupId of new Set(records.map((r) => r.backupId).filter((b) => b !== undefined))) {
    const head = (
      await state.get<RollbackBackup & Record<string, unknown>>(COLLECTIONS.rollbackBackups, backupId)
    )?.data;
    if (head) runs.set(head.rollbackId, head);
  }
  return runs;
}

async function approvalsFor(state: StateStore, isbn: string): Promise<Approval[]> {
  const docs = await state.query<Approval & Record<string, unknown>>(COLLECTIONS.approvals, {
    orderBy: { field: 'approvedAt', direction: 'desc' },
    limit: APPROVALS_SCANNED,
  });
  return docs.map((d) => d.data).filter((a) => a.isbns.includes(isbn));
}

/** The book's versions, serving history, rollbacks, validations, alerts, points and approvals. */
export async function gatherBook(isbn: string, ports: TracePorts): Promise<BookRecords> {
  const { state } = ports;
  const [versions, history, rollbacks, validations, lkg, alerts, points, serving, approvals] =
    await Promise.all([
      ports.registry.listVersions(isbn),
      readHistory(state, isbn),
      byIsbn<RollbackRecord>(state, COLLECTIONS.rollbackRecords, isbn),
      byIsbn<ValidationReport>(state, COLLECTIONS.validationReports, isbn),
      state.get<LastKnownGood & Record<string, unknown>>(COLLECTIONS.lastKnownGood, isbn),
      byIsbn<AlertState>(state, COLLECTIONS.alertStates, isbn),
      byIsbn<MetricPoint>(state, COLLECTIONS.metricPoints, isbn),
      ports.serving.getServing(isbn),
      approvalsFor(state, isbn),
    ]);
  return {
    versions,
    history,
    rollbacks,
    runs: await rollbackRuns(state, rollbacks),
    validations,
    ...(lkg ? { lastKnownGood: lkg.data } : {}),
    alerts,
    points,
    ...(serving ? { serving } : {}),
    approvals,
  };
}

/** Health-check reports that started in [from, to), oldest first. */
export async function healthReportsBetween(
  state: StateStore,
  from: string,
  to: string,
): Promise<HealthReport[]> {
  const docs = await state.query<HealthReport & Record<string, unknown>>(COLLECTIONS.healthReports, {
    where: [
      { field: 'startedAt', op: '>=', value: from },
      { field: 'startedAt', op: '<', value: to },
    ],
    orderBy: { field: 'startedAt', direction: 'asc' },
    limit: HEALTH_REPORTS_PER_WEEK,
  });
  return docs.map((d) => d.data);
}

/** Whatever carries this correlation id: health-check runs, rollback runs, validations. */
export async function recordsOfCorrelation(state: StateStore, correlationId: string) {
  const where = [{ field: 'correlationId', op: '==' as const, value: correlationId }];
  const [health, rollbacks, validations] = await Promise.all([
    state.query<HealthReport & Record<string, unknown>>(COLLECTIONS.healthReports, { where }),
    state.query<RollbackBackup & Record<string, unknown>>(COLLECTIONS.rollbackBackups, { where }),
    state.query<ValidationReport & Record<string, unknown>>(COLLECTIONS.validationReports, { where }),
  ]);
  return {
    health: health.map((d) => d.data),
    rollbacks: rollbacks.map((d) => d.data).filter((b) => b.part === undefined),
    validations: validations.map((d) => d.data),
  };
}
