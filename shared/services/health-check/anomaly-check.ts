/**
 * The health check's metric-anomaly step: for each book whose live figures
 * were measured this run, is the newest observation of its error metrics out
 * of line with the book's own history? `metric_anomaly`, a warning, per book.
 *
 * The figures only change when a new week of actuals lands or another
 * version answers, so the verdict can only change then: a book whose figures
 * equal the previous report's is not judged again (its condition, firing or
 * not, is carried by the resolution plan) and costs no read. A new
 * observation reads the book's recent MetricPoints (one query, newest first,
 * at most `pointsRead`), folds them into observations
 * (shared/domain/anomaly/observations.ts), adds this run's figures, and asks
 * the detector (shared/domain/anomaly/detector.ts). The condition is then
 * `evaluated`: not anomalous, or too little history, resolves one that fired.
 * A book it fires for counts as degraded in the report (unless something
 * worse fires). A failed read is a note, never the end of the run.
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { HealthReport, ModelHealth } from '../../contracts/documents/health-report';
import type { MetricPoint } from '../../contracts/documents/metric-point';
import { detectAnomaly, type AnomalyVerdict } from '../../domain/anomaly/detector';
import { foldObservations } from '../../domain/anomaly/observations';
import { round3 } from '../../domain/health/accuracy-findings';
import { findingKey, statusOf, type Finding } from '../../domain/health/findings';
import { describeError } from '../../errors';
import { forEachBounded } from '../bounded';
import type { ModelOutcome } from './check-model';
import type { HealthCheckDeps } from './deps';
import type { AnomalyMetric, AnomalySettings } from './settings';

export interface AnomalyCheck {
  findings: Finding[];
  evaluated: string[];
  notes: string[];
}

const UNITS: Record<AnomalyMetric, string> = { mape: ' %', smape: ' %', rmse: ' copies', mase: '' };
const fmt = (n: number) => String(Number(n.toFixed(1)));

/** Runs the step over this run's outcomes; `previous` is the last report, whose figures say what is not new. */
export async function anomalyCheck(
  outcomes: readonly ModelOutcome[],
  previous: HealthReport | undefined,
  runId: string,
  deps: Pick<HealthCheckDeps, 'state' | 'clock'>,
  settings: AnomalySettings,
): Promise<AnomalyCheck> {
  const out: AnomalyCheck = { findings: [], evaluated: [], notes: [] };
  if (!settings.enabled || settings.metrics.length === 0) return out;
  const before = new Map((previous?.models ?? []).map((m) => [m.isbn, m]));
  const fresh = outcomes.filter(
    (o): o is ModelOutcome & { health: ModelHealth } =>
      o.health !== undefined && isNewObservation(o.health, before.get(o.isbn), settings),
  );
  const at = deps.clock.now().toISOString();
  await forEachBounded(fresh, settings.concurrency, async (outcome) => {
    const { health } = outcome;
    let points: MetricPoint[];
    try {
      points = await recentPoints(health.isbn, runId, deps, settings.pointsRead);
    } catch (err) {
      out.notes.push(`${health.isbn}: metric history unreadable, anomaly not judged: ${describeError(err)}`);
      return;
    }
    out.evaluated.push(findingKey({ kind: 'metric_anomaly', isbn: health.isbn }));
    const finding = judgeBook(health, points, at, settings);
    if (!finding) return;
    out.findings.push(finding);
    // The book's row in the report says what fires on it, this warning included.
    outcome.status = statusOf([...outcome.findings, finding]);
    health.status = outcome.status;
  });
  return out;
}

/** Same version and the same figures as the last report: the same observation, already judged. */
function isNewObservation(
  health: ModelHealth,
  last: ModelHealth | undefined,
  settings: AnomalySettings,
): boolean {
  if (!last || last.version !== health.version) return true;
  return settings.metrics.some((m) => last[m] !== health[m]);
}

/** The book's points, oldest first, without this run's own (a retried run may have written it). */
async function recentPoints(
  isbn: string,
  runId: string,
  deps: Pick<HealthCheckDeps, 'state'>,
  limit: number,
): Promise<MetricPoint[]> {
  const docs = await deps.state.query<MetricPoint>(COLLECTIONS.metricPoints, {
    where: [{ field: 'isbn', op: '==', value: isbn }],
    orderBy: { field: 'at', direction: 'desc' },
    limit,
  });
  return docs
    .map((d) => d.data)
    .filter((p) => p.runId !== runId)
    .reverse();
}

/** The finding for one book, when any watched metric is anomalous. */
export function judgeBook(
  health: ModelHealth,
  points: readonly MetricPoint[],
  at: string,
  settings: Pick<AnomalySettings, 'metrics' | 'detector'>,
): Finding | undefined {
  const verdicts: Array<[AnomalyMetric, AnomalyVerdict]> = [];
  for (const metric of settings.metrics) {
    const value = health[metric];
    if (value === undefined) continue;
    const series = foldObservations([
      ...points.map((p) => ({ at: p.at, version: p.version, value: p[metric] })),
      { at, version: health.version, value },
    ]);
    verdicts.push([metric, detectAnomaly(series, settings.detector)]);
  }
  const anomalous = verdicts.filter(([, v]) => v.state === 'anomalous');
  if (anomalous.length === 0) return undefined;
  const parts = anomalous.map(
    ([m, v]) =>
      `${m.toUpperCase()} ${fmt(v.value)}${UNITS[m]} is above its usual ${fmt(v.center ?? 0)}${UNITS[m]} (band up to ${fmt(v.upper ?? 0)})`,
  );
  return {
    kind: 'metric_anomaly',
    severity: 'warning',
    isbn: health.isbn,
    modelVersion: health.version,
    summary: `Metric anomaly on ${health.isbn} v${health.version}: ${parts.join('; ')}`,
    details: {
      method: settings.detector.method,
      k: settings.detector.k,
      metrics: Object.fromEntries(
        anomalous.map(([m, v]) => [
          m,
          {
            value: round3(v.value),
            center: round3(v.center ?? 0),
            upper: round3(v.upper ?? 0),
            score: round3(v.score ?? 0),
            baselineObservations: v.baselineSize,
          },
        ]),
      ),
    },
  };
}
