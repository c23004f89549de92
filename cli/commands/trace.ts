/**
 * `trace --isbn X [--week YYYY-MM-DD | --correlation-id C]`: one book's
 * forecast traced back through the pipeline (docs/trace.md): the version
 * that served that week and since when, the deploy or rollback that put it
 * there and who, its pipeline run, training window and data hash, its
 * validation report, the alerts on it, the runs that touched the book, and
 * the Cloud Logging query per correlation id. With --correlation-id, the log
 * lines of that run too: from Cloud Logging on Google Cloud, from the local
 * stack's JSON logs on this machine.
 */
import { traceBook, type TraceReport } from '../../shared/services/trace';
import { traceLogReader, traceSettings } from '../../shared/wiring/trace';
import { configFrom, withBackend } from '../backend';
import type { Command } from '../command';
import type { Output } from '../output';
import { EXIT } from '../exit-codes';
import { FLAGS } from '../flag-table';
import { required } from '../flags';
import { helpOf } from './help-table';

function printVersion(out: Output, report: TraceReport): void {
  const v = report.version;
  out.line(`== version (served most of the week ${report.week.week}) ==`);
  if (!v) return out.line('unknown: nothing recorded which version served then');
  const since = v.sinceExact
    ? `since ${v.since}`
    : `seen serving ${v.since}${v.changedAfter ? `, changed after ${v.changedAfter}` : ''}`;
  out.line(
    `v${v.version}, ${since}${v.lastKnownGood ? ' (last-known-good)' : ''}${v.quarantined ? `, QUARANTINED: ${v.quarantined.reason}` : ''}`,
  );
  const c = v.cause;
  if (c) {
    out.line(
      `put there by: ${c.via} at ${c.at}${c.by ? ` by ${c.by}` : ''}${c.verifiedCaller ? ` (verified ${c.verifiedCaller})` : ''}${c.reason ? `: ${c.reason}` : ''}`,
    );
    for (const a of c.approvals ?? [])
      out.line(`  approved by ${a.approvedBy} at ${a.approvedAt}: ${a.reason}`);
  }
  out.line(
    `pipeline run: ${v.pipelineRunId ?? '-'}${v.pipelineRun ? ` (${v.pipelineRun.state}, ${v.pipelineRun.startTime ?? '?'} → ${v.pipelineRun.endTime ?? '?'})` : ''}`,
  );
  if (v.trainingWindow) {
    out.line(
      `training window: ${v.trainingWindow.start} (from ${v.trainingWindow.startFrom}) to ${v.trainingWindow.trainedThrough}`,
    );
  }
  out.line(`data hash: ${v.dataHash ?? '-'}`);
  if (v.metrics) out.line(`holdout: RMSE ${v.metrics.rmse.toFixed(2)}, MAPE ${v.metrics.mape.toFixed(2)} %`);
}

function printLogs(out: Output, report: TraceReport): void {
  out.line('== Cloud Logging queries (https://cloud.google.com/logging/docs/view/logging-query-language) ==');
  for (const q of report.logs.queries) {
    out.line(`-- ${q.correlationId}`);
    out.line(q.query);
  }
  const read = report.logs.read;
  if (!read) return;
  out.line(`== log lines of ${read.correlationId} (${read.searched}) ==`);
  out.table(
    read.lines.map((l) => ({ time: l.at, component: l.component, severity: l.severity, message: l.message })),
  );
  if (read.truncated) out.line('(more lines matched; showing the oldest)');
}

function printReport(out: Output, report: TraceReport): void {
  out.line(`trace ${report.isbn}, week ${report.week.week} (${report.week.from} to ${report.week.to})`);
  printVersion(out, report);
  out.line('== served that week ==');
  out.table(
    report.forecast.segments.map((s) => ({
      version: s.version,
      from: s.from,
      until: s.until,
      exact: s.fromExact,
      changedAfter: s.changedAfter,
      hours: s.servedHours,
    })),
  );
  out.line('== validation report ==');
  const val = report.validation;
  out.line(
    val
      ? `${val.reportId}: ${val.passed ? 'passed' : 'FAILED'} at ${val.startedAt}, ${val.predictions} predictions${val.failed.length ? `; ${val.failed.join('; ')}` : ''}`
      : 'none for this version',
  );
  out.line('== alerts on the book ==');
  out.table(
    report.alerts.map((a) => ({
      kind: a.kind,
      severity: a.severity,
      status: a.status,
      inForce: a.inForce,
      version: a.modelVersion,
      since: a.firstSeenAt,
      correlationId: a.correlationId,
    })),
  );
  out.line('== runs that touched it ==');
  out.table(
    report.runs.map((r) => ({ at: r.at, kind: r.kind, correlationId: r.correlationId, detail: r.detail })),
  );
  printLogs(out, report);
  for (const note of report.notes) out.line(`note: ${note}`);
}

export const traceCommand: Command = {
  ...helpOf('trace'),
  async run(ctx) {
    const config = configFrom(ctx);
    const isbn = required(ctx.flag(FLAGS.isbn), FLAGS.isbn);
    const week = ctx.flag(FLAGS.week);
    const correlationId = ctx.flag(FLAGS.correlationId);
    const report = await withBackend(ctx, (backend) =>
      traceBook(
        {
          isbn,
          ...(week !== undefined ? { week } : {}),
          ...(correlationId !== undefined ? { correlationId } : {}),
        },
        { ...backend, logs: traceLogReader(config) },
        traceSettings(config),
      ),
    );
    printReport(ctx.out, report);
    ctx.out.result(report);
    return EXIT.ok;
  },
};
