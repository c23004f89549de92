/**
 * The MLflow REST API 2.0 shapes the adapter reads (mlflow/protos/model_registry.proto,
 * JSON with the proto's snake_case names). Lenient where servers differ:
 * int64 timestamps arrive as numbers (newer servers) or strings (older ones),
 * empty repeated fields and unset optional ones are left out, and unknown
 * fields (newer releases add some) are ignored.
 */
import { z } from 'zod';

/** A proto int64: `1714557600000` or `"1714557600000"`, as the server version chooses. */
export const Int64 = z
  .union([z.number().int(), z.string().regex(/^-?[0-9]+$/, 'must be a decimal integer')])
  .transform((v) => Number(v));

/** Version ids are strings in the API; a number is taken too rather than failing a whole listing. */
const VersionString = z
  .union([z.string().regex(/^[0-9]+$/), z.number().int().nonnegative()])
  .transform(String);

export const MlflowTag = z.object({ key: z.string(), value: z.string().default('') });
export type MlflowTag = z.infer<typeof MlflowTag>;

export const MlflowModelVersion = z.object({
  name: z.string(),
  version: VersionString,
  creation_timestamp: Int64.optional(),
  last_updated_timestamp: Int64.optional(),
  current_stage: z.string().optional(),
  description: z.string().optional(),
  source: z.string().optional(),
  run_id: z.string().optional(),
  status: z.string().optional(),
  tags: z.array(MlflowTag).default([]),
  /** Alias names pointing at this version (MLflow ≥ 2.3; not on search results of every server). */
  aliases: z.array(z.string()).default([]),
});
export type MlflowModelVersion = z.infer<typeof MlflowModelVersion>;

export const MlflowRegisteredModel = z.object({
  name: z.string(),
  creation_timestamp: Int64.optional(),
  last_updated_timestamp: Int64.optional(),
  description: z.string().optional(),
  latest_versions: z.array(MlflowModelVersion).default([]),
  tags: z.array(MlflowTag).default([]),
  aliases: z.array(z.object({ alias: z.string(), version: VersionString })).default([]),
});
export type MlflowRegisteredModel = z.infer<typeof MlflowRegisteredModel>;

export const RegisteredModelResponse = z.object({ registered_model: MlflowRegisteredModel });
export const ModelVersionResponse = z.object({ model_version: MlflowModelVersion });
export const SearchRegisteredModelsResponse = z.object({
  registered_models: z.array(MlflowRegisteredModel).default([]),
  next_page_token: z.string().optional(),
});
export const SearchModelVersionsResponse = z.object({
  model_versions: z.array(MlflowModelVersion).default([]),
  next_page_token: z.string().optional(),
});
/**
 * A proto double in JSON: a number, or `"NaN"` / `"Infinity"` / `"-Infinity"`,
 * which is how protobuf's JSON mapping writes the values JSON has no number
 * for (a MAPE over weeks that all sold zero is NaN).
 */
const Double = z.union([
  z.number(),
  z
    .enum(['NaN', 'Infinity', '-Infinity'])
    .transform((s) => (s === 'NaN' ? Number.NaN : s === 'Infinity' ? Infinity : -Infinity)),
]);

/** A run's metric: `value` is a double (`optuna_trials` too); `step` and `timestamp` are int64. */
export const MlflowMetric = z.object({
  key: z.string(),
  value: Double,
  timestamp: Int64.optional(),
  step: Int64.optional(),
});

/** `runs/get`'s run (mlflow/protos/service.proto `Run`): params are strings, even the numbers. */
export const MlflowRun = z.object({
  info: z.object({
    run_id: z.string(),
    experiment_id: z.string().optional(),
    status: z.string().optional(),
    lifecycle_stage: z.string().optional(),
  }),
  data: z
    .object({
      metrics: z.array(MlflowMetric).default([]),
      params: z.array(MlflowTag).default([]),
      tags: z.array(MlflowTag).default([]),
    })
    .default({ metrics: [], params: [], tags: [] }),
});
export type MlflowRun = z.infer<typeof MlflowRun>;
export const RunResponse = z.object({ run: MlflowRun });

/** `{}`: what set-tag, delete-tag and the alias writes answer. */
export const EmptyResponse = z.object({});
