/**
 * One book's distinct metric observations, newest last: the history the
 * metric-anomaly step (shared/services/health-check/anomaly-check.ts) keeps
 * for itself in `metric-observations` (id = ISBN), so judging a book costs
 * one document read and one write instead of a query over thousands of
 * hourly MetricPoints. An observation is one set of figures: the hourly runs
 * between two weekly actuals repeat it and add nothing. The step trims the
 * list to its newest `FG_ANOMALY_HISTORY` entries, so the document stays
 * bounded (at most MAX_METRIC_OBSERVATIONS entries of about 150 bytes, far
 * below Firestore's 1 MiB; test/unit/contracts/metric-observations.test.ts)
 * and needs no TTL.
 */
import { z } from 'zod';
import { documentId, isbn13, isoDateTime, versionId } from '../primitives';

/** The error metrics an observation records: every one the detector may watch. */
export const OBSERVED_METRICS = ['mape', 'rmse', 'smape', 'mase'] as const;
export type ObservedMetric = (typeof OBSERVED_METRICS)[number];

/** The largest history the step may keep (FG_ANOMALY_HISTORY's upper bound): ten years of weekly observations. */
export const MAX_METRIC_OBSERVATIONS = 520;

const metric = z.number().nonnegative();

export const MetricObservationEntry = z.object({
  /** When it was first seen: the health-check step that judged it. */
  at: isoDateTime,
  /** The run that saw it first: a retried run recognises its own entry by it. */
  runId: documentId,
  version: versionId,
  /** Percent. */
  mape: metric.optional(),
  rmse: metric.optional(),
  /** Percent. */
  smape: metric.optional(),
  mase: metric.optional(),
});
export type MetricObservationEntry = z.infer<typeof MetricObservationEntry>;

export const MetricObservations = z.object({
  isbn: isbn13,
  /** When the step last wrote it. */
  updatedAt: isoDateTime,
  /** MetricPoints read when the history was first seeded from them (absent when it started empty). */
  seededFromPoints: z.number().int().nonnegative().optional(),
  /** Oldest first. */
  observations: z.array(MetricObservationEntry).max(MAX_METRIC_OBSERVATIONS),
});
export type MetricObservations = z.infer<typeof MetricObservations>;
