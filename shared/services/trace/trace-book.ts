/**
 * `traceBook`: one book's forecast traced back through the pipeline, for a
 * week or for the run a correlation id names: the version that served, since
 * when, the deploy or rollback that put it there and who, its pipeline run,
 * training window and data hash, its validation report, the alerts on it,
 * the runs that touched it, and the Cloud Logging query for each correlation
 * id (with the lines of the one asked about).
 */
import type { HealthReport } from '../../contracts/documents/health-report';
import { parseIsbn13 } from '../../domain/isbn';
import {
  endpointFact,
  healthFacts,
  historyFacts,
  lastKnownGoodFact,
  rollbackFacts,
} from '../../domain/trace/facts';
import {
  servedDuring,
  servingAt,
  servingTimeline,
  type ServingSegment,
} from '../../domain/trace/serving-timeline';
import { isoWeekOf, type TraceWeek } from '../../domain/trace/week';
import { NotFoundError, ValidationError } from '../../errors';
import { gatherBook, healthReportsBetween, recordsOfCorrelation, type BookRecords } from './gather';
import { alertOf, logQuery, runsOf, validationOf, versionOf } from './describe';
import type { TracePorts, TraceReport, TraceRequest, TraceSettings, TraceVersion } from './types';

const HOUR_MS = 3_600_000;

/** The pipeline run that registered the version, as the PipelineMonitor knows it. */
async function withPipelineRun(version: TraceVersion, ports: TracePorts): Promise<TraceVersion> {
  if (version.pipelineRunId === undefined) return version;
  const run = await ports.pipelines.getRun(version.pipelineRunId);
  if (!run) return version;
  const { id, pipelineName, state, startTime, endTime } = run;
  return {
    ...version,
    pipelineRun: {
      id,
      pipelineName,
      state,
      ...(startTime ? { startTime } : {}),
      ...(endTime ? { endTime } : {}),
    },
  };
}

/** When the run a correlation id names happened, and the version it saw for the book, from what carries the id. */
async function correlationMoment(isbn: string, correlationId: string, ports: TracePorts) {
  const found = await recordsOfCorrelation(ports.state, correlationId);
  const health = found.health.find((r) => r.models.some((m) => m.isbn === isbn)) ?? found.health[0];
  const validation = found.validations.find((v) => v.isbn === isbn) ?? found.validations[0];
  const rollback = found.rollbacks[0];
  // The time the run saw or left the book: a health check's scores are as of its end, a rollback's result too.
  const at = health?.finishedAt ?? rollback?.finishedAt ?? rollback?.createdAt ?? validation?.startedAt;
  if (at === undefined) {
    throw new NotFoundError(
      `correlation id ${correlationId}: no health-check report, rollback run or validation report carries it (reports expire; try --week)`,
    );
  }
  return { at, reports: found.health };
}

function facts(isbn: string, records: BookRecords, reports: readonly HealthReport[], now: string) {
  const correlationOf = (rollbackId: string) => records.runs.get(rollbackId)?.correlationId;
  return [
    ...historyFacts(isbn, records.history),
    ...rollbackFacts(records.rollbacks, correlationOf),
    ...lastKnownGoodFact(records.lastKnownGood),
    ...healthFacts(isbn, reports, records.points),
    ...endpointFact(records.serving, now),
  ];
}

/** Evidence shown per spell: the first and last few (an hourly check sights the version 168 times a week). */
const EVIDENCE_SHOWN = 3;

function timelineView(segments: readonly ServingSegment[]): TraceReport['timeline'] {
  const describe = (e: ServingSegment['evidence'][number]) => `${e.via} ${e.at} v${e.version} (${e.source})`;
  return segments.map(({ evidence, cause, ...s }) => ({
    ...s,
    ...(cause ? { cause: `${cause.via} ${cause.at}${cause.by ? ` by ${cause.by}` : ''}` } : {}),
    evidenceCount: evidence.length,
    evidence:
      evidence.length <= 2 * EVIDENCE_SHOWN
        ? evidence.map(describe)
        : [...evidence.slice(0, EVIDENCE_SHOWN), ...evidence.slice(-EVIDENCE_SHOWN)].map(describe),
  }));
}

/** What the records could not say, in words. */
function notesFor(
  report: Pick<TraceReport, 'version' | 'forecast' | 'logs'>,
  records: BookRecords,
): string[] {
  const notes: string[] = [];
  const v = report.version;
  if (!v) {
    notes.push(
      'no record says which version served in that week (records expire; the serving history keeps the last 20 changes)',
    );
  }
  if (v && !v.cause) {
    const lkg = records.lastKnownGood;
    const by =
      lkg?.version === v.version ? `; last-known-good set by ${String(lkg.setBy)} at ${lkg.validatedAt}` : '';
    notes.push(
      `no deploy or rollback recorded putting v${v.version} there: it changed outside forecast-guard (the console, a pipeline, demo degrade) ${v.changedAfter ? `after ${v.changedAfter} and ` : ''}by ${v.since}${by}`,
    );
  }
  for (const s of report.forecast.segments.filter((x) => !x.fromExact && x.from !== v?.since)) {
    notes.push(
      `v${s.version} served by ${s.from}${s.changedAfter ? ` (changed after ${s.changedAfter})` : ''}; no deploy or rollback recorded that change`,
    );
  }
  if (report.forecast.segments.length > 1) {
    notes.push(
      `${report.forecast.segments.length} serving spells in that week; the version is the one that served most of it`,
    );
  }
  const read = report.logs.read;
  if (read && read.lines.length === 0) {
    notes.push(
      `no log line carries ${read.correlationId} in ${read.searched}: on this machine only the local stack's functions write log files (a CLI command logs to its stderr); on Google Cloud, lines past the bucket's retention are gone`,
    );
  }
  return notes;
}

/** The week, the serving timeline and the spell the trace is about. */
async function locate(isbn: string, request: TraceRequest, ports: TracePorts, now: string) {
  const moment =
    request.correlationId !== undefined
      ? await correlationMoment(isbn, request.correlationId, ports)
      : undefined;
  const week: TraceWeek = isoWeekOf(request.week ?? moment?.at ?? now);
  const records = await gatherBook(isbn, ports);
  const reports = await healthReportsBetween(ports.state, week.from, week.to);
  const segments = servingTimeline(
    facts(isbn, records, reports, now),
    (version) => records.versions.find((v) => v.version === version)?.createdAt,
  );
  const during = servedDuring(segments, week.from, week.to, now);
  const focus = moment
    ? servingAt(segments, moment.at)
    : during.segments.filter((s) => s.version === during.version).pop();
  return {
    moment,
    week,
    records,
    reports: [...reports, ...(moment?.reports ?? [])],
    segments,
    during,
    focus,
  };
}

function forecastView(during: ReturnType<typeof servedDuring>): TraceReport['forecast'] {
  return {
    ...(during.version !== undefined ? { version: during.version } : {}),
    segments: during.segments.map((s) => ({
      version: s.version,
      from: s.from,
      ...(s.until ? { until: s.until } : {}),
      fromExact: s.fromExact,
      ...(s.changedAfter !== undefined ? { changedAfter: s.changedAfter } : {}),
      servedHours: Math.round((s.servedMs / HOUR_MS) * 10) / 10,
    })),
  };
}

export async function traceBook(
  request: TraceRequest,
  ports: TracePorts,
  settings: TraceSettings,
): Promise<TraceReport> {
  const isbn = parseIsbn13(request.isbn);
  if (request.week !== undefined && request.correlationId !== undefined) {
    throw new ValidationError('week: give --week or --correlation-id, not both', ['week', 'correlationId']);
  }
  const now = ports.clock.now().toISOString();
  const { moment, week, records, reports, segments, during, focus } = await locate(isbn, request, ports, now);
  const version = focus ? await withPipelineRun(versionOf(focus, records, settings), ports) : undefined;
  const validations = records.validations
    .filter((v) => v.version === version?.version)
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
    .map(validationOf);
  const runs = runsOf(isbn, records, reports, week.from, week.to);
  const cause = version?.cause;
  const ids = [
    ...(request.correlationId !== undefined ? [{ id: request.correlationId, at: moment?.at }] : []),
    ...(cause?.correlationId !== undefined ? [{ id: cause.correlationId, at: cause.at }] : []),
    ...runs.flatMap((r) => (r.correlationId !== undefined ? [{ id: r.correlationId, at: r.at }] : [])),
  ];
  const report = {
    isbn,
    asked: {
      ...(request.week !== undefined ? { week: request.week } : {}),
      ...(request.correlationId !== undefined ? { correlationId: request.correlationId } : {}),
    },
    week,
    forecast: forecastView(during),
    ...(version ? { version } : {}),
    ...(validations[0] ? { validation: validations[0] } : {}),
    validations,
    alerts: records.alerts
      .map((a) => alertOf(a, week.from, week.to, segments, now))
      .sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt)),
    runs,
    logs: await logsFor(ids, request.correlationId, ports, settings),
    timeline: timelineView(segments),
  };
  return { ...report, notes: notesFor(report, records) };
}

/** One query per correlation id (bounded in time where its run's time is known); the lines of the one asked about. */
async function logsFor(
  ids: ReadonlyArray<{ id: string; at: string | undefined }>,
  asked: string | undefined,
  ports: TracePorts,
  settings: TraceSettings,
): Promise<TraceReport['logs']> {
  const at = new Map<string, string | undefined>();
  for (const { id, at: t } of ids) if (!at.has(id)) at.set(id, t);
  const rangeOf = (id: string) => {
    const t = at.get(id);
    return settings.logsShareStateClock && t !== undefined ? rangeAround(t) : undefined;
  };
  const queries = [...at.keys()].map((id) => logQuery(id, settings, rangeOf(id)));
  if (asked === undefined) return { queries };
  const found = await ports.logs.search({
    correlationId: asked,
    limit: settings.logLimit,
    ...rangeOf(asked),
  });
  return { queries, read: { correlationId: asked, ...found } };
}

/** An hour before a run to two days after it: the alerts it raised are dispatched, digested and resolved in that time. */
function rangeAround(at: string): { from: string; to: string } {
  const t = Date.parse(at);
  return { from: new Date(t - HOUR_MS).toISOString(), to: new Date(t + 48 * HOUR_MS).toISOString() };
}
