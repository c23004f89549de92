/** Turns the book's records into the report's parts: the version, its cause, validations, alerts, runs. */
import type { AlertState } from '../../contracts/documents/alert-state';
import type { HealthReport } from '../../contracts/documents/health-report';
import type { ValidationReport } from '../../contracts/documents/validation-report';
import { cloudLoggingFilter, logsExplorerUrl } from '../../domain/trace/log-query';
import type { ServingSegment } from '../../domain/trace/serving-timeline';
import { trainingWindowStart } from '../../domain/trace/week';
import type { BookRecords } from './gather';
import type {
  TraceAlert,
  TraceCause,
  TraceLogs,
  TraceRun,
  TraceSettings,
  TraceValidation,
  TraceVersion,
} from './types';

const DAY_MS = 86_400_000;
const within = (at: string, from: string, to: string) => at >= from && at < to;

export function validationOf(v: ValidationReport): TraceValidation {
  return {
    reportId: v.reportId,
    version: v.version,
    passed: v.passed,
    startedAt: v.startedAt,
    predictions: v.predictions,
    correlationId: v.correlationId,
    failed: v.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`),
  };
}

/** A deploy's correlation id is its post-deploy validation's (ModelDeployed carries it); approvals that let it through. */
function deployDetails(cause: TraceCause, version: string, records: BookRecords): TraceCause {
  const until = new Date(Date.parse(cause.at) + DAY_MS).toISOString();
  const validation = records.validations
    .filter((v) => v.version === version && within(v.startedAt, cause.at, until))
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt))[0];
  const approvals = records.approvals
    .filter((a) => (a.version === undefined || a.version === version) && a.approvedAt <= cause.at)
    .map((a) => ({ id: a.id, approvedBy: String(a.approvedBy), approvedAt: a.approvedAt, reason: a.reason }));
  return {
    ...cause,
    ...(cause.correlationId === undefined && validation ? { correlationId: validation.correlationId } : {}),
    ...(approvals.length > 0 ? { approvals: approvals.slice(0, 3) } : {}),
  };
}

export function causeOf(segment: ServingSegment, records: BookRecords): TraceCause | undefined {
  const fact = segment.cause;
  if (!fact) return undefined;
  const run = fact.rollbackId !== undefined ? records.runs.get(fact.rollbackId) : undefined;
  const cause: TraceCause = {
    via: fact.via,
    at: fact.at,
    ...(fact.by !== undefined ? { by: fact.by } : {}),
    ...(fact.reason !== undefined ? { reason: fact.reason } : {}),
    ...(fact.rollbackId !== undefined ? { rollbackId: fact.rollbackId } : {}),
    ...(fact.correlationId !== undefined ? { correlationId: fact.correlationId } : {}),
    ...(run?.verifiedCaller !== undefined ? { verifiedCaller: run.verifiedCaller } : {}),
    source: fact.source,
  };
  return fact.via === 'deploy' ? deployDetails(cause, segment.version, records) : cause;
}

export function versionOf(
  segment: ServingSegment,
  records: BookRecords,
  settings: Pick<TraceSettings, 'configuredTrainStart'>,
): TraceVersion {
  const v = records.versions.find((x) => x.version === segment.version);
  const cause = causeOf(segment, records);
  const start = v ? trainingWindowStart(v.trainedThrough, v.params) : undefined;
  return {
    version: segment.version,
    since: segment.from,
    sinceExact: segment.fromExact,
    ...(segment.changedAfter !== undefined ? { changedAfter: segment.changedAfter } : {}),
    ...(cause ? { cause } : {}),
    ...(v
      ? {
          registeredAt: v.createdAt,
          ...(v.pipelineRunId !== undefined ? { pipelineRunId: v.pipelineRunId } : {}),
          trainingWindow: {
            start: start ?? settings.configuredTrainStart,
            startFrom:
              start !== undefined ? ('version params' as const) : ('FG_PIPELINE_TRAIN_START' as const),
            trainedThrough: v.trainedThrough,
          },
          dataHash: v.dataHash,
          metrics: v.metrics,
          ...(v.quarantine
            ? {
                quarantined: {
                  reason: v.quarantine.reason,
                  at: v.quarantine.at,
                  by: String(v.quarantine.by),
                },
              }
            : {}),
        }
      : {}),
    lastKnownGood: records.lastKnownGood?.version === segment.version,
  };
}

/**
 * An alert state keeps only its latest observation (a resolution names the
 * version that cured it), so the versions it was raised against are read
 * from the timeline: those serving while it was open.
 */
export function alertOf(
  a: AlertState,
  from: string,
  to: string,
  segments: readonly ServingSegment[],
  now: string,
): TraceAlert {
  const endedBefore = a.status === 'resolved' && a.resolvedAt !== undefined && a.resolvedAt < from;
  const closed = a.status === 'resolved' ? (a.resolvedAt ?? a.lastSeenAt) : now;
  const open = segments.filter(
    (s) => s.from <= closed && (s.until === undefined || s.until >= a.firstSeenAt),
  );
  return {
    fingerprint: a.fingerprint,
    kind: a.kind,
    severity: a.severity,
    status: a.status,
    firstSeenAt: a.firstSeenAt,
    lastSeenAt: a.lastSeenAt,
    ...(a.resolvedAt !== undefined ? { resolvedAt: a.resolvedAt } : {}),
    ...(a.lastAlert.modelVersion !== undefined ? { modelVersion: a.lastAlert.modelVersion } : {}),
    summary: a.lastAlert.summary,
    correlationId: a.lastAlert.correlationId,
    inForce: a.firstSeenAt < to && !endedBefore,
    servingWhileOpen: [...new Set(open.map((s) => s.version))],
  };
}

/** The runs that touched the book in [from, to): health checks, rollbacks, validations, alerts. */
export function runsOf(
  isbn: string,
  records: BookRecords,
  reports: readonly HealthReport[],
  from: string,
  to: string,
) {
  const runs: TraceRun[] = [];
  for (const r of reports) {
    const model = r.models.find((m) => m.isbn === isbn);
    const alerts = r.alerts.filter((a) => a.isbn === isbn);
    if (!model && alerts.length === 0) continue;
    const scored = model
      ? `v${model.version} ${model.status}, RMSE ${model.rmse.toFixed(1)}, MAPE ${model.mape.toFixed(1)} %`
      : 'not scored';
    const raised = alerts.length > 0 ? `; raised ${alerts.map((a) => a.kind).join(', ')}` : '';
    runs.push({
      kind: 'health-check',
      id: r.runId,
      at: r.startedAt,
      correlationId: r.correlationId,
      detail: `${r.trigger}: ${scored}${raised}`,
    });
  }
  for (const r of records.rollbacks.filter((x) => within(x.at, from, to))) {
    const correlationId = records.runs.get(r.rollbackId)?.correlationId;
    runs.push({
      kind: 'rollback',
      id: r.rollbackId,
      at: r.at,
      ...(correlationId !== undefined ? { correlationId } : {}),
      detail: `v${r.from ?? '-'} → v${r.to ?? '-'} ${r.status}, by ${String(r.requestedBy)}: ${r.reason}`,
    });
  }
  for (const v of records.validations.filter((x) => within(x.startedAt, from, to))) {
    runs.push({
      kind: 'validation',
      id: v.reportId,
      at: v.startedAt,
      correlationId: v.correlationId,
      detail: `v${v.version} ${v.passed ? 'passed' : 'failed'}`,
    });
  }
  for (const a of records.alerts.filter(
    (x) => within(x.lastSeenAt, from, to) || within(x.firstSeenAt, from, to),
  )) {
    runs.push({
      kind: 'alert',
      id: a.fingerprint,
      at: a.lastSeenAt,
      correlationId: a.lastAlert.correlationId,
      detail: `${a.kind} ${a.severity} ${a.status}`,
    });
  }
  return runs.sort((a, b) => a.at.localeCompare(b.at));
}

/** The query for one correlation id, with a Logs Explorer link and the gcloud line. */
export function logQuery(
  correlationId: string,
  settings: Pick<TraceSettings, 'services' | 'projectId'>,
  range?: { from: string; to: string },
): TraceLogs {
  const query = cloudLoggingFilter({ correlationId, services: settings.services, ...(range ?? {}) });
  const project = settings.projectId ?? '$PROJECT';
  return {
    correlationId,
    query,
    explorerUrl: logsExplorerUrl(query, settings.projectId),
    gcloud: `gcloud logging read '${query.replaceAll('\n', ' ')}' --project=${project} --bucket=forecast-guard --location=global --view=_AllLogs --order=asc --format='table(timestamp, labels.component, severity, jsonPayload.message)'`,
  };
}
