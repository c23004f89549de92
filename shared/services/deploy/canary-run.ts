/**
 * A canary deployment: the candidate takes `percent` of the book's traffic
 * (a real split on a Vertex AI endpoint; on the embedded backend the serving
 * target routes each request by the split), simulated live traffic runs for
 * the bake period and is counted per answering version, then both versions
 * are scored on live accuracy — their forecasts against the actual sales
 * that have arrived for the weeks both forecast — and the candidate is
 * promoted or demoted automatically, with the A/B report that says why.
 */
import type { ModelVersion } from '../../contracts/model';
import { MAX_FORECAST_STEPS } from '../../contracts/model';
import { thresholdsFor } from '../../domain/thresholds';
import {
  canarySplit,
  decideCanary,
  liveAccuracy,
  type ArmFigures,
  type CanaryReport,
} from '../../domain/validation/canary';
import { forecastShiftCheck, type DatedForecast } from '../../domain/validation/accuracy';
import { describeError } from '../../errors';
import { withCorrelation } from '../../logging/correlation';
import type { CanaryRequest, DeployDeps, DeployRequest } from './deps';
import { switchTo } from './switch';

/** Weeks each simulated live request asks for. */
const LIVE_STEPS = 4;

export interface CanaryResult extends CanaryReport {
  /** Requests that failed without saying which version they reached. */
  unattributedErrors: number;
  bakeMs: number;
  /** The ModelDeployed message, when promoted. */
  messageId?: string;
}

export async function runCanary(
  isbn: string,
  baseline: ModelVersion,
  candidate: ModelVersion,
  canary: CanaryRequest,
  request: Pick<DeployRequest, 'deployedBy' | 'correlationId'>,
  deps: DeployDeps,
): Promise<CanaryResult> {
  const split = canarySplit(baseline.version, candidate.version, canary.percent);
  await deps.serving.setTraffic(isbn, split);
  const log = deps.logger.child({ correlationId: request.correlationId, isbn, canary: candidate.version });
  log.info(`canary: version ${candidate.version} takes ${canary.percent} % for ${canary.bakeMs} ms`);

  const arms = new Map<string, { requests: number; errors: number }>([
    [baseline.version, { requests: 0, errors: 0 }],
    [candidate.version, { requests: 0, errors: 0 }],
  ]);
  let unattributed = 0;
  const started = deps.clock.now().getTime();
  const tickMs = canary.tickMs ?? 100;
  const perTick = canary.requestsPerTick ?? 20;
  do {
    for (let i = 0; i < perTick; i++) {
      try {
        const res = await deps.serving.predict(isbn, [
          { steps: LIVE_STEPS, return_confidence_intervals: true },
        ]);
        const arm = arms.get(res.modelVersionId);
        if (!arm) continue;
        arm.requests++;
        const f = res.predictions[0]?.forecast ?? [];
        if (f.length !== LIVE_STEPS || f.some((v) => v === null || !Number.isFinite(v) || v < 0))
          arm.errors++;
      } catch (err) {
        unattributed++;
        log.debug(`canary request failed: ${describeError(err)}`);
      }
    }
    if (deps.clock.now().getTime() - started >= canary.bakeMs) break;
    await deps.clock.sleep(tickMs);
  } while (deps.clock.now().getTime() - started < canary.bakeMs);
  const bakeMs = deps.clock.now().getTime() - started;

  const series = await deps.sales.getSeries(isbn);
  const actuals = new Map((series?.points ?? []).map((p) => [p.weekEnding, p.volume]));
  const [a, b] = await Promise.all([
    forecastOf(isbn, baseline.version, deps),
    forecastOf(isbn, candidate.version, deps),
  ]);
  // Both are scored on the same weeks, so neither is judged on weeks the other never forecast.
  const shared = new Set((a?.weeks ?? []).filter((w) => (b?.weeks ?? []).includes(w) && actuals.has(w)));
  const onShared = new Map([...actuals].filter(([w]) => shared.has(w)));
  const arm = (v: ModelVersion, f: DatedForecast | undefined, percent: number): ArmFigures => {
    const counts = arms.get(v.version)!;
    const accuracy = f ? liveAccuracy(f, onShared) : undefined;
    return {
      version: v.version,
      trafficPercent: percent,
      requests: counts.requests,
      // A version that cannot answer a clean forecast of its own is an error however few live requests it saw.
      errors:
        counts.errors + (f && f.values.every((x) => x !== null && Number.isFinite(x) && x >= 0) ? 0 : 1),
      ...(accuracy ? { accuracy } : {}),
    };
  };
  const thresholds = thresholdsFor(deps.environment, isbn, deps.overrides);
  const report = decideCanary(
    arm(baseline, a, split[baseline.version]!),
    arm(candidate, b, split[candidate.version]!),
    thresholds.degradationMaxPct ?? 10,
    b && a ? forecastShiftCheck(b, a) : undefined,
  );
  const result: CanaryResult = { ...report, unattributedErrors: unattributed, bakeMs };
  if (unattributed > 0 && report.decision === 'promote') {
    result.decision = 'demote';
    result.reason = `${unattributed} live requests failed during the bake without saying which version they reached`;
  }

  if (result.decision === 'promote') {
    result.messageId = await switchTo(isbn, candidate.version, baseline.version, request, deps);
  } else {
    await deps.serving.setTraffic(isbn, { [baseline.version]: 100 });
    await deps.bus.publish('alerts', {
      data: {
        kind: 'deployment_failed',
        severity: 'warning',
        status: 'firing',
        isbn,
        modelVersion: candidate.version,
        summary: `canary of ISBN ${isbn} version ${candidate.version} was demoted: ${result.reason}`.slice(
          0,
          500,
        ),
        details: { baseline: result.baseline, canary: result.canary, bakeMs },
        source: 'deploy',
        observedAt: deps.clock.now().toISOString(),
        correlationId: request.correlationId,
        environment: deps.environment,
      },
      attributes: withCorrelation({ kind: 'deployment_failed', severity: 'warning' }, request.correlationId),
    });
  }
  log.info(`canary ${result.decision}d: ${result.reason}`);
  return result;
}

async function forecastOf(
  isbn: string,
  version: string,
  deps: DeployDeps,
): Promise<DatedForecast | undefined> {
  for (const steps of [MAX_FORECAST_STEPS, 52]) {
    try {
      const res = await deps.serving.predict(isbn, [{ steps }], { version });
      const p = res.predictions[0];
      if (p) return { version, weeks: p.weeks, values: p.forecast };
    } catch {
      // Try the shorter horizon; a version that answers neither has no forecast to score.
    }
  }
  return undefined;
}
