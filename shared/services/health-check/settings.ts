/**
 * What a health check needs to know besides the ports: the environment's
 * thresholds, the alerting config, and the tuning of the accuracy and drift
 * rules. Plain values: shared/wiring/health-check.ts maps the loaded Config
 * to them, so the function and the CLI judge the fleet the same way.
 */
import { OBSERVED_METRICS, type ObservedMetric } from '../../contracts/documents/metric-observations';
import type { Environment } from '../../contracts/primitives';
import type { DriftOptions } from '../../domain/health/drift';
import type { ExpectedJob } from '../../domain/health/schedule-findings';
import type { LiveAccuracyOptions } from '../../domain/health/live-accuracy';
import type { ThresholdOverrides } from '../../domain/thresholds';
import type { AnomalyOptions } from '../../domain/anomaly/detector';

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
  /**
   * Books read and checked per slice (FG_HEALTH_SLICE, default 500): a slice's
   * actuals, versions and predictions are done with before the next slice is
   * read, so a run's memory follows the slice, not the fleet.
   */
  sliceSize?: number;
  accuracy: LiveAccuracyOptions;
  drift: DriftOptions;
  /** Pipeline runs read to judge the pipeline (most recent first). */
  pipelineRunsLimit: number;
  /** Alerts published at once. */
  publishConcurrency: number;
  /**
   * Bytes (as Firestore counts them, `firestoreSize`) the report's alerts and
   * per-model figures may take: a document holds at most MAX_DOCUMENT_BYTES
   * (1 MiB), and 5,000 models' figures take about 0.8 MiB.
   */
  reportBudgetBytes: number;
  /** The metric-anomaly step (anomaly-check.ts). */
  anomaly: AnomalySettings;
  /**
   * The scheduler jobs to watch (topology's WATCHED_SCHEDULES) and how long
   * after a due minute an attempt may still be missing; absent watches none.
   */
  schedules?: { watched: readonly ExpectedJob[]; graceMs: number };
  /** How long the per-run metric points and their weekly rollups are kept (docs/trends.md). */
  metricRetention: MetricRetention;
}

/** Error metrics the detector may watch: all of them get worse upwards (each observation records them all). */
export const ANOMALY_METRICS = OBSERVED_METRICS;
export type AnomalyMetric = ObservedMetric;

export interface AnomalySettings {
  enabled: boolean;
  metrics: readonly AnomalyMetric[];
  detector: AnomalyOptions;
  /** Observations kept per book in `metric-observations`: at least the baseline + the test window. */
  history: number;
  /** MetricPoints read, once per book, to seed its observation history when it has none (hourly runs write 168 a week). */
  seedPointsRead: number;
  /** Books judged at once. */
  concurrency: number;
}

/** How long the series is kept. */
export interface MetricRetention {
  /** A point expires this long after its run (FG_METRIC_RETENTION). */
  pointsMs: number;
  /** A weekly rollup expires this long after its week ends (FG_METRIC_ROLLUP_RETENTION). */
  rollupsMs: number;
  /** Transactions of rollup folds (ROLLUPS_PER_TRANSACTION books each) in flight at once. */
  concurrency: number;
}
