/**
 * Post-deploy validation of one or more deployed versions in one run: a
 * batch of at least `minPredictions` predictions across them (horizons 1–52,
 * with and without the interval, pinned to each version, bounded
 * concurrency), the edge cases, the accuracy and regression rules, latency,
 * ARIMA sanity on a refit of the training window and a plain-words
 * explanation — one stored ValidationReport per version. Deciding what a
 * verdict leads to is `applyValidationOutcome`'s job.
 */
import { COLLECTIONS } from '../../contracts/collections';
import { ValidationReport } from '../../contracts/documents/validation-report';
import { parseWith } from '../../contracts/parse';
import { thresholdsFor } from '../../domain/thresholds';
import { accuracyChecks, forecastShiftCheck, regressionCheck } from '../../domain/validation/accuracy';
import { arimaSanityChecks, type RecordedModel } from '../../domain/validation/arima-sanity';
import { planBatch } from '../../domain/validation/batch-plan';
import { check } from '../../domain/validation/check';
import { edgeCaseCheck } from '../../domain/validation/edge-cases';
import { explainForecast, type Explanation } from '../../domain/validation/explanation';
import { latencyCheck, latencySummary } from '../../domain/validation/latency';
import { ResponseTally } from '../../domain/validation/response-checks';
import { runBatch } from './batch-inference';
import { mapLimit, validationOptions, type ValidationDeps, type ValidationOptions } from './deps';
import { prepareTarget, type PreparedTarget, type ValidationTarget } from './prepare';
import { longestForecast, previousForecast, runEdgeCases } from './probes';
import { refitTrainingWindow } from './refit';

export type { ValidationTarget } from './prepare';

/** One version's verdict: the stored report, and what the report says in words about the model. */
export interface VersionValidation {
  report: ValidationReport;
  explanation: Explanation;
  model: RecordedModel;
  /** The state read before validating (for deciding the outcome). */
  prepared: PreparedTarget;
}

interface InFlight {
  prepared: PreparedTarget;
  tally: ResponseTally;
  latencies: number[];
  started: number;
}

/** Validates `targets` in one run and stores a report for each; reports come back in input order. */
export async function validateVersions(
  targets: readonly ValidationTarget[],
  deps: ValidationDeps,
): Promise<VersionValidation[]> {
  const options = validationOptions(deps);
  const monotonic = deps.monotonic ?? (() => performance.now());
  const log = deps.logger.child({ component: 'validation' });
  const timer = log.startTimer('validation run', { versions: targets.length });
  const started = monotonic();

  const prepared = await mapLimit(targets, options.fleetConcurrency, (t) => prepareTarget(t, deps));
  const flights = new Map<string, InFlight>();
  for (const p of prepared) {
    const key = `${p.version.isbn}@${p.version.version}`;
    flights.set(key, {
      prepared: p,
      tally: new ResponseTally({
        version: p.version.version,
        historyMax: p.historyMax,
        recentLevel: p.recentLevel,
        limits: options.range,
      }),
      latencies: [],
      started,
    });
  }
  const requests = planBatch(
    prepared.map((p) => ({ isbn: p.version.isbn, version: p.version.version })),
    { minPredictions: options.minPredictions },
  );
  const batchMs = await runBatch(requests, deps.serving, {
    concurrency: options.concurrency,
    monotonic,
    onOutcome: (request, outcome, latencyMs) => {
      const flight = flights.get(`${request.isbn}@${request.version}`)!;
      flight.tally.record(outcome);
      flight.latencies.push(latencyMs);
    },
  });
  log.debug('validation batch done', { predictions: requests.length, batchMs: Math.round(batchMs) });

  const known = new Set(await deps.registry.listModels());
  const results = await mapLimit([...flights.values()], options.fleetConcurrency, (flight) =>
    finish(flight, known, deps, options, monotonic),
  );
  timer.end({ predictions: requests.length, failed: results.filter((r) => !r.report.passed).length });
  return results;
}

async function finish(
  flight: InFlight,
  knownIsbns: ReadonlySet<string>,
  deps: ValidationDeps,
  options: ValidationOptions,
  monotonic: () => number,
): Promise<VersionValidation> {
  const { prepared, tally } = flight;
  const { version, serving } = prepared;
  const isbn = version.isbn;
  const [longest, before, edges] = await Promise.all([
    longestForecast(deps.serving, isbn, version.version),
    previousForecast(deps.serving, serving, prepared.previous?.version),
    runEdgeCases(deps.serving, isbn, knownIsbns),
  ]);
  const forecast = longest ?? { version: version.version, ...tally.longestForecast() };
  const thresholds = thresholdsFor(deps.environment, isbn, deps.overrides);
  const refit = prepared.history
    ? refitTrainingWindow(prepared.history, version.trainedThrough, version.params)
    : undefined;
  const sanity = arimaSanityChecks(
    { params: version.params, ...(refit ? { refit } : {}), forecast: forecast.values },
    options.arima,
  );
  const profile = version.params.seasonalProfile;
  const explanation = explainForecast({
    history: prepared.history ?? [],
    ...(Array.isArray(profile) ? { seasonalProfile: profile as number[] } : {}),
    forecast: forecast.values,
    ...(sanity.model.order ? { order: sanity.model.order } : {}),
  });
  const latency = latencySummary(flight.latencies);
  const previousFigures = prepared.previous && {
    version: prepared.previous.version,
    metrics: prepared.previous.metrics,
  };
  const checks = [
    ...tally.checks(),
    forecastShiftCheck(forecast, before, options.shiftFactor),
    edgeCaseCheck(edges),
    ...accuracyChecks(version, thresholds, deps.environment),
    regressionCheck(version, previousFigures, thresholds, deps.environment),
    latencyCheck(latency, flight.latencies.length, options.latencyBudgetMs),
    ...sanity.checks,
    check('explanation', true, explanation.text),
  ];
  const report = parseWith(
    ValidationReport,
    {
      reportId: prepared.reportId,
      isbn,
      version: version.version,
      passed: checks.every((c) => c.passed),
      predictions: tally.predictions,
      checks,
      latency,
      startedAt: prepared.startedAt,
      durationMs: Math.max(0, Math.round(monotonic() - flight.started)),
      correlationId: prepared.target.correlationId,
    },
    'ValidationReport',
  );
  await deps.state.set(COLLECTIONS.validationReports, report.reportId, report);
  return { report, explanation, model: sanity.model, prepared };
}
