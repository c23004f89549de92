/**
 * How a forecast-guard model version lives in MLflow: everything MLflow has
 * no field for is a model-version tag (tags are searchable and show in the
 * MLflow UI, and they come back with every version in one call).
 *
 * | tag | holds |
 * |---|---|
 * | `fg.schema` | `1`: marks a version forecast-guard registered (versions without it are not ours) |
 * | `fg.metrics.<name>` | one holdout metric, a decimal number (`fg.metrics.rmse` = `42.5`) |
 * | `fg.params` | training parameters, JSON |
 * | `fg.data_hash`, `fg.trained_through`, `fg.pipeline_run_id` | lineage, as given |
 * | `fg.created_at` | `createdAt` when the registration gave one (else MLflow's `creation_timestamp`) |
 * | `fg.labels.<key>` | one label |
 * | `fg.quarantine` | the quarantine mark, JSON; absent when not quarantined |
 * | `fg.forecast` | the stored forecast (the artifact), JSON |
 *
 * MLflow caps a tag value (5,000 characters on older servers, 8,000 on newer
 * ones). A JSON value longer than the cap is split: `<key>.chunks` holds the
 * count and `<key>.0` … `<key>.<n-1>` the pieces, read back in order. JSON is
 * written with every non-ASCII character escaped, so a character count is
 * also a byte count and a split never falls inside a character.
 */
import type { ModelVersion, NewModelVersion } from '../../contracts/model';
import { ModelVersion as ModelVersionSchema, StoredForecast } from '../../contracts/model';
import { describeIssues } from '../../contracts/issues';
import { BackendUnavailableError, ValidationError } from '../../errors';
import { MLFLOW_BACKEND } from './mlflow-errors';
import type { MlflowModelVersion, MlflowRegisteredModel, MlflowTag } from './mlflow-schemas';

export const TAG = {
  schema: 'fg.schema',
  createdAt: 'fg.created_at',
  dataHash: 'fg.data_hash',
  trainedThrough: 'fg.trained_through',
  pipelineRunId: 'fg.pipeline_run_id',
  params: 'fg.params',
  quarantine: 'fg.quarantine',
  forecast: 'fg.forecast',
  metricPrefix: 'fg.metrics.',
  labelPrefix: 'fg.labels.',
} as const;

/** Value of `fg.schema` this code writes and reads. */
export const TAG_SCHEMA_VERSION = '1';

/** The smallest cap any MLflow server has (MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH in older releases). */
export const DEFAULT_TAG_VALUE_LIMIT = 5000;

/** Label keys that are also valid MLflow tag key segments (MLflow allows `[/\w.\- ]`, we stay narrower). */
const LABEL_KEY = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,199}$/;

/** `JSON.stringify` with every non-ASCII character as `\uXXXX`: lengths are bytes, splits are safe. */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The tags that hold `value` as JSON under `key`: one tag, or `<key>.chunks` and its pieces. */
export function jsonTags(key: string, value: unknown, limit: number): MlflowTag[] {
  const text = asciiJson(value);
  if (text.length <= limit) return [{ key, value: text }];
  const pieces: MlflowTag[] = [];
  for (let i = 0; i * limit < text.length; i++) {
    pieces.push({ key: `${key}.${i}`, value: text.slice(i * limit, (i + 1) * limit) });
  }
  return [...pieces, { key: `${key}.chunks`, value: String(pieces.length) }];
}

/** Every tag key that holds (part of) the JSON value `key`, for clearing it. */
export function jsonTagKeys(key: string, tags: ReadonlyMap<string, string>): string[] {
  const piece = new RegExp(`^${key.replace(/\./g, '\\.')}\\.([0-9]+|chunks)$`);
  return [...tags.keys()].filter((k) => k === key || piece.test(k));
}

/** The JSON value under `key` (whole or chunked), or undefined when absent; a broken one is a backend fault. */
export function readJsonTag(tags: ReadonlyMap<string, string>, key: string, where: string): unknown {
  let text = tags.get(key);
  const count = tags.get(`${key}.chunks`);
  if (text === undefined && count !== undefined) {
    const n = Number(count);
    if (!Number.isInteger(n) || n < 1) throw corrupt(where, `${key}.chunks is ${JSON.stringify(count)}`);
    const pieces: string[] = [];
    for (let i = 0; i < n; i++) {
      const piece = tags.get(`${key}.${i}`);
      if (piece === undefined) throw corrupt(where, `${key}.${i} is missing (of ${n} chunks)`);
      pieces.push(piece);
    }
    text = pieces.join('');
  }
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw corrupt(where, `${key} is not valid JSON`);
  }
}

/** Tags as a map (a later duplicate key wins, as MLflow's own merge does). */
export function tagMap(tags: readonly MlflowTag[]): Map<string, string> {
  return new Map(tags.map((t) => [t.key, t.value]));
}

/** The tags that register `input` (already validated). Labels MLflow cannot hold are a ValidationError. */
export function versionTags(input: NewModelVersion, limit: number): MlflowTag[] {
  const tags: MlflowTag[] = [{ key: TAG.schema, value: TAG_SCHEMA_VERSION }];
  for (const [name, value] of Object.entries(input.metrics)) {
    if (value !== undefined) tags.push({ key: `${TAG.metricPrefix}${name}`, value: String(value) });
  }
  tags.push(
    { key: TAG.dataHash, value: input.dataHash },
    { key: TAG.trainedThrough, value: input.trainedThrough },
  );
  if (input.pipelineRunId !== undefined) tags.push({ key: TAG.pipelineRunId, value: input.pipelineRunId });
  if (input.createdAt !== undefined) tags.push({ key: TAG.createdAt, value: input.createdAt });
  const bad: Array<{ field: string; reason: string }> = [];
  for (const [key, value] of Object.entries(input.labels)) {
    if (!LABEL_KEY.test(key)) {
      bad.push({ field: `labels.${key}`, reason: "key must hold only letters, digits, '_', '-' and '.'" });
    } else if (value.length > limit) {
      bad.push({ field: `labels.${key}`, reason: `must be at most ${limit} characters (an MLflow tag)` });
    } else tags.push({ key: `${TAG.labelPrefix}${key}`, value });
  }
  for (const [field, text] of [
    ['dataHash', input.dataHash],
    ['pipelineRunId', input.pipelineRunId ?? ''],
  ] as const) {
    if (text.length > limit)
      bad.push({ field, reason: `must be at most ${limit} characters (an MLflow tag)` });
  }
  if (bad.length > 0) {
    throw new ValidationError(
      bad.map((b) => `${b.field}: ${b.reason}`).join('; '),
      bad.map((b) => b.field),
    );
  }
  try {
    tags.push(...jsonTags(TAG.params, input.params, limit));
  } catch (err) {
    throw new ValidationError(`params: must be JSON-serialisable (${String(err)})`, ['params'], {
      cause: err,
    });
  }
  tags.push(...jsonTags(TAG.forecast, input.forecast, limit));
  return tags;
}

/**
 * The ModelVersion an MLflow version holds, or undefined when forecast-guard
 * did not register it (no `fg.schema` tag). `aliases` come from the caller:
 * search results do not carry them on every server.
 */
export function toModelVersion(isbn: string, mv: MlflowModelVersion, aliases: readonly string[]) {
  const tags = tagMap(mv.tags);
  if (!tags.has(TAG.schema)) return undefined;
  const where = `${mv.name} version ${mv.version}`;
  const metrics: Record<string, number> = {};
  const labels: Record<string, string> = {};
  for (const [key, value] of tags) {
    if (key.startsWith(TAG.metricPrefix)) {
      metrics[key.slice(TAG.metricPrefix.length)] = value.trim() === '' ? Number.NaN : Number(value);
    } else if (key.startsWith(TAG.labelPrefix)) labels[key.slice(TAG.labelPrefix.length)] = value;
  }
  const created = tags.get(TAG.createdAt) ?? isoFromMillis(mv.creation_timestamp);
  const candidate = {
    isbn,
    version: mv.version,
    createdAt: created,
    metrics,
    params: readJsonTag(tags, TAG.params, where) ?? {},
    dataHash: tags.get(TAG.dataHash),
    trainedThrough: tags.get(TAG.trainedThrough),
    pipelineRunId: tags.get(TAG.pipelineRunId),
    aliases: [...new Set(aliases)].sort(),
    quarantine: readJsonTag(tags, TAG.quarantine, where),
    labels,
  };
  const parsed = ModelVersionSchema.safeParse(candidate);
  if (!parsed.success) {
    const problems = describeIssues(parsed.error.issues).map((p) => `${p.path}: ${p.reason}`);
    throw corrupt(where, problems.join('; '));
  }
  return dropUndefined(parsed.data);
}

/** The stored forecast of a version, or undefined when it has none. */
export function readForecast(mv: MlflowModelVersion): StoredForecast | undefined {
  const where = `${mv.name} version ${mv.version}`;
  const value = readJsonTag(tagMap(mv.tags), TAG.forecast, where);
  if (value === undefined) return undefined;
  const parsed = StoredForecast.safeParse(value);
  if (parsed.success) return parsed.data;
  throw corrupt(
    where,
    describeIssues(parsed.error.issues).map((p) => `forecast.${p.path}: ${p.reason}`)[0] ?? '',
  );
}

/** Epoch milliseconds (already a number: see Int64) → ISO 8601 UTC; undefined stays undefined. */
export function isoFromMillis(ms: number | undefined): string | undefined {
  return ms === undefined || !Number.isFinite(ms) ? undefined : new Date(ms).toISOString();
}

/**
 * Alias names per version id. The registered model's `aliases[{alias, version}]`
 * is the authority; only when it lists none are the versions' own `aliases[]`
 * read (they are missing from search results on some servers).
 */
export function aliasesByVersion(model: MlflowRegisteredModel, versions: readonly MlflowModelVersion[]) {
  const byVersion = new Map<string, string[]>();
  const add = (version: string, alias: string) =>
    byVersion.set(version, [...(byVersion.get(version) ?? []), alias]);
  if (model.aliases.length > 0) for (const { alias, version } of model.aliases) add(version, alias);
  else for (const mv of versions) for (const alias of mv.aliases) add(mv.version, alias);
  return byVersion;
}

function dropUndefined(version: ModelVersion): ModelVersion {
  // Optional fields left out rather than set to undefined: versions compare equal however they were read.
  if (version.pipelineRunId === undefined) delete version.pipelineRunId;
  if (version.quarantine === undefined) delete version.quarantine;
  return version;
}

function corrupt(where: string, problem: string): BackendUnavailableError {
  // Someone edited the tags by hand, or a write was cut short: retrying reads the same thing.
  return new BackendUnavailableError(
    `MLflow ${where} has malformed forecast-guard tags: ${problem}`,
    MLFLOW_BACKEND,
    { retryable: false },
  );
}
