/**
 * The checks that are not about one model's accuracy: registry reachable,
 * training pipeline healthy and recent, actual sales fresh, endpoint
 * answering. Pure: the observations come in, findings go out.
 */
import type { PipelineRun, PredictResponse, RegistryPing } from '../../contracts/model';
import { isoDateToMs } from '../series/weeks';
import type { Finding } from './findings';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** `registry_unreachable` (critical, fleet-level) when the ping failed: every per-book accuracy check needs the registry. */
export function registryFinding(ping: RegistryPing): Finding | undefined {
  if (ping.ok) return undefined;
  return {
    kind: 'registry_unreachable',
    severity: 'critical',
    summary: `Model registry unreachable (${ping.detail ?? 'no detail'}); per-book accuracy and drift checks were skipped`,
    details: { latencyMs: Math.round(ping.latencyMs), error: ping.detail ?? null },
  };
}

const TERMINAL = new Set(['PIPELINE_STATE_SUCCEEDED', 'PIPELINE_STATE_FAILED', 'PIPELINE_STATE_CANCELLED']);

/** When a run happened: its end, else its start. */
function runTime(run: PipelineRun): number | undefined {
  const at = run.endTime ?? run.startTime;
  return at === undefined ? undefined : Date.parse(at);
}

/**
 * Training pipeline status from its recent runs (most recent first, as
 * PipelineMonitor.listRuns gives them):
 * - `pipeline_failed` (critical): the latest finished run of a pipeline
 *   failed or was cancelled. The pipeline-events function alerts on the
 *   event itself; this catches an event that never arrived. A run still in
 *   progress neither raises nor clears it.
 * - `pipeline_stale` (warning): no run succeeded within `staleAfterMs` of
 *   `now` (training is weekly; no run at all counts as stale).
 */
export function pipelineFindings(runs: readonly PipelineRun[], now: Date, staleAfterMs: number): Finding[] {
  const findings: Finding[] = [];
  const latestFinished = new Map<string, PipelineRun>();
  for (const run of runs) {
    if (TERMINAL.has(run.state) && !latestFinished.has(run.pipelineName))
      latestFinished.set(run.pipelineName, run);
  }
  const failed = [...latestFinished.values()].filter((r) => r.state !== 'PIPELINE_STATE_SUCCEEDED');
  if (failed.length > 0) {
    const first = failed[0]!;
    const verb = first.state === 'PIPELINE_STATE_CANCELLED' ? 'was cancelled' : 'failed';
    findings.push({
      kind: 'pipeline_failed',
      severity: 'critical',
      summary: `Latest run of training pipeline ${first.pipelineName} ${verb} (job ${first.id})${failed.length > 1 ? ` and ${failed.length - 1} more pipeline(s)` : ''}`,
      details: {
        runs: failed.map((r) => ({
          pipelineJobId: r.id,
          pipelineName: r.pipelineName,
          state: r.state,
          endTime: r.endTime ?? null,
          ...(r.error ? { error: r.error } : {}),
        })),
      },
    });
  }
  const lastSuccess = runs.find((r) => r.state === 'PIPELINE_STATE_SUCCEEDED' && runTime(r) !== undefined);
  const successAt = lastSuccess ? runTime(lastSuccess)! : undefined;
  const ageMs = successAt === undefined ? undefined : now.getTime() - successAt;
  if (ageMs === undefined || ageMs > staleAfterMs) {
    const age = ageMs === undefined ? undefined : ageMs / DAY_MS;
    findings.push({
      kind: 'pipeline_stale',
      severity: 'warning',
      summary:
        runs.length === 0
          ? `No training run recorded (expected a successful one within ${staleAfterMs / DAY_MS} days)`
          : lastSuccess === undefined
            ? `No successful training run among the last ${runs.length} runs (expected one within ${staleAfterMs / DAY_MS} days)`
            : `No successful training run for ${age!.toFixed(1)} days (last: ${lastSuccess.id}; expected one within ${staleAfterMs / DAY_MS} days)`,
      details: {
        lastSuccessfulRun: lastSuccess?.id ?? null,
        lastSuccessAt: successAt === undefined ? null : new Date(successAt).toISOString(),
        ageDays: age === undefined ? null : Math.round(age * 100) / 100,
        staleAfterMs,
        runsLooked: runs.length,
      },
    });
  }
  return findings;
}

/**
 * `data_stale` (warning, fleet-level) when the newest actual week is older
 * than `freshnessWeeks`: a week ending Saturday is complete at the end of
 * that day, and stale once more than `freshnessWeeks` × 7 days have passed
 * since (exactly that long is still fresh). No actuals at all is stale too.
 */
export function freshnessFinding(
  latestWeek: string | undefined,
  now: Date,
  freshnessWeeks: number,
): Finding | undefined {
  if (latestWeek === undefined) {
    return {
      kind: 'data_stale',
      severity: 'warning',
      summary: 'No actual sales found for the books checked',
      details: { latestWeek: null, freshnessWeeks },
    };
  }
  const closedAt = isoDateToMs(latestWeek) + DAY_MS;
  const ageMs = now.getTime() - closedAt;
  if (ageMs <= freshnessWeeks * WEEK_MS) return undefined;
  const ageWeeks = ageMs / WEEK_MS;
  return {
    kind: 'data_stale',
    severity: 'warning',
    summary: `Actual sales are stale: the newest week ends ${latestWeek}, ${ageWeeks.toFixed(1)} weeks ago (limit ${freshnessWeeks})`,
    details: { latestWeek, ageWeeks: Math.round(ageWeeks * 100) / 100, freshnessWeeks },
  };
}

/**
 * What is wrong with a canary answer, or undefined when it is well formed:
 * one prediction, answered by the version asked for, `steps` weeks of
 * finite numbers with their week dates.
 */
export function canaryProblem(
  response: PredictResponse,
  expected: { version: string; steps: number },
): string | undefined {
  const predictions = (response as { predictions?: unknown }).predictions;
  if (!Array.isArray(predictions) || predictions.length !== 1) {
    return `expected 1 prediction, got ${Array.isArray(predictions) ? predictions.length : 'none'}`;
  }
  const p = predictions[0] as Partial<PredictResponse['predictions'][number]>;
  if (response.modelVersionId !== expected.version || p.model_version !== expected.version) {
    const other = response.modelVersionId !== expected.version ? response.modelVersionId : p.model_version;
    return `answered by version ${String(other)}, not the pinned ${expected.version}`;
  }
  if (!Array.isArray(p.forecast) || p.forecast.length !== expected.steps) {
    return `forecast has ${Array.isArray(p.forecast) ? p.forecast.length : 'no'} values, expected ${expected.steps}`;
  }
  if (!Array.isArray(p.weeks) || p.weeks.length !== expected.steps) {
    return `weeks has ${Array.isArray(p.weeks) ? p.weeks.length : 'no'} dates, expected ${expected.steps}`;
  }
  const bad = p.forecast.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad >= 0) return `forecast[${bad}] is ${String(p.forecast[bad])}, not a finite number`;
  return undefined;
}

/** `endpoint_unhealthy` (critical) for a canary that failed or answered malformed. */
export function endpointFinding(
  isbn: string,
  version: string | undefined,
  problem: string,
  latencyMs: number,
): Finding {
  return {
    kind: 'endpoint_unhealthy',
    severity: 'critical',
    isbn,
    ...(version === undefined ? {} : { modelVersion: version }),
    summary: `Endpoint of ${isbn}${version === undefined ? '' : ` (v${version})`} failed its canary prediction: ${problem}`,
    details: { problem, latencyMs: Math.round(latencyMs * 10) / 10 },
  };
}
