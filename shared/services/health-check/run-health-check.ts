/**
 * The health-check use case, behind both the `health-check` function and
 * `forecast-guard health run`. One run:
 *
 * 1. registry ping (`registry_unreachable`, critical; without the registry
 *    only the endpoint canaries run per book);
 * 2. pipeline status from the recent runs (`pipeline_failed`,
 *    `pipeline_stale`), and the scheduler's own jobs
 *    (`scheduler_unhealthy`, schedule-check.ts);
 * 3. every served book, in slices of `sliceSize` books (each slice finished
 *    before the next is read, so a run holds the actuals, versions and
 *    predictions of one slice at most, and of only `concurrency` books at
 *    once), each book reduced to its figures and findings (ModelOutcome: no
 *    series, no forecast) before the next slice: canary prediction
 *    (`endpoint_unhealthy`), live accuracy against the thresholds and the
 *    version's baseline (`rmse_above_threshold`, `mape_above_threshold`,
 *    `rmse_spike`, `mape_increase`, `performance_degradation`), drift
 *    (`data_drift`); then, per book whose figures changed, the metric-anomaly
 *    step over its MetricPoints (`metric_anomaly`, anomaly-check.ts);
 * 4. data freshness over the newest actual week (`data_stale`), on
 *    whole-fleet runs only: a run scoped to one out-of-print book must not
 *    call the whole feed stale;
 * 5. resolution against the previous report: a condition that fired then,
 *    was checked now and no longer fires is published as `resolved`;
 * 6. every firing and resolved alert published to `alerts` with the run's
 *    `runId` and the correlation id in attributes;
 * 7. one MetricPoint per scored book, folded into its weekly rollup
 *    (metric-points.ts: the trend series); then the report written under
 *    `runId`.
 *
 * Idempotent by `runId` (derived from the Pub/Sub message id): a run whose
 * report exists returns it and publishes nothing. A crash after publishing
 * and before the report is written means the retry publishes again; the
 * alerts are identical and alert-dispatch de-duplicates by fingerprint.
 */
import type { HealthReport, ModelHealth } from '../../contracts/documents/health-report';
import type { Alert } from '../../contracts/messages/alert';
import type { HealthCheckTrigger, HealthStatus } from '../../contracts/primitives';
import type { ServingState } from '../../contracts/model';
import { freshnessFinding } from '../../domain/health/fleet-findings';
import {
  findingKey,
  planResolutions,
  statusOf,
  type AlertRef,
  type Finding,
} from '../../domain/health/findings';
import { NotFoundError } from '../../errors';
import { anomalyCheck } from './anomaly-check';
import type { ModelOutcome } from './check-model';
import type { HealthCheckDeps } from './deps';
import { pingRegistry, pipelineCheck, registryCheck, type FleetCheck } from './fleet-checks';
import { publishAlerts } from './publish';
import { scheduleCheck } from './schedule-check';
import { writeMetricPoints } from './metric-points';
import { countStatuses, fitReportToBudget, readPreviousReport, readReport, writeReport } from './report';
import type { HealthCheckSettings } from './settings';
import { checkInSlices, sliceSizeOf } from './slices';

/** What to check and under which names: the request, as the function or the CLI received it. */
export interface HealthCheckRun {
  /** Document id of the report; the same request must get the same id (see `runIdForMessage`). */
  runId: string;
  trigger: HealthCheckTrigger;
  /** Books to check; absent checks every served book. */
  isbns?: string[];
  /** With `isbns`: skip the books that have no endpoint instead of refusing the run (a sales drop names them all). */
  onlyServed?: boolean;
  correlationId: string;
}

/** One book in the result: its figures when measured, and why a check was skipped. */
export interface ModelResult {
  isbn: string;
  version?: string;
  status: HealthStatus;
  rmse?: number;
  mape?: number;
  smape?: number;
  mase?: number;
  bias?: number;
  psi?: number;
  baselineRmse?: number;
  baselineMape?: number;
  canaryLatencyMs?: number;
  notes: string[];
}

/** What a run found and did: per-book results, the alerts it published, the report it wrote. */
export interface HealthCheckResult {
  runId: string;
  /** What this run saw (its own firing alerts); the report's status also counts carried-over ones. */
  status: HealthStatus;
  durationMs: number;
  /** True when this runId had already completed: nothing was checked or published again. */
  duplicate: boolean;
  models: ModelResult[];
  /** Alerts this run published: firing, then resolved. */
  alerts: Alert[];
  report: HealthReport;
}

/** The runId of the run a Pub/Sub message asks for: a redelivery or a retry after a crash reuses it. */
export function runIdForMessage(messageId: string): string {
  return `hc-${messageId}`.replaceAll('/', '_').slice(0, 200);
}

/** Runs one health check (see the file comment); throws NotFoundError when a requested book has no endpoint. */
export async function runHealthCheck(
  run: HealthCheckRun,
  deps: HealthCheckDeps,
  settings: HealthCheckSettings,
): Promise<HealthCheckResult> {
  const log = deps.logger.child({ runId: run.runId, correlationId: run.correlationId });
  const monotonic = deps.monotonic ?? (() => performance.now());
  const began = monotonic();
  const startedAt = deps.clock.now();

  const existing = await readReport(deps.state, run.runId);
  if (existing) {
    log.info('health check already completed for this request; nothing checked or published again');
    return {
      runId: run.runId,
      status: existing.status,
      durationMs: existing.durationMs,
      duplicate: true,
      models: existing.models.map((m) => ({ ...m, notes: [] })),
      alerts: [],
      report: existing,
    };
  }

  const step = async <T>(name: string, fn: () => Promise<T>, fields?: (t: T) => Record<string, unknown>) => {
    const timer = log.startTimer(`health check: ${name}`);
    try {
      const value = await fn();
      timer.end(fields?.(value));
      return value;
    } catch (err) {
      timer.fail(err);
      throw err;
    }
  };

  // Bad scope (a book with no endpoint) is the caller's input error: thrown before any step is timed or logged.
  const targets = await servedBooks(run.isbns, run.onlyServed === true, deps, log);
  const ping = await step(
    'registry ping',
    () => pingRegistry(deps),
    (p) => ({ ...p }),
  );
  const fleet: FleetCheck[] = [registryCheck(ping)];
  fleet.push(await step('pipeline status', () => pipelineCheck(deps, settings)));
  fleet.push(await step('schedules', () => scheduleCheck(deps, settings)));

  const sliceSize = sliceSizeOf(settings);
  const outcomes = await step(
    'models',
    () => checkInSlices(targets, ping.ok, deps, settings),
    () => ({
      books: targets.length,
      concurrency: settings.concurrency,
      sliceSize,
      slices: Math.ceil(targets.length / sliceSize),
    }),
  );

  if (run.isbns === undefined && outcomes.length > 0) fleet.push(freshnessCheck(outcomes, deps, settings));

  const firing: Finding[] = [...fleet.flatMap((c) => c.findings), ...outcomes.flatMap((o) => o.findings)];
  const evaluated = new Set<string>([
    ...fleet.flatMap((c) => c.evaluated),
    ...outcomes.flatMap((o) => o.evaluated),
  ]);
  const previous = await step('previous report', () => readPreviousReport(deps.state, run.runId, log));
  const anomalies = await step(
    'metric anomalies',
    () => anomalyCheck(outcomes, previous, run.runId, deps, settings.anomaly),
    (a) => ({ judged: a.evaluated.length, firing: a.findings.length, notes: a.notes.slice(0, 10) }),
  );
  firing.push(...anomalies.findings);
  for (const key of anomalies.evaluated) evaluated.add(key);
  if (run.isbns === undefined) {
    // A book no longer served cannot fire any more: a whole-fleet run resolves what it left behind.
    const served = new Set(targets.map((t) => t.isbn));
    for (const ref of previous?.alerts ?? [])
      if (ref.isbn && !served.has(ref.isbn)) evaluated.add(findingKey(ref));
  }
  const plan = planResolutions(previous?.alerts ?? [], firing, evaluated, {
    previousRunId: previous?.runId ?? '',
    modelVersions: new Map(outcomes.filter((o) => o.version).map((o) => [o.isbn, o.version!])),
  });

  const observedAt = deps.clock.now().toISOString();
  const alerts = await step(
    'publish',
    () =>
      publishAlerts(
        firing,
        plan.resolved,
        { observedAt, runId: run.runId, correlationId: run.correlationId },
        deps,
        settings,
      ),
    (a) => ({ firing: firing.length, resolved: plan.resolved.length, published: a.length }),
  );

  const refs: AlertRef[] = [...firing.map(refOf), ...plan.carried];
  const health = outcomes.map((o) => o.health).filter((h): h is ModelHealth => h !== undefined);
  const fitted = fitReportToBudget(refs, health, settings.reportBudgetBytes);
  if (fitted.omittedAlerts + fitted.omittedModels > 0) {
    log.warning('report trimmed to fit one document', {
      omittedModels: fitted.omittedModels,
      omittedAlerts: fitted.omittedAlerts,
    });
  }
  const finishedAt = deps.clock.now().toISOString();
  await step(
    'metric points',
    () => writeMetricPoints(outcomes, { runId: run.runId, at: finishedAt }, deps, settings.metricRetention),
    (w) => ({ ...w }),
  );
  const durationMs = Math.round(monotonic() - began);
  const draft: HealthReport = {
    runId: run.runId,
    trigger: run.trigger,
    startedAt: startedAt.toISOString(),
    finishedAt,
    durationMs,
    status: statusOf(refs),
    registry: {
      ok: ping.ok,
      latencyMs: Math.round(ping.latencyMs * 1000) / 1000,
      ...(ping.ok || !ping.detail ? {} : { error: ping.detail }),
    },
    models: fitted.models,
    alerts: fitted.alerts,
    correlationId: run.correlationId,
    scope: run.isbns === undefined ? 'fleet' : 'books',
    // Every book judged: a book with nothing deployed is not; one whose versions all have 0 % traffic is (unhealthy).
    counts: countStatuses(outcomes.filter((o) => o.version !== undefined || o.status !== 'healthy')),
  };
  const report = await step('report write', () => writeReport(deps.state, draft));

  const status = statusOf(firing);
  const notes = fleet.map((c) => c.note).filter((n): n is string => n !== undefined);
  log.info(
    `health check ${status}: ${targets.length} books, ${firing.length} firing, ${plan.resolved.length} resolved`,
    {
      durationMs,
      status,
      books: targets.length,
      firing: firing.length,
      resolved: plan.resolved.length,
      carried: plan.carried.length,
      ...(notes.length ? { notes } : {}),
    },
  );
  return {
    runId: run.runId,
    status,
    durationMs,
    duplicate: false,
    models: outcomes.map(toModelResult),
    alerts,
    report,
  };
}

/** The books in scope: every served book, or the ones asked for (each must have an endpoint). */
async function servedBooks(
  isbns: string[] | undefined,
  onlyServed: boolean,
  deps: HealthCheckDeps,
  log: HealthCheckDeps['logger'],
): Promise<ServingState[]> {
  if (isbns === undefined) return deps.serving.listServing();
  const unique = [...new Set(isbns)];
  const states = await Promise.all(unique.map((isbn) => deps.serving.getServing(isbn)));
  const missing = unique.filter((_, i) => states[i] === undefined);
  if (missing.length > 0 && onlyServed) {
    log.info(`${missing.length} of ${unique.length} requested books have no endpoint; skipped`, {
      skipped: missing.length,
      sample: missing.slice(0, 10),
    });
    return states.filter((s): s is ServingState => s !== undefined);
  }
  if (missing.length > 0) {
    throw new NotFoundError(
      `isbns: ${missing.join(', ')} ${missing.length === 1 ? 'has' : 'have'} no endpoint (nothing deployed), so there is nothing to check`,
    );
  }
  return states as ServingState[];
}

function freshnessCheck(
  outcomes: readonly ModelOutcome[],
  deps: HealthCheckDeps,
  settings: HealthCheckSettings,
): FleetCheck {
  let latest: string | undefined;
  for (const o of outcomes) {
    if (o.latestActualWeek !== undefined && (latest === undefined || o.latestActualWeek > latest))
      latest = o.latestActualWeek;
  }
  const finding = freshnessFinding(latest, deps.clock.now(), settings.dataFreshnessWeeks);
  return { findings: finding ? [finding] : [], evaluated: [findingKey({ kind: 'data_stale' })] };
}

function refOf(f: Finding): AlertRef {
  return { kind: f.kind, severity: f.severity, ...(f.isbn ? { isbn: f.isbn } : {}) };
}

function toModelResult(o: ModelOutcome): ModelResult {
  const h = o.health;
  return {
    isbn: o.isbn,
    ...(o.version ? { version: o.version } : {}),
    status: o.status,
    ...(h
      ? {
          rmse: h.rmse,
          mape: h.mape,
          smape: h.smape,
          ...(h.mase === undefined ? {} : { mase: h.mase }),
          baselineRmse: h.baselineRmse,
          baselineMape: h.baselineMape,
        }
      : {}),
    ...(o.canaryLatencyMs === undefined ? {} : { canaryLatencyMs: o.canaryLatencyMs }),
    ...(o.bias === undefined ? {} : { bias: o.bias }),
    ...(o.psi === undefined ? {} : { psi: o.psi }),
    notes: o.notes,
  };
}
