/**
 * Versions forecast-guard did not register (the publisher's pipeline wrote
 * them) still become ModelVersions, so every service can see and act on them.
 * What could not be read is said in labels, never hidden:
 *
 * | label | meaning |
 * |---|---|
 * | `fg.source` = `pipeline` | registered by the training pipeline, read from its own records |
 * | `fg.metrics` = `missing` | the holdout metrics could not be read; `fg.metrics.reason` says why |
 * | `fg.trained_through` = `assumed` | the training window could not be read; `trainedThrough` is the Saturday on or before registration |
 *
 * A missing metric reads as MISSING_METRIC_VALUE (the largest double), not 0:
 * every accuracy gate then refuses the version instead of passing it, and the
 * readiness report (`forecast-guard adopt`) counts it as blocking monitoring.
 */
import type { ModelVersion } from '../contracts/model';

export const ORIGIN_LABEL = {
  source: 'fg.source',
  metrics: 'fg.metrics',
  metricsReason: 'fg.metrics.reason',
  trainedThrough: 'fg.trained_through',
} as const;

export const PIPELINE_SOURCE = 'pipeline';
export const METRICS_MISSING = 'missing';
export const TRAINED_THROUGH_ASSUMED = 'assumed';

/** What an unreadable metric reads as: worse than any real figure, so no gate passes it. */
export const MISSING_METRIC_VALUE = Number.MAX_VALUE;

/** Why a version has no usable holdout metrics, or undefined when it has them. */
export function missingMetrics(version: Pick<ModelVersion, 'labels'>): string | undefined {
  if (version.labels[ORIGIN_LABEL.metrics] !== METRICS_MISSING) return undefined;
  return version.labels[ORIGIN_LABEL.metricsReason] ?? 'metrics missing';
}

/** True when the version was registered by the pipeline, not by forecast-guard. */
export function isPipelineVersion(version: Pick<ModelVersion, 'labels'>): boolean {
  return version.labels[ORIGIN_LABEL.source] === PIPELINE_SOURCE;
}
