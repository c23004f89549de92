/**
 * One book's figures from one health-check run: the time series behind the
 * dashboard's trends and the metric-anomaly detector. The health check writes
 * one point per book it scored (id `<isbn>:<runId>`, so a retried run
 * overwrites its own point), with an `expireAt` for the TTL policy; weekly
 * rollups (`metric-rollups`) keep the shape of older history after the points
 * expire.
 */
import { z } from 'zod';
import { documentId, HealthStatus, isbn13, isoDate, isoDateTime, versionId } from '../primitives';

const metric = z.number().nonnegative();

export const MetricPoint = z.object({
  isbn: isbn13,
  /** The run's finishedAt: when these figures were true. */
  at: isoDateTime,
  runId: documentId,
  /** The version that was scored (the one that answered the canary). */
  version: versionId,
  status: HealthStatus,
  /** Live error against actual sales; absent when the run could not judge accuracy (noted in its report). */
  rmse: metric.optional(),
  /** Percent. */
  mape: metric.optional(),
  /** Percent. */
  smape: metric.optional(),
  mase: metric.optional(),
  /** Mean of forecast − actual over the live weeks (copies a week): positive = over-forecast. */
  bias: z.number().optional(),
  /** Population Stability Index of recent sales against the training window. */
  psi: metric.optional(),
  /** When the store stops returning it (and Firestore's TTL policy deletes it). */
  expireAt: isoDateTime.optional(),
});
export type MetricPoint = z.infer<typeof MetricPoint>;

/** `n`: how many points carried the figure (a fold adds one more to the mean without the points). */
const summary = z.object({
  mean: z.number(),
  min: z.number(),
  max: z.number(),
  n: z.number().int().positive().optional(),
});

/** One book's points of one ISO week (Monday `week`), folded: kept long after the points expire. */
export const MetricRollup = z.object({
  isbn: isbn13,
  /** Monday of the ISO week, YYYY-MM-DD. */
  week: isoDate,
  points: z.number().int().positive(),
  /** Versions scored that week, oldest first. */
  versions: z.array(versionId),
  /** Points per status. */
  statuses: z.partialRecord(HealthStatus, z.number().int().nonnegative()),
  rmse: summary.optional(),
  mape: summary.optional(),
  smape: summary.optional(),
  mase: summary.optional(),
  bias: summary.optional(),
  psi: summary.optional(),
  /**
   * The runs folded in, so a retried run is not counted twice (the fold is
   * incremental: the week's points are never read back). Hourly runs add
   * 168 ids a week, a few KB.
   */
  runIds: z.array(documentId).optional(),
  expireAt: isoDateTime.optional(),
});
export type MetricRollup = z.infer<typeof MetricRollup>;

/** The id of a point: one per book and run. */
export const metricPointId = (isbn: string, runId: string): string => `${isbn}:${runId}`;
/** The id of a rollup: one per book and ISO week. */
export const metricRollupId = (isbn: string, week: string): string => `${isbn}:${week}`;
