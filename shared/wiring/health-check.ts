/**
 * The loaded Config mapped to a health check's settings, in one place, so the
 * function and the CLI judge the fleet the same way. Wiring is the only layer
 * that reads Config; the service sees plain values.
 */
import type { Config } from '../config';
import { DEFAULT_ANOMALY_OPTIONS } from '../domain/anomaly/detector';
import { DEFAULT_DRIFT_OPTIONS } from '../domain/health/drift';
import { DEFAULT_LIVE_ACCURACY_OPTIONS } from '../domain/health/live-accuracy';
import { DEFAULT_SCHEDULE_GRACE_MS } from '../domain/health/schedule-findings';
import { MAX_DOCUMENT_BYTES } from '../ports/state-store';
import {
  ANOMALY_METRICS,
  type AnomalyMetric,
  type HealthCheckSettings,
} from '../services/health-check/settings';
import { WATCHED_SCHEDULES } from '../topology';

/**
 * Of a report document's MAX_DOCUMENT_BYTES, what is kept back from the alerts
 * and figures for everything else it holds (run id, times, registry ping,
 * omitted counts: a few KB) with a wide margin: the budget is 960,000 bytes.
 */
const REPORT_HEADROOM_BYTES = 88_576;

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
    sliceSize: config.alerting.healthSlice,
    accuracy: { ...DEFAULT_LIVE_ACCURACY_OPTIONS },
    drift: { ...DEFAULT_DRIFT_OPTIONS },
    pipelineRunsLimit: 100,
    publishConcurrency: 16,
    reportBudgetBytes: MAX_DOCUMENT_BYTES - REPORT_HEADROOM_BYTES,
    anomaly: {
      enabled: config.anomaly.metrics.length > 0,
      // The schema admits only these names; the filter keeps the type honest.
      metrics: config.anomaly.metrics.filter((m): m is AnomalyMetric =>
        (ANOMALY_METRICS as readonly string[]).includes(m),
      ),
      detector: { ...DEFAULT_ANOMALY_OPTIONS, k: config.anomaly.k, baseline: config.anomaly.baseline },
      history: config.anomaly.history,
      seedPointsRead: config.anomaly.seedPoints,
      concurrency: config.alerting.healthConcurrency,
    },
    schedules: { watched: WATCHED_SCHEDULES, graceMs: DEFAULT_SCHEDULE_GRACE_MS },
    metricRetention: {
      pointsMs: config.history.pointRetentionMs,
      rollupsMs: config.history.rollupRetentionMs,
      concurrency: 4,
    },
    ...overrides,
  };
}
