/**
 * The health check's metric-anomaly step: for each book whose live figures
 * were measured this run, is the newest observation of its error metrics out
 * of line with the book's own history? `metric_anomaly`, a warning, per book.
 *
 * The figures only change when a new week of actuals lands or another
 * version answers, so the verdict can only change then: a book whose figures
 * equal the previous report's is not judged again (its condition, firing or
 * not, is carried by the resolution plan) and costs no read. A new
 * observation costs one document read and one write: the step keeps each
 * book's last `history` distinct observations itself (`metric-observations`,
 * id = ISBN, shared/contracts/documents/metric-observations.ts), reads that
 * document, asks the detector (shared/domain/anomaly/detector.ts) about the
 * history plus this run's figures, and writes it back with them appended and
 * the oldest trimmed. A retried run finds its own entry by run id and
 * replaces it, so it never counts twice. A book without the document yet
 * (the first judgment after an upgrade) has it seeded once from its newest
 * MetricPoints (one query, at most `seedPointsRead`, folded by
 * shared/domain/anomaly/observations.ts), so no history is lost; after that
 * the points are never read here again (a document this version cannot
 * parse is seeded again the same way, with a note). There is no transaction
 * around the get and the set: health checks seldom overlap (hourly, plus
 * the runs new sales data trigger), and when two do, the later write wins
 * and the worst lost is one observation of the history.
 *
 * The condition is then `evaluated`: not anomalous, or too little history,
 * resolves one that fired. A book it fires for counts as degraded in the
 * report (unless something worse fires). A failed read is a note and leaves
 * the book unjudged; a failed write is a note and keeps the verdict (the
 * observation is missing from the history, nothing else): never the end of
 * the run.
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { HealthReport, ModelHealth } from '../../contracts/documents/health-report';
import {
  MetricObservations,
  type MetricObservationEntry,
} from '../../contracts/documents/metric-observations';
import type { MetricPoint } from '../../contracts/documents/metric-point';
import { detectAnomaly, type AnomalyVerdict } from '../../domain/anomaly/detector';
import { appendObservation, entryOf, foldEntries, seriesOf } from '../../domain/anomaly/observations';
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
    let stored: Stored;
    try {
      stored = await readHistory(health.isbn, runId, deps, settings);
      if (stored.note) out.notes.push(stored.note);
    } catch (err) {
      out.notes.push(`${health.isbn}: metric history unreadable, anomaly not judged: ${describeError(err)}`);
      return;
    }
    out.evaluated.push(findingKey({ kind: 'metric_anomaly', isbn: health.isbn }));
    const entry = entryOf({ ...health, at, runId });
    const finding = judgeBook(health, stored.history, entry, settings);
    try {
      await writeHistory(health.isbn, stored, entry, at, deps, settings);
    } catch (err) {
      out.notes.push(`${health.isbn}: metric observation not kept (${describeError(err)})`);
    }
    if (!finding) return;
    out.findings.push(finding);
    // The book's row in the report says what fires on it, this warning included.
    outcome.status = statusOf([...outcome.findings, finding]);
    health.status = outcome.status;
  });
  return out;
}

/** A book's kept observations (without this run's own), and how many points seeded them if they were seeded now. */
interface Stored {
  history: MetricObservationEntry[];
  seededFromPoints: number | undefined;
  /** Why the kept history was not used, when it was not. */
  note?: string;
}

/** One get; only for a book without its document yet, one bounded query of its MetricPoints too. */
async function readHistory(
  isbn: string,
  runId: string,
  deps: Pick<HealthCheckDeps, 'state'>,
  settings: Pick<AnomalySettings, 'history' | 'seedPointsRead'>,
): Promise<Stored> {
  const doc = await deps.state.get(COLLECTIONS.metricObservations, isbn);
  const kept = doc ? MetricObservations.safeParse(doc.data) : undefined;
  if (kept?.success) {
    // A retried run's own entry is this observation, not its history.
    const history = kept.data.observations.filter((e) => e.runId !== runId);
    return { history, seededFromPoints: kept.data.seededFromPoints };
  }
  // None yet, or one this version cannot read (it is rewritten below): seed from the points.
  const points = await recentPoints(isbn, runId, deps, settings.seedPointsRead);
  const history = foldEntries(points);
  const bad = kept?.error.issues[0];
  return {
    history: history.slice(Math.max(0, history.length - settings.history)),
    seededFromPoints: points.length,
    ...(bad
      ? {
          note: `${isbn}: kept metric history malformed at ${bad.path.join('.') || '(root)'} (${bad.message}); seeded again from ${points.length} MetricPoints`,
        }
      : {}),
  };
}

/** One set: the history with this observation appended and the oldest trimmed. */
async function writeHistory(
  isbn: string,
  stored: Stored,
  entry: MetricObservationEntry,
  at: string,
  deps: Pick<HealthCheckDeps, 'state'>,
  settings: Pick<AnomalySettings, 'history'>,
): Promise<void> {
  const doc: MetricObservations = {
    isbn,
    updatedAt: at,
    ...(stored.seededFromPoints !== undefined ? { seededFromPoints: stored.seededFromPoints } : {}),
    observations: appendObservation(stored.history, entry, settings.history),
  };
  await deps.state.set(COLLECTIONS.metricObservations, isbn, doc);
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

/** The book's newest points, oldest first, without this run's own (a retried run may have written it). */
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

/** The finding for one book, when any watched metric is anomalous: `history` (oldest first) then `entry`, this run's. */
export function judgeBook(
  health: ModelHealth,
  history: readonly MetricObservationEntry[],
  entry: MetricObservationEntry,
  settings: Pick<AnomalySettings, 'metrics' | 'detector'>,
): Finding | undefined {
  const verdicts: Array<[AnomalyMetric, AnomalyVerdict]> = [];
  for (const metric of settings.metrics) {
    if (entry[metric] === undefined) continue;
    verdicts.push([metric, detectAnomaly(seriesOf([...history, entry], metric), settings.detector)]);
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
