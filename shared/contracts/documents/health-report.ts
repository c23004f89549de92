/** The record of one health-check run: what was checked, what it measured, which alerts it raised. */
import { z } from 'zod';
import { AlertKind } from '../messages/alert';
import {
  correlationId,
  documentId,
  durationMs,
  HealthStatus,
  isbn13,
  isoDateTime,
  Severity,
  HealthCheckTrigger,
  versionId,
} from '../primitives';

const metric = z.number().nonnegative();

/** One book's figures in a run: live error against actuals, beside the version's own holdout baseline. */
export const ModelHealth = z.object({
  isbn: isbn13,
  version: versionId,
  rmse: metric,
  /** Percent. */
  mape: metric,
  smape: metric.optional(),
  mase: metric.optional(),
  baselineRmse: metric,
  baselineMape: metric,
  status: HealthStatus,
  /** Time of one canary prediction against the endpoint. */
  canaryLatencyMs: metric.optional(),
});
export type ModelHealth = z.infer<typeof ModelHealth>;

export const HealthReport = z.object({
  runId: documentId,
  trigger: HealthCheckTrigger,
  startedAt: isoDateTime,
  finishedAt: isoDateTime,
  durationMs,
  status: HealthStatus,
  registry: z.object({ ok: z.boolean(), latencyMs: metric, error: z.string().optional() }),
  models: z.array(ModelHealth),
  alerts: z.array(z.object({ kind: AlertKind, severity: Severity, isbn: isbn13.optional() })),
  correlationId,
  /**
   * Books this run checked, per status, before the report was trimmed to fit
   * one document: the fleet-over-time view counts from it. Absent on reports
   * written before it existed (readers count `models` then).
   */
  /** `fleet`: every served book was checked; `books`: a run scoped to some books (absent on older reports). */
  scope: z.enum(['fleet', 'books']).optional(),
  counts: z.partialRecord(HealthStatus, z.number().int().nonnegative()).optional(),
  /** When the store stops returning it (and Firestore's TTL policy deletes it); writeReport sets it. */
  expireAt: isoDateTime.optional(),
});
export type HealthReport = z.infer<typeof HealthReport>;
