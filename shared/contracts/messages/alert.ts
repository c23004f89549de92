/**
 * `alerts`: one observation that something is wrong (or no longer wrong).
 * Producers publish every observation; alert-dispatch de-duplicates by
 * fingerprint = stable hash of (environment, kind, isbn), so values such as
 * the RMSE seen are kept out of the identity and live in `details`.
 */
import { z } from 'zod';
import {
  correlationId,
  documentId,
  Environment,
  isbn13,
  isoDateTime,
  nonEmptyText,
  Severity,
  versionId,
} from '../primitives';

/** Every kind of problem forecast-guard raises. `test` is for `alerts test`, proving a channel works. */
export const AlertKind = z.enum([
  'rmse_above_threshold',
  'mape_above_threshold',
  'rmse_spike',
  'mape_increase',
  'performance_degradation',
  'pipeline_failed',
  'pipeline_stale',
  'endpoint_unhealthy',
  'registry_unreachable',
  'data_stale',
  'data_drift',
  'validation_failed',
  'rollback_failed',
  'build_failed',
  'deployment_failed',
  'test',
  /** A book's error metric jumped out of its own recent range (shared/domain/anomaly/detector.ts). */
  'metric_anomaly',
  'scheduler_unhealthy',
]);
export type AlertKind = z.infer<typeof AlertKind>;

/** Kinds about one model's accuracy: meaningless without the book they are about. */
export const MODEL_METRIC_ALERT_KINDS: readonly AlertKind[] = [
  'rmse_above_threshold',
  'mape_above_threshold',
  'rmse_spike',
  'mape_increase',
  'performance_degradation',
  'metric_anomaly',
];

export const AlertStatus = z.enum(['firing', 'resolved']);
export type AlertStatus = z.infer<typeof AlertStatus>;

export const Alert = z
  .object({
    kind: AlertKind,
    severity: Severity,
    status: AlertStatus,
    isbn: isbn13.optional(),
    modelVersion: versionId.optional(),
    /** One line a person reads first, e.g. "RMSE 112.4 is above the production limit 80". */
    summary: nonEmptyText.max(500, 'must be at most 500 characters'),
    /** Figures and links behind the summary (observed, threshold, baseline, logUrl…). */
    details: z.record(z.string(), z.unknown()).default({}),
    /** The component that saw it: `health-check`, `pipeline-events`, `rollback`… */
    source: nonEmptyText.max(100, 'must be at most 100 characters'),
    observedAt: isoDateTime,
    correlationId,
    /** Groups the alerts of one health-check run, so a summary can say "3 problems in run X". */
    runId: documentId.optional(),
    /** Part of the fingerprint; alert-dispatch fills in its own environment when absent. */
    environment: Environment.optional(),
  })
  .superRefine((alert, ctx) => {
    if (alert.isbn === undefined && MODEL_METRIC_ALERT_KINDS.includes(alert.kind)) {
      ctx.addIssue({
        code: 'custom',
        path: ['isbn'],
        message: `is required for kind ${alert.kind}`,
        input: undefined,
      });
    }
  });
export type Alert = z.infer<typeof Alert>;
