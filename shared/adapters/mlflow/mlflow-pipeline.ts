/**
 * Versions the publisher's training pipeline registered in MLflow, read as
 * ModelVersions. They carry none of forecast-guard's `fg.*` tags: the
 * pipeline names the model `arima_book_<ISBN>`, tags the version `book_isbn`,
 * `book_title`, `run_type=individual_book`, `model_type=SARIMA`, and logs
 * everything else on the version's run (`runs/get`):
 *
 * - metrics `rmse`, `mape` (percent) and `mae` → `metrics.rmse`, `metrics.mape`
 *   (every metric the run logged is kept in `params.pipelineMetrics`);
 * - params (all strings) `arima_p/d/q`, `seasonal_P/D/Q`, `seasonal_period` →
 *   `params.order` `[p,d,q]` and `params.seasonalOrder` `[P,D,Q,s]`, besides
 *   the params as logged; `test_length` → `metrics.holdoutWeeks`;
 * - `train_length` → `trainedThrough`: the pipeline trains on one row per week
 *   from its train start (2012-01-01, whose first week ends Saturday
 *   2012-01-07; FG_PIPELINE_TRAIN_START) for `train_length` weeks, so the last
 *   training week ends `trainStart + (train_length − 1) weeks`;
 * - `dataHash` = `mlflow-run:<run_id>` (the run pins the training data; MLflow
 *   holds no hash of it), `pipelineRunId` = the run id, `createdAt` = the
 *   version's `creation_timestamp`.
 *
 * What cannot be read is labelled (shared/domain/version-origin.ts), never
 * fatal: a version without a run, or a run without `rmse`/`mape`, is still
 * listed, with `fg.metrics=missing` and the reason.
 */
import type { ModelVersion } from '../../contracts/model';
import { ModelVersion as ModelVersionSchema } from '../../contracts/model';
import { describeIssues } from '../../contracts/issues';
import {
  METRICS_MISSING,
  MISSING_METRIC_VALUE,
  ORIGIN_LABEL,
  PIPELINE_SOURCE,
  TRAINED_THROUGH_ASSUMED,
} from '../../domain/version-origin';
import { BackendUnavailableError } from '../../errors';
import {
  addWeeks,
  isIsoDate,
  isSaturday,
  saturdayOnOrAfter,
  saturdayOnOrBefore,
} from '../../domain/series/weeks';
import { MLFLOW_BACKEND } from './mlflow-errors';
import type { MlflowModelVersion, MlflowRun } from './mlflow-schemas';
import { isoFromMillis, readJsonTag, TAG, tagMap } from './mlflow-tags';

/** The pipeline's train start: weekly rows from 2012-01-01, i.e. the week ending Saturday 2012-01-07. */
export const DEFAULT_PIPELINE_TRAIN_START = '2012-01-07';

/** What reading a version's run gave: the run, or why there is none. */
export type RunLookup = { run: MlflowRun } | { missing: string };

/** The week-ending Saturday of a training window's first week: a Saturday stays, any other day moves on. */
export function trainStartSaturday(date: string): string {
  return isSaturday(date) ? date : saturdayOnOrAfter(date);
}

/** The week-ending date of the last of `trainLength` weekly rows from `trainStart` (a Saturday). */
export function trainedThroughFor(trainStart: string, trainLength: number): string {
  return addWeeks(trainStart, trainLength - 1);
}

/** The ModelVersion of a version the pipeline registered, from the version and its run. */
export function pipelineVersion(
  isbn: string,
  mv: MlflowModelVersion,
  aliases: readonly string[],
  lookup: RunLookup,
  trainStart: string,
): ModelVersion {
  const where = `${mv.name} version ${mv.version}`;
  const tags = tagMap(mv.tags);
  const run = 'run' in lookup ? lookup.run : undefined;
  const params = run ? Object.fromEntries(run.data.params.map((p) => [p.key, p.value])) : {};
  const runMetrics = run ? Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value])) : {};
  const labels: Record<string, string> = { [ORIGIN_LABEL.source]: PIPELINE_SOURCE };
  // The pipeline's own tags are shown as they are; forecast-guard's marks are read separately.
  for (const [key, value] of tags) if (!key.startsWith('fg.')) labels[key] = value;

  const metrics = readMetrics(runMetrics, params);
  if ('missing' in metrics || !run) {
    labels[ORIGIN_LABEL.metrics] = METRICS_MISSING;
    labels[ORIGIN_LABEL.metricsReason] = 'missing' in lookup ? lookup.missing : (metrics.missing ?? '');
  }
  const created =
    isoFromMillis(mv.creation_timestamp) ??
    isoFromMillis(mv.last_updated_timestamp) ??
    new Date(0).toISOString();
  let trainedThrough = trainedThroughFrom(params, trainStart);
  if (trainedThrough === undefined) {
    // Nothing registered can have been trained on weeks after its registration.
    trainedThrough = saturdayOnOrBefore(created.slice(0, 10));
    labels[ORIGIN_LABEL.trainedThrough] = TRAINED_THROUGH_ASSUMED;
  }
  const candidate = {
    isbn,
    version: mv.version,
    createdAt: created,
    metrics: metrics.figures,
    params: { ...params, ...orders(params), pipelineMetrics: runMetrics },
    dataHash: mv.run_id ? `mlflow-run:${mv.run_id}` : `mlflow-version:${mv.name}/${mv.version}`,
    trainedThrough,
    ...(mv.run_id ? { pipelineRunId: mv.run_id } : {}),
    aliases: [...new Set(aliases)].sort(),
    quarantine: readJsonTag(tags, TAG.quarantine, where),
    labels,
  };
  const parsed = ModelVersionSchema.safeParse(candidate);
  if (!parsed.success) {
    const problems = describeIssues(parsed.error.issues).map((p) => `${p.path}: ${p.reason}`);
    throw new BackendUnavailableError(
      `MLflow ${where} (registered by the pipeline) cannot be read: ${problems.join('; ')}`,
      MLFLOW_BACKEND,
      { retryable: false },
    );
  }
  if (parsed.data.quarantine === undefined) delete parsed.data.quarantine;
  return parsed.data;
}

interface ReadMetrics {
  figures: { rmse: number; mape: number; holdoutWeeks?: number };
  missing?: string;
}

/** `rmse` and `mape` from the run; an absent or impossible one is MISSING_METRIC_VALUE and named. */
function readMetrics(runMetrics: Record<string, number>, params: Record<string, string>): ReadMetrics {
  const problems: string[] = [];
  const figure = (key: 'rmse' | 'mape') => {
    const value = runMetrics[key];
    if (value === undefined) problems.push(`the run logged no ${key}`);
    else if (!Number.isFinite(value) || value < 0) problems.push(`the run's ${key} is ${value}`);
    else return value;
    return MISSING_METRIC_VALUE;
  };
  const figures: ReadMetrics['figures'] = { rmse: figure('rmse'), mape: figure('mape') };
  const holdout = positiveInt(params.test_length);
  if (holdout !== undefined) figures.holdoutWeeks = holdout;
  return problems.length > 0 ? { figures, missing: problems.join('; ') } : { figures };
}

function trainedThroughFrom(params: Record<string, string>, trainStart: string): string | undefined {
  const weeks = positiveInt(params.train_length);
  if (weeks === undefined || !isIsoDate(trainStart)) return undefined;
  return trainedThroughFor(trainStart, weeks);
}

/** `[p,d,q]` and `[P,D,Q,s]` from the string params, when every part is a whole number. */
function orders(params: Record<string, string>): Record<string, number[]> {
  const ints = (keys: string[]) => {
    const values = keys.map((k) => nonNegativeInt(params[k]));
    return values.every((v): v is number => v !== undefined) ? values : undefined;
  };
  const order = ints(['arima_p', 'arima_d', 'arima_q']);
  const seasonal = ints(['seasonal_P', 'seasonal_D', 'seasonal_Q', 'seasonal_period']);
  return { ...(order ? { order } : {}), ...(order && seasonal ? { seasonalOrder: seasonal } : {}) };
}

function nonNegativeInt(text: string | undefined): number | undefined {
  return text !== undefined && /^\s*[0-9]+\s*$/.test(text) ? Number(text) : undefined;
}

function positiveInt(text: string | undefined): number | undefined {
  const n = nonNegativeInt(text);
  return n !== undefined && n > 0 ? n : undefined;
}
