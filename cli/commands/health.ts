/**
 * `health run [--isbn X]...`: one health check now, the same service the
 * hourly function runs. Alerts go to `alerts` and the report is written, as
 * for a scheduled run. Exit 0 when nothing fires, 1 when alerts fire, 2 for
 * bad input (an invalid ISBN, more than MAX_ISBNS_PER_REQUEST of them, a book with no endpoint), 3 when the backend
 * cannot be opened. A registry that does not answer is a firing alert (1),
 * not an unreachable backend: the check itself ran and found it.
 */
import { newCorrelationId } from '../../shared/logging/correlation';
import { randomIds } from '../../shared/ports/clock';
import { runHealthCheck, type HealthCheckResult } from '../../shared/services/health-check';
import { healthCheckSettings } from '../../shared/wiring/health-check';
import { vertexQuotaDetail } from '../../shared/adapters/gcp/vertex-quota';
import { withBackend } from '../backend';
import { startActivityLine } from '../progress';
import type { Command, CommandContext } from '../command';
import { EXIT } from '../exit-codes';
import { FLAGS } from '../flag-table';
import { cliLogger } from '../logger';
import { helpOf } from './help-table';

/** Books listed one per row when the run checked at most this many; beyond, only those with something to say. */
const LIST_ALL_UP_TO = 50;

/** The `--json` document: what README's Operator CLI promises, plus the resolutions and the report's status. */
export function healthRunDocument(result: HealthCheckResult) {
  const firing = result.alerts.filter((a) => a.status === 'firing');
  const resolved = result.alerts.filter((a) => a.status === 'resolved');
  const ref = (a: (typeof result.alerts)[number]) => ({
    kind: a.kind,
    severity: a.severity,
    ...(a.isbn ? { isbn: a.isbn } : {}),
    ...(a.modelVersion ? { modelVersion: a.modelVersion } : {}),
    summary: a.summary,
  });
  return {
    status: result.status,
    runId: result.runId,
    durationMs: result.durationMs,
    duplicate: result.duplicate,
    registry: result.report.registry,
    models: result.models,
    alerts: firing.map(ref),
    resolved: resolved.map(ref),
  };
}

export const healthRunCommand: Command = {
  ...helpOf('health run'),
  async run(ctx) {
    // None: the whole fleet.
    const listed = ctx.flag(FLAGS.healthIsbns);
    const isbns = listed.length > 0 ? listed : undefined;
    // A fleet-wide check on Vertex paces itself by the quota: show its counters and ETA meanwhile.
    const activity = startActivityLine(ctx.interactive && !isbns, () => vertexQuotaDetail(0, 0));
    const result = await withBackend(ctx, (backend) => {
      const logger = cliLogger(ctx.out, backend.config, 'health-cli');
      return runHealthCheck(
        {
          runId: randomIds.next('hc-manual'),
          trigger: 'manual',
          ...(isbns ? { isbns } : {}),
          correlationId: newCorrelationId(randomIds),
        },
        { ...backend, logger },
        healthCheckSettings(backend.config),
      );
    }).finally(() => activity.stop());
    const doc = healthRunDocument(result);
    print(ctx, doc);
    ctx.out.result(doc);
    return doc.alerts.length > 0 ? EXIT.problem : EXIT.ok;
  },
};

function print(ctx: CommandContext, doc: ReturnType<typeof healthRunDocument>): void {
  const registry = doc.registry.ok
    ? `registry ok (${doc.registry.latencyMs.toFixed(1)} ms)`
    : `registry UNREACHABLE: ${doc.registry.error ?? ''}`;
  ctx.out.line(
    `health ${doc.status}: ${doc.models.length} book(s), ${doc.alerts.length} firing, ${doc.resolved.length} resolved; ${registry}; ${doc.durationMs} ms (run ${doc.runId})`,
  );
  const listed =
    doc.models.length <= LIST_ALL_UP_TO
      ? doc.models
      : doc.models.filter((m) => m.status !== 'healthy' || m.notes.length > 0);
  if (listed.length > 0) {
    ctx.out.line();
    ctx.out.table(
      listed.map((m) => ({
        isbn: m.isbn,
        version: m.version,
        status: m.status,
        rmse: m.rmse,
        baseline_rmse: m.baselineRmse,
        mape: m.mape === undefined ? undefined : `${m.mape.toFixed(1)}%`,
        baseline_mape: m.baselineMape === undefined ? undefined : `${m.baselineMape.toFixed(1)}%`,
        canary_ms: m.canaryLatencyMs,
        notes: m.notes.join('; ') || '',
      })),
    );
  }
  for (const [title, alerts] of [
    ['firing', doc.alerts],
    ['resolved', doc.resolved],
  ] as const) {
    if (alerts.length === 0) continue;
    ctx.out.line();
    ctx.out.line(`${title}:`);
    ctx.out.table(
      alerts.map((a) => ({ severity: a.severity, kind: a.kind, isbn: a.isbn, summary: a.summary })),
    );
  }
}
