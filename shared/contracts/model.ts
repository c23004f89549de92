/**
 * The model world every port speaks: versions in a registry, what an endpoint
 * serves, predictions in the Vertex AI shape, pipeline runs and weekly sales.
 * Adapters translate Vertex AI, MLflow and SQLite rows into these shapes.
 */
import { z } from 'zod';
import { actor, isbn13, isoDate, isoDateTime, nonEmptyText, versionId } from './primitives';

/** The longest horizon an endpoint answers: two years of weeks. */
export const MAX_FORECAST_STEPS = 104;

/** Accuracy figures of a version on its holdout (the pipeline's 32-week split). */
export const ModelMetrics = z.object({
  rmse: z.number().nonnegative(),
  mape: z.number().nonnegative().describe('percent, 0–100+'),
  smape: z.number().nonnegative().optional(),
  wape: z.number().nonnegative().optional(),
  mase: z.number().nonnegative().optional(),
  holdoutWeeks: z.number().int().positive().optional(),
});
export type ModelMetrics = z.infer<typeof ModelMetrics>;

export const Quarantine = z.object({
  reason: nonEmptyText,
  at: isoDateTime,
  by: actor,
  reportId: z.string().optional(),
});
export type Quarantine = z.infer<typeof Quarantine>;

/**
 * One forecast value. `null` is a value a broken model container emitted as
 * NaN (JSON carries NaN as null); it is allowed so that such a version can be
 * stored and served, and post-deploy validation can catch it.
 */
export const ForecastValue = z.number().nullable();

/**
 * The artifact of a version: point forecast and 95 % interval for the weeks
 * after `trainedThrough`, as many as the model was asked for. The three series
 * have the same length; their values are not judged here (a broken version
 * must still register, so that validation can catch it).
 */
export const StoredForecast = z
  .object({
    mean: z.array(ForecastValue).min(1, { error: 'must hold at least one week' }),
    lower: z.array(ForecastValue),
    upper: z.array(ForecastValue),
  })
  .superRefine((f, ctx) => {
    for (const key of ['lower', 'upper'] as const) {
      if (f[key].length !== f.mean.length) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          input: f[key],
          message: `must have ${f.mean.length} weeks, as mean does, but has ${f[key].length}`,
        });
      }
    }
  });
export type StoredForecast = z.infer<typeof StoredForecast>;

/** One registered version of one book's model. `version` is a string everywhere (MLflow and Vertex both say so). */
export const ModelVersion = z.object({
  isbn: isbn13,
  version: versionId,
  createdAt: isoDateTime,
  metrics: ModelMetrics,
  params: z.record(z.string(), z.unknown()).default({}),
  dataHash: z.string().min(1).describe('hash of the training window'),
  trainedThrough: isoDate.describe(
    'week-ending date of the last training week; forecasts start the week after',
  ),
  pipelineRunId: z.string().optional(),
  /** Aliases pointing at this version. Vertex AI adds its own `default` to exactly one version. */
  aliases: z.array(z.string()).default([]),
  quarantine: Quarantine.optional(),
  labels: z.record(z.string(), z.string()).default({}),
});
export type ModelVersion = z.infer<typeof ModelVersion>;

/**
 * A version registered by a pipeline (or `seed`) before the registry assigns
 * its id. `createdAt` may be left out: the registry then stamps its own time.
 */
export const NewModelVersion = ModelVersion.omit({ version: true, aliases: true, quarantine: true }).extend({
  createdAt: isoDateTime.optional(),
  forecast: StoredForecast,
});
export type NewModelVersion = z.infer<typeof NewModelVersion>;
/** What a caller may pass to `registerVersion` (defaults not yet applied). */
export type NewModelVersionInput = z.input<typeof NewModelVersion>;

/** One version on a book's endpoint and its share of traffic. */
export const Deployment = z.object({
  version: versionId,
  trafficPercent: z.number().int().min(0).max(100),
  /** The endpoint's own id for this deployment (Vertex `DeployedModel.id`; embedded `<isbn>-v<version>`). */
  deployedModelId: z.string().optional(),
  /** The serving system's resource for the deployed version (Vertex `DeployedModel.model`, e.g. `projects/…/models/123@2`). */
  model: z.string().optional(),
  /** The machine each replica runs on (Vertex `dedicatedResources.machineSpec.machineType`), where the serving system says. */
  machineType: z.string().optional(),
  /** Replicas always running, and the most autoscaling may add (Vertex `dedicatedResources`), where the serving system says. */
  minReplicas: z.number().int().min(0).optional(),
  maxReplicas: z.number().int().min(0).optional(),
});
export type Deployment = z.infer<typeof Deployment>;

/** What one book's endpoint serves: versions with their share of traffic (percent, summing to 100, or none deployed). */
export const ServingState = z.object({
  isbn: isbn13,
  /** The serving system's resource name for the book's endpoint (Vertex `projects/…/endpoints/<id>`), when it has one. */
  endpoint: z.string().optional(),
  deployments: z.array(Deployment),
  updatedAt: isoDateTime,
});
export type ServingState = z.infer<typeof ServingState>;

/**
 * A Vertex AI prediction instance for a forecasting model. The messages give
 * the reason only; `validateInstances` (shared/domain/predict.ts) adds the
 * instance index, the field and the value received.
 */
export const PredictInstance = z.object(
  {
    steps: z
      .number({ error: 'must be a number of weeks' })
      .int({ error: 'must be a whole number of weeks' })
      .min(1, { error: 'must be at least 1' })
      .max(MAX_FORECAST_STEPS, { error: `must be at most ${MAX_FORECAST_STEPS}` }),
    return_confidence_intervals: z.boolean({ error: 'must be true or false' }).optional(),
  },
  { error: 'must be an object like {"steps": 12}' },
);
export type PredictInstance = z.infer<typeof PredictInstance>;

export const Prediction = z.object({
  /** `null` where the model produced NaN (see ForecastValue). */
  forecast: z.array(ForecastValue),
  lower_bound: z.array(ForecastValue).optional(),
  upper_bound: z.array(ForecastValue).optional(),
  model_version: z.string(),
  /** ISO week-ending dates the values are for. */
  weeks: z.array(isoDate),
});
export type Prediction = z.infer<typeof Prediction>;

/** Response of `ServingTarget.predict`, in the shape of Vertex AI `PredictResponse`. */
export const PredictResponse = z.object({
  predictions: z.array(Prediction),
  deployedModelId: z.string(),
  modelVersionId: z.string(),
});
export type PredictResponse = z.infer<typeof PredictResponse>;

export const PipelineRunState = z.enum([
  'PIPELINE_STATE_UNSPECIFIED',
  'PIPELINE_STATE_QUEUED',
  'PIPELINE_STATE_PENDING',
  'PIPELINE_STATE_RUNNING',
  'PIPELINE_STATE_SUCCEEDED',
  'PIPELINE_STATE_FAILED',
  'PIPELINE_STATE_CANCELLING',
  'PIPELINE_STATE_CANCELLED',
  'PIPELINE_STATE_PAUSED',
]);
export type PipelineRunState = z.infer<typeof PipelineRunState>;

/** One training pipeline run (a Vertex AI PipelineJob). */
export const PipelineRun = z.object({
  id: z.string().min(1),
  pipelineName: z.string().min(1),
  state: PipelineRunState,
  startTime: isoDateTime.optional(),
  endTime: isoDateTime.optional(),
  error: z.string().optional(),
  /** Versions the run registered. */
  registered: z.array(z.object({ isbn: isbn13, version: versionId })).default([]),
});
export type PipelineRun = z.infer<typeof PipelineRun>;
/** What a caller may pass to `recordRun` (`registered` may be left out). */
export type PipelineRunInput = z.input<typeof PipelineRun>;

/** One week of one book's sales; `weekEnding` is a Saturday. */
export const SalesPoint = z.object({
  weekEnding: isoDate,
  volume: z.number().int().nonnegative(),
});
export type SalesPoint = z.infer<typeof SalesPoint>;

export const SalesSeries = z.object({
  isbn: isbn13,
  title: z.string(),
  points: z.array(SalesPoint),
});
export type SalesSeries = z.infer<typeof SalesSeries>;

/**
 * What `ModelRegistry.ping` answers: one cheap read, timed. Declared here, not
 * in the port, so the health domain can judge it without importing a port.
 */
export interface RegistryPing {
  ok: boolean;
  latencyMs: number;
  detail?: string;
}
