/**
 * One registry version ↔ one Vertex AI Model version.
 *
 * Where each field lives, and why:
 * - `metadata` (a protobuf Value, IMMUTABLE once uploaded) holds the facts of
 *   the training run: metrics, params, dataHash, trainedThrough,
 *   pipelineRunId, a caller-given createdAt, and the stored forecast. Labels
 *   cannot hold JSON (63 lowercase characters), and Vertex refusing to change
 *   `metadata` later is exactly the guarantee a version's lineage needs.
 * - `versionDescription` (the one free-text field UpdateModel may change per
 *   version) holds the quarantine mark as JSON, because quarantine is set and
 *   cleared after registration.
 * - `labels` hold `isbn`, `app=forecast-guard` and the caller's labels.
 * - The forecast: on real Vertex a version's artifact is its serving
 *   container and `artifactUri`, and a real endpoint answers from that
 *   container. This port keeps the forecast in `metadata` as well, so the
 *   local Vertex server can answer predictions from it and any version can be
 *   audited without reading Cloud Storage.
 */
import { z } from 'zod';
import type { ModelVersion, NewModelVersion } from '../../contracts/model';
import { ModelMetrics, Quarantine, StoredForecast } from '../../contracts/model';
import { isoDate, isoDateTime } from '../../contracts/primitives';
import type { ForecastSource } from '../../domain/predict';
import { BackendUnavailableError } from '../../errors';
import { VERTEX_BACKEND } from './vertex-errors';
import { resourceLabels, userLabels } from './vertex-labels';
import {
  METRICS_MISSING,
  MISSING_METRIC_VALUE,
  ORIGIN_LABEL,
  PIPELINE_SOURCE,
  TRAINED_THROUGH_ASSUMED,
} from '../../domain/version-origin';
import { isIsoDate, saturdayOnOrBefore } from '../../domain/series/weeks';
import { isbnOfModelName, ISBN_LABEL_KEY, lastSegment, modelIdFor, withoutVersion } from './vertex-names';
import type { ProtoValue } from './vertex-values';
import { fromProtoValue, timestampToIso, toProtoValue } from './vertex-values';
import type { protos } from '@google-cloud/aiplatform';

export type VertexModel = protos.google.cloud.aiplatform.v1.IModel;

/** Marks metadata written by this codec; a version without it was not registered by forecast-guard. */
export const VERSION_METADATA_SCHEMA = 'forecast-guard/model-version@1';

/** What a version's `metadata` holds. */
export const VersionMetadata = z.object({
  schema: z.literal(VERSION_METADATA_SCHEMA),
  createdAt: isoDateTime.optional(),
  metrics: ModelMetrics,
  params: z.record(z.string(), z.unknown()),
  dataHash: z.string().min(1),
  trainedThrough: isoDate,
  pipelineRunId: z.string().optional(),
  forecast: StoredForecast,
});
export type VersionMetadata = z.infer<typeof VersionMetadata>;

/** Deployment details a real Vertex upload needs; the local server needs neither. */
export interface UploadArtifact {
  /** Where the pipeline wrote this version's model files (`gs://…`); it becomes `artifactUri`. */
  artifactUriFor?: (version: NewModelVersion) => string;
  /** The serving container image that answers `{"steps": N}` instances. */
  containerImageUri?: string;
}

/** The Model message an UploadModel call sends for a parsed registration. */
export function modelForUpload(version: NewModelVersion, artifact: UploadArtifact = {}): VertexModel {
  const metadata: VersionMetadata = {
    schema: VERSION_METADATA_SCHEMA,
    metrics: version.metrics,
    params: version.params,
    dataHash: version.dataHash,
    trainedThrough: version.trainedThrough,
    forecast: version.forecast,
  };
  // Left out when the caller gave none: the version then shows Vertex's own versionCreateTime.
  if (version.createdAt !== undefined) metadata.createdAt = version.createdAt;
  if (version.pipelineRunId !== undefined) metadata.pipelineRunId = version.pipelineRunId;
  const model: VertexModel = {
    displayName: modelIdFor(version.isbn),
    labels: resourceLabels(version.isbn, version.labels),
    metadata: toProtoValue(metadata),
  };
  if (artifact.artifactUriFor !== undefined) model.artifactUri = artifact.artifactUriFor(version);
  if (artifact.containerImageUri !== undefined) {
    model.containerSpec = {
      imageUri: artifact.containerImageUri,
      predictRoute: '/predict',
      healthRoute: '/health',
    };
  }
  return model;
}

/** The JSON kept in `versionDescription`: the quarantine mark, or empty when there is none. */
export function describeQuarantine(quarantine: Quarantine | undefined): string {
  return quarantine === undefined ? '' : JSON.stringify({ quarantine });
}

/** The quarantine mark in a `versionDescription`; text that is not ours means none. */
export function quarantineOf(description: string | null | undefined): Quarantine | undefined {
  if (!description || !description.trimStart().startsWith('{')) return undefined;
  try {
    const parsed = Quarantine.safeParse((JSON.parse(description) as { quarantine?: unknown }).quarantine);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The metadata of a Vertex Model version, or BackendUnavailableError (not retryable) naming the version. */
export function versionMetadataOf(model: VertexModel): VersionMetadata {
  const parsed = VersionMetadata.safeParse(fromProtoValue(model.metadata as ProtoValue | undefined));
  if (parsed.success) return parsed.data;
  const where = `${model.name ?? '(unnamed model)'} version ${model.versionId ?? '?'}`;
  const first = parsed.error.issues[0];
  throw new BackendUnavailableError(
    `Vertex AI: ${where} has no forecast-guard metadata (${first ? `${first.path.join('.') || 'metadata'}: ${first.message}` : 'unreadable'}); was it uploaded by another tool?`,
    VERTEX_BACKEND,
    { retryable: false },
  );
}

/** One Vertex Model version as the registry's ModelVersion. */
export function modelVersionFromVertex(model: VertexModel): ModelVersion {
  const meta = versionMetadataOf(model);
  const isbn = isbnOfModelName(model.name ?? '') ?? model.labels?.[ISBN_LABEL_KEY] ?? '';
  const createdAt = meta.createdAt ?? timestampToIso(model.versionCreateTime ?? model.createTime);
  if (createdAt === undefined) {
    throw new BackendUnavailableError(
      `Vertex AI: ${model.name} version ${model.versionId} has no creation time`,
      VERTEX_BACKEND,
      { retryable: false },
    );
  }
  const version: ModelVersion = {
    isbn,
    version: String(model.versionId ?? ''),
    createdAt,
    metrics: meta.metrics,
    params: meta.params,
    dataHash: meta.dataHash,
    trainedThrough: meta.trainedThrough,
    // Vertex returns aliases in no set order; sorted, two reads of one version compare equal.
    aliases: [...(model.versionAliases ?? [])].sort(),
    labels: userLabels(model.labels),
  };
  if (meta.pipelineRunId !== undefined) version.pipelineRunId = meta.pipelineRunId;
  const quarantine = quarantineOf(model.versionDescription);
  if (quarantine !== undefined) version.quarantine = quarantine;
  return version;
}

/** What a prediction is answered from: the version's stored forecast and where it starts. */
export function forecastSourceOf(model: VertexModel): ForecastSource {
  const meta = versionMetadataOf(model);
  return {
    version: String(model.versionId ?? ''),
    trainedThrough: meta.trainedThrough,
    forecast: meta.forecast,
  };
}

/** Label values cannot hold '.', so a metric in a label writes its decimal point as '_' or '-' (`12_5` = 12.5). */
function labelNumber(value: string | undefined): number | undefined {
  if (value === undefined || !/^[0-9]+([_-][0-9]+)?$/.test(value)) return undefined;
  return Number(value.replace(/[_-]/, '.'));
}

/** Holdout metrics in a Model's labels (`rmse`, `mape`), when the uploader put them there. */
export function metricsFromLabels(
  labels: Record<string, string> | null | undefined,
): ModelMetrics | undefined {
  const rmse = labelNumber(labels?.rmse ?? undefined);
  const mape = labelNumber(labels?.mape ?? undefined);
  return rmse === undefined || mape === undefined ? undefined : { rmse, mape };
}

/** Holdout metrics from a ModelEvaluation's `metrics` (a Struct holding `rmse` and `mape`, or `meanAbsolutePercentageError`). */
export function metricsFromEvaluation(metrics: unknown): ModelMetrics | undefined {
  if (metrics === null || typeof metrics !== 'object') return undefined;
  const m = metrics as Record<string, unknown>;
  const rmse = m.rmse ?? m.rootMeanSquaredError;
  const mape = m.mape ?? m.meanAbsolutePercentageError;
  if (typeof rmse !== 'number' || typeof mape !== 'number' || rmse < 0 || mape < 0) return undefined;
  return { rmse, mape };
}

/**
 * A Model version the pipeline uploaded (no forecast-guard metadata) as a
 * ModelVersion, saying in labels what could not be read (the conventions of
 * shared/domain/version-origin.ts): `fg.source=pipeline`; `fg.metrics=missing`
 * when neither an evaluation nor the labels give metrics (they then read as
 * MISSING_METRIC_VALUE, so no gate passes the version); `fg.trained_through=assumed`
 * when no `trained_through` label gives the training window (then the
 * Saturday on or before the upload). `vertex_model` names the Model.
 */
export function adoptedVersionFromVertex(
  model: VertexModel,
  isbn: string,
  version: string,
  evaluated?: ModelMetrics,
): ModelVersion {
  const createdAt = timestampToIso(model.versionCreateTime ?? model.createTime);
  if (createdAt === undefined) {
    throw new BackendUnavailableError(
      `Vertex AI: ${model.name} version ${model.versionId} has no creation time`,
      VERTEX_BACKEND,
      { retryable: false },
    );
  }
  const labels: Record<string, string> = {
    ...userLabels(model.labels),
    [ORIGIN_LABEL.source]: PIPELINE_SOURCE,
    vertex_model: lastSegment(withoutVersion(model.name ?? '')),
  };
  const metrics = evaluated ?? metricsFromLabels(model.labels);
  if (metrics === undefined) {
    labels[ORIGIN_LABEL.metrics] = METRICS_MISSING;
    labels[ORIGIN_LABEL.metricsReason] = 'no model evaluation and no rmse/mape labels on the Vertex AI Model';
  }
  const labelled = model.labels?.trained_through;
  let trainedThrough: string;
  if (labelled !== undefined && isIsoDate(labelled)) trainedThrough = labelled;
  else {
    trainedThrough = saturdayOnOrBefore(createdAt.slice(0, 10));
    labels[ORIGIN_LABEL.trainedThrough] = TRAINED_THROUGH_ASSUMED;
  }
  const adopted: ModelVersion = {
    isbn,
    version,
    createdAt,
    metrics: metrics ?? { rmse: MISSING_METRIC_VALUE, mape: MISSING_METRIC_VALUE },
    params: {
      vertexModel: withoutVersion(model.name ?? ''),
      vertexVersionId: String(model.versionId ?? ''),
      ...(model.artifactUri ? { artifactUri: model.artifactUri } : {}),
    },
    // What identifies the training data here is the uploaded artifact itself.
    dataHash: `vertex:${lastSegment(withoutVersion(model.name ?? ''))}@${model.versionId ?? ''}`,
    trainedThrough,
    aliases: [...(model.versionAliases ?? [])].sort(),
    labels,
  };
  const quarantine = quarantineOf(model.versionDescription);
  if (quarantine !== undefined) adopted.quarantine = quarantine;
  return adopted;
}

/** True when a Model version carries forecast-guard's metadata. */
export function hasVersionMetadata(model: VertexModel): boolean {
  return VersionMetadata.safeParse(fromProtoValue(model.metadata as ProtoValue | undefined)).success;
}
