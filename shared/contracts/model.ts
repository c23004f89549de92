/**
 * The model world every port speaks: versions in a registry, what an endpoint
 * serves, predictions in the Vertex AI shape, pipeline runs and weekly sales.
 * Adapters translate Vertex AI, MLflow and SQLite rows into these shapes.
 */
import { z } from 'zod';
import { isbn13 } from './primitives';

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
  reason: z.string().min(1),
  at: z.iso.datetime(),
  by: z.string().min(1),
  reportId: z.string().optional(),
});
export type Quarantine = z.infer<typeof Quarantine>;

/** One registered version of one book's model. `version` is a string everywhere (MLflow and Vertex both say so). */
export const ModelVersion = z.object({
  isbn: isbn13,
  version: z.string().regex(/^[0-9]+$/, 'must be a decimal version id'),
  createdAt: z.iso.datetime(),
  metrics: ModelMetrics,
  params: z.record(z.string(), z.unknown()).default({}),
  dataHash: z.string().min(1).describe('hash of the training window'),
  trainedThrough: z.iso
    .date()
    .describe('week-ending date of the last training week; forecasts start the week after'),
  pipelineRunId: z.string().optional(),
  aliases: z.array(z.string()).default([]),
  quarantine: Quarantine.optional(),
  labels: z.record(z.string(), z.string()).default({}),
});
export type ModelVersion = z.infer<typeof ModelVersion>;

/** A version registered by a pipeline (or `seed`) before the registry assigns its id. */
export const NewModelVersion = ModelVersion.omit({ version: true, aliases: true, quarantine: true }).extend({
  /** Point forecast and 95 % interval for the weeks after `trainedThrough`, as many as the model was asked for. */
  forecast: z.lazy(() => StoredForecast),
});
export type NewModelVersion = z.infer<typeof NewModelVersion>;

export const StoredForecast = z.object({
  mean: z.array(z.number()),
  lower: z.array(z.number()),
  upper: z.array(z.number()),
});
export type StoredForecast = z.infer<typeof StoredForecast>;

/** What one book's endpoint serves: versions with their share of traffic (percent, summing to 100). */
export const ServingState = z.object({
  isbn: isbn13,
  deployments: z.array(z.object({ version: z.string(), trafficPercent: z.number().int().min(0).max(100) })),
  updatedAt: z.iso.datetime(),
});
export type ServingState = z.infer<typeof ServingState>;

/** A Vertex AI prediction instance for a forecasting model. */
export const PredictInstance = z.object({
  steps: z.number().int().min(1).max(104),
  return_confidence_intervals: z.boolean().optional(),
});
export type PredictInstance = z.infer<typeof PredictInstance>;

export const Prediction = z.object({
  forecast: z.array(z.number()),
  lower_bound: z.array(z.number()).optional(),
  upper_bound: z.array(z.number()).optional(),
  model_version: z.string(),
  /** ISO week-ending dates the values are for. */
  weeks: z.array(z.iso.date()),
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
  startTime: z.iso.datetime().optional(),
  endTime: z.iso.datetime().optional(),
  error: z.string().optional(),
  /** Versions the run registered, as `isbn@version`. */
  registered: z.array(z.object({ isbn: isbn13, version: z.string() })).default([]),
});
export type PipelineRun = z.infer<typeof PipelineRun>;

/** One week of one book's sales; `weekEnding` is a Saturday. */
export const SalesPoint = z.object({
  weekEnding: z.iso.date(),
  volume: z.number().int().nonnegative(),
});
export type SalesPoint = z.infer<typeof SalesPoint>;

export const SalesSeries = z.object({
  isbn: isbn13,
  title: z.string(),
  points: z.array(SalesPoint),
});
export type SalesSeries = z.infer<typeof SalesSeries>;
