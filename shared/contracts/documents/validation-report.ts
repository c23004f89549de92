/** The record of one post-deploy validation: every check with its figure, pass or fail. */
import { z } from 'zod';
import { correlationId, documentId, durationMs, isbn13, isoDateTime, versionId } from '../primitives';

export const ValidationCheck = z.object({
  /** `format`, `ranges`, `accuracy`, `regression`, `latency`… */
  name: z.string().min(1, 'must not be empty'),
  passed: z.boolean(),
  /** One line a person reads: "RMSE 71.2 < 80". */
  detail: z.string(),
  /** The number the check judged, when there is one. */
  figure: z.number().optional(),
});
export type ValidationCheck = z.infer<typeof ValidationCheck>;

export const ValidationReport = z.object({
  reportId: documentId,
  isbn: isbn13,
  version: versionId,
  passed: z.boolean(),
  /** How many predictions the batch made (1000+ across the fleet). */
  predictions: z.number().int().nonnegative(),
  checks: z.array(ValidationCheck),
  /** Prediction latency in milliseconds. */
  latency: z.object({ p50: z.number().nonnegative(), p95: z.number().nonnegative() }),
  startedAt: isoDateTime,
  durationMs,
  correlationId,
});
export type ValidationReport = z.infer<typeof ValidationReport>;
