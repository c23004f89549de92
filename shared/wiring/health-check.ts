/**
 * The loaded Config mapped to a health check's settings, in one place, so the
 * function and the CLI judge the fleet the same way. Wiring is the only layer
 * that reads Config; the service sees plain values.
 */
import type { Config } from '../config';
import { DEFAULT_DRIFT_OPTIONS } from '../domain/health/drift';
import { DEFAULT_LIVE_ACCURACY_OPTIONS } from '../domain/health/live-accuracy';
import type { HealthCheckSettings } from '../services/health-check/settings';

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
