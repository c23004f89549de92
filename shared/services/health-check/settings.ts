/**
 * What a health check needs to know besides the ports: the environment's
 * thresholds, the alerting config, and the tuning of the accuracy and drift
 * rules. Built from the loaded Config in one place, so the function and the
 * CLI judge the fleet the same way.
 */
import type { Config } from '../../config';
import type { Environment } from '../../contracts/primitives';
import { DEFAULT_DRIFT_OPTIONS, type DriftOptions } from '../../domain/health/drift';
import { DEFAULT_LIVE_ACCURACY_OPTIONS, type LiveAccuracyOptions } from '../../domain/health/live-accuracy';
import type { ThresholdOverrides } from '../../domain/thresholds';

export interface HealthCheckSettings {
  environment: Environment;
  /** Per-ISBN threshold overrides (FG_THRESHOLDS_FILE). */
  thresholdOverrides: ThresholdOverrides;
  /** No successful training run for this long → `pipeline_stale`. */
  pipelineStaleAfterMs: number;
  /** Newest actual week older than this many weeks → `data_stale`. */
  dataFreshnessWeeks: number;
  /** Books checked at once. */
  concurrency: number;
  accuracy: LiveAccuracyOptions;
  drift: DriftOptions;
  /** Pipeline runs read to judge the pipeline (most recent first). */
  pipelineRunsLimit: number;
  /** Alerts published at once. */
  publishConcurrency: number;
  /**
   * Bytes (as Firestore counts them) the report's alerts and per-model
   * figures may take: a document holds at most 1 MiB, and 5,000 models'
   * figures take about 0.8 MiB.
   */
  reportBudgetBytes: number;
}

/** Settings from the loaded config; `overrides` for tests and benchmarks. */
export function healthCheckSettings(
  config: Config,
  overrides: Partial<HealthCheckSettings> = {},
): HealthCheckSettings {
  return {
    environment: config.environment,
    thresholdOverrides: config.thresholds.overrides,
    pipelineStaleAfterMs: config.alerting.pipelineStaleAfterMs,
    dataFreshnessWeeks: config.alerting.dataFreshnessWeeks,
    concurrency: config.alerting.healthConcurrency,
    accuracy: { ...DEFAULT_LIVE_ACCURACY_OPTIONS },
    drift: { ...DEFAULT_DRIFT_OPTIONS },
    pipelineRunsLimit: 100,
    publishConcurrency: 16,
    reportBudgetBytes: 960_000,
    ...overrides,
  };
}
