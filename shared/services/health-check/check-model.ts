/**
 * The checks of one served book: one prediction that is both the endpoint
 * canary and the forecast scored against actual sales, then drift. The
 * prediction is NOT pinned (a pinned one needs Explain on Vertex, which real
 * endpoints refuse): traffic decides, and the version that answered (named by
 * the `deployedModelId` the answer carries) is the one scored.
 * A failure of one book's reads becomes a note on that book, never the end
 * of the run. Nothing of the prediction outlives this call: a 5,000-book run
 * holds only each book's figures.
 */
import { missingMetrics } from '../../domain/version-origin';
import type { ModelVersion, PredictResponse, SalesSeries, ServingState } from '../../contracts/model';
import type { ModelHealth } from '../../contracts/documents/health-report';
import { accuracyFindings, evaluatedAccuracyKinds, round3 } from '../../domain/health/accuracy-findings';
import { assessDrift, driftFinding } from '../../domain/health/drift';
import { canaryProblem, endpointFinding } from '../../domain/health/fleet-findings';
import { findingKey, statusOf, type Finding } from '../../domain/health/findings';
import {
  alignLiveWeeks,
  DEFAULT_HOLDOUT_WEEKS,
  liveForecastSteps,
  measureLiveAccuracy,
} from '../../domain/health/live-accuracy';
import { compareVersions } from '../../domain/traffic';
import { thresholdsFor } from '../../domain/thresholds';
import { describeError } from '../../errors';
import type { HealthCheckDeps } from './deps';
import type { HealthCheckSettings } from './settings';

/**
 * A slice's actuals, read at once (slices.ts); each book takes its own series
 * out, so it is released as soon as that book is checked. `undefined` from
 * `take` means "read it yourself": no slice read was made, or it failed (then
 * each book's own read says what is wrong with its rows).
 */
export interface SliceActuals {
  take(isbn: string): { series: SalesSeries | undefined } | undefined;
}

/** What one book's checks found. */
export interface ModelOutcome {
  isbn: string;
  /** The version with (most) traffic; undefined when none has any. */
  version?: string;
  status: ModelHealth['status'];
  /** Present when live accuracy was measured. */
  health?: ModelHealth;
  canaryLatencyMs?: number;
  findings: Finding[];
  /** Keys (`findingKey`) of the conditions these checks decided, firing or not. */
  evaluated: string[];
  /** Why a check was skipped, for people. */
  notes: string[];
  latestActualWeek?: string;
  /**
   * Mean of forecast − actual over the live weeks, when accuracy was judged;
   * and the Population Stability Index of recent sales against the training
   * window, when drift was. Both go to the book's MetricPoint, not into the
   * report: 5,000 books' figures must still fit the report's one document.
   */
  bias?: number;
  psi?: number;
}

/**
 * The version a book serves: the one with the largest traffic share (the
 * higher version on a tie, the newer deployment). A canary split at 10 % is
 * judged when it is promoted; until then the majority version is what
 * readers of the forecast see.
 */
export function servedVersion(state: ServingState): string | undefined {
  const live = state.deployments.filter((d) => d.trafficPercent > 0);
  live.sort((a, b) => b.trafficPercent - a.trafficPercent || compareVersions(b.version, a.version));
  return live[0]?.version;
}

/**
 * The version an answer came from: the deployment whose `deployedModelId` the
 * answer carries, else (a target that names none) the version it reports.
 */
export function answeringVersion(state: ServingState, response: PredictResponse): string {
  const byId = state.deployments.find(
    (d) => d.deployedModelId !== undefined && d.deployedModelId === response.deployedModelId,
  );
  return byId?.version ?? response.modelVersionId;
}

/** Runs every per-book check; `registryUp` false skips those that need the registry. */
export async function checkModel(
  state: ServingState,
  registryUp: boolean,
  deps: HealthCheckDeps,
  settings: HealthCheckSettings,
  actuals?: SliceActuals,
): Promise<ModelOutcome> {
  const { isbn } = state;
  const outcome: ModelOutcome = { isbn, status: 'healthy', findings: [], evaluated: [], notes: [] };
  const version = servedVersion(state);
  const endpointKey = findingKey({ kind: 'endpoint_unhealthy', isbn });
  if (version === undefined) {
    if (state.deployments.length > 0) {
      outcome.evaluated.push(endpointKey);
      outcome.findings.push(endpointFinding(isbn, undefined, 'no deployed version has traffic', 0));
      outcome.status = 'unhealthy';
    } else {
      outcome.notes.push('nothing deployed on its endpoint');
    }
    return outcome;
  }
  outcome.version = version;

  const [series, servedMeta] = await Promise.all([
    readSeries(isbn, deps, outcome, actuals),
    registryUp ? readVersion(isbn, version, deps, outcome) : undefined,
  ]);
  let meta = servedMeta;
  if (!registryUp) outcome.notes.push('registry unreachable: accuracy and drift not checked');
  const latestWeek = series?.points[series.points.length - 1]?.weekEnding;
  outcome.latestActualWeek = latestWeek;

  // One unpinned prediction: the canary, and (with the registry's trainedThrough) the live forecast.
  const steps = meta ? liveForecastSteps(meta.trainedThrough, latestWeek) : 1;
  const now = deps.monotonic ?? (() => performance.now());
  const started = now();
  let response: PredictResponse | undefined;
  let problem: string | undefined;
  let answered = version;
  try {
    response = await deps.serving.predict(isbn, [{ steps }]);
    answered = answeringVersion(state, response);
    problem = canaryProblem(response, { version: answered, steps });
  } catch (err) {
    problem = describeError(err);
  }
  const latencyMs = now() - started;
  outcome.canaryLatencyMs = round3(latencyMs);
  outcome.evaluated.push(endpointKey);
  if (problem !== undefined) {
    outcome.findings.push(endpointFinding(isbn, answered, problem, latencyMs));
    response = undefined;
  }
  if (answered !== version) {
    // A canary split answered: score the version that answered, with its own training window.
    outcome.notes.push(`scored version ${answered}, which answered; version ${version} holds most traffic`);
    outcome.version = answered;
    meta = registryUp ? await readVersion(isbn, answered, deps, outcome) : undefined;
  }

  if (meta && series && response) measureAccuracy(meta, series, response, outcome, settings);
  if (meta && series) {
    const drift = assessDrift(
      { isbn, points: series.points, trainedThrough: meta.trainedThrough, dataHash: meta.dataHash },
      settings.drift,
    );
    outcome.evaluated.push(findingKey({ kind: 'data_drift', isbn }));
    if (drift.psi) outcome.psi = round3(drift.psi.psi);
    const finding = driftFinding(isbn, meta.version, drift, meta.dataHash, settings.drift);
    if (finding) outcome.findings.push(finding);
    if (drift.note) outcome.notes.push(drift.note);
  }
  outcome.status = statusOf(outcome.findings);
  if (outcome.health) outcome.health.status = outcome.status;
  return outcome;
}

function measureAccuracy(
  meta: ModelVersion,
  series: SalesSeries,
  response: PredictResponse,
  outcome: ModelOutcome,
  settings: HealthCheckSettings,
): void {
  const { isbn, version } = meta;
  // A pipeline version whose run is gone has no holdout figures: nothing to judge live accuracy against.
  const noMetrics = missingMetrics(meta);
  if (noMetrics !== undefined) {
    outcome.notes.push(`accuracy not judged: version ${version} has no holdout metrics (${noMetrics})`);
    return;
  }
  const prediction = response.predictions[0]!;
  const window = alignLiveWeeks(
    prediction.weeks,
    prediction.forecast,
    series.points,
    settings.accuracy.maxLiveWeeks,
  );
  if (window.weeks.length < settings.accuracy.minLiveWeeks) {
    outcome.notes.push(
      `accuracy not judged: ${window.weeks.length} live week(s) of actuals since ${meta.trainedThrough} (needs ${settings.accuracy.minLiveWeeks})`,
    );
    return;
  }
  const training: number[] = [];
  for (const p of series.points) if (p.weekEnding <= meta.trainedThrough) training.push(p.volume);
  const live = measureLiveAccuracy(
    window,
    training,
    meta.metrics.holdoutWeeks ?? DEFAULT_HOLDOUT_WEEKS,
    settings.accuracy.confidence,
  );
  const thresholds = thresholdsFor(settings.environment, isbn, settings.thresholdOverrides);
  outcome.findings.push(...accuracyFindings({ isbn, version, live, baseline: meta.metrics, thresholds }));
  for (const kind of evaluatedAccuracyKinds(live)) outcome.evaluated.push(findingKey({ kind, isbn }));
  outcome.bias = round3(live.bias);
  outcome.health = {
    isbn,
    version,
    rmse: round3(live.rmse),
    // The contract needs a MAPE; with no week sold, as holdoutMetrics does: 0 if the forecast was 0 too, else 100.
    mape: round3(live.mape ?? (window.predicted.every((p) => p === 0) ? 0 : 100)),
    smape: round3(live.smape),
    ...(live.mase === undefined ? {} : { mase: round3(live.mase) }),
    baselineRmse: round3(meta.metrics.rmse),
    baselineMape: round3(meta.metrics.mape),
    status: 'healthy',
    canaryLatencyMs: outcome.canaryLatencyMs,
  };
}

/** The book's actuals: taken from its slice's read when there was one, else read alone. */
async function readSeries(
  isbn: string,
  deps: HealthCheckDeps,
  outcome: ModelOutcome,
  actuals: SliceActuals | undefined,
): Promise<SalesSeries | undefined> {
  try {
    const taken = actuals?.take(isbn);
    const series = taken ? taken.series : await deps.sales.getSeries(isbn);
    if (!series || series.points.length === 0) outcome.notes.push('no actual sales for this book');
    return series;
  } catch (err) {
    outcome.notes.push(`actual sales unreadable: ${describeError(err)}`);
    return undefined;
  }
}

async function readVersion(
  isbn: string,
  version: string,
  deps: HealthCheckDeps,
  outcome: ModelOutcome,
): Promise<ModelVersion | undefined> {
  try {
    const meta = await deps.registry.getVersion(isbn, version);
    if (!meta) outcome.notes.push(`the registry has no version ${version}, which the endpoint serves`);
    return meta;
  } catch (err) {
    outcome.notes.push(`registry read failed: ${describeError(err)}`);
    return undefined;
  }
}
