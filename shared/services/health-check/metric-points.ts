/**
 * The metric series a health check leaves behind (shared/domain/history/rollup.ts):
 * one MetricPoint per book it scored, then each point folded into its book's
 * weekly MetricRollup. Written before the report, because the report marks
 * the run done: a run that dies in between is retried, rewrites the same
 * points (same ids) and folds nothing twice (the rollups remember their runs).
 */
import { COLLECTIONS } from '../../contracts/collections';
import {
  MetricPoint,
  MetricRollup,
  metricPointId,
  metricRollupId,
} from '../../contracts/documents/metric-point';
import { parseWith, safeParseWith } from '../../contracts/parse';
import { foldPoint, isoWeekOf, weekEnd } from '../../domain/history/rollup';
import type { Logger } from '../../logging/logger';
import type { StateStore } from '../../ports/state-store';
import { forEachBounded } from '../bounded';
import type { ModelOutcome } from './check-model';
import type { MetricRetention } from './settings';

/** Firestore commits at most 500 writes at once; each chunk is all or nothing. */
export const MAX_BATCH_WRITES = 500;

/** The point of one checked book, or undefined when no version was scored (nothing deployed). */
export function pointOf(
  outcome: ModelOutcome,
  runId: string,
  at: string,
  retentionMs: number,
): MetricPoint | undefined {
  if (outcome.version === undefined) return undefined;
  const h = outcome.health;
  const figures = h && h.version === outcome.version ? h : undefined;
  const point: MetricPoint = {
    isbn: outcome.isbn,
    at,
    runId,
    version: outcome.version,
    status: outcome.status,
    ...(figures ? { rmse: figures.rmse, mape: figures.mape } : {}),
    ...(figures?.smape === undefined ? {} : { smape: figures.smape }),
    ...(figures?.mase === undefined ? {} : { mase: figures.mase }),
    ...(figures && outcome.bias !== undefined ? { bias: outcome.bias } : {}),
    ...(outcome.psi === undefined ? {} : { psi: outcome.psi }),
    expireAt: new Date(Date.parse(at) + retentionMs).toISOString(),
  };
  return parseWith(MetricPoint, point, `MetricPoint ${outcome.isbn}`);
}

/** Writes the run's points in batches of at most MAX_BATCH_WRITES, then folds them into their rollups. */
export async function writeMetricPoints(
  outcomes: readonly ModelOutcome[],
  run: { runId: string; at: string },
  deps: { state: StateStore; logger: Logger },
  retention: MetricRetention,
): Promise<{ points: number; rollups: number }> {
  const points = outcomes
    .map((o) => pointOf(o, run.runId, run.at, retention.pointsMs))
    .filter((p): p is MetricPoint => p !== undefined);
  for (let i = 0; i < points.length; i += MAX_BATCH_WRITES) {
    await deps.state.batchSet(
      points.slice(i, i + MAX_BATCH_WRITES).map((p) => ({
        collection: COLLECTIONS.metricPoints,
        id: metricPointId(p.isbn, p.runId),
        data: p,
      })),
    );
  }
  const chunks: MetricPoint[][] = [];
  for (let i = 0; i < points.length; i += ROLLUPS_PER_TRANSACTION)
    chunks.push(points.slice(i, i + ROLLUPS_PER_TRANSACTION));
  let folded = 0;
  await forEachBounded(chunks, retention.concurrency, async (chunk) => {
    // Awaited before adding: `folded += await …` would read `folded` before the other chunks finish.
    const changed = await foldIntoRollups(deps.state, chunk, retention.rollupsMs, deps.logger);
    folded += changed;
  });
  return { points: points.length, rollups: folded };
}

/**
 * Rollups folded in one transaction, read with one `getAll`. One transaction
 * per rollup cost 9.8 s for 500 books on the Firestore emulator
 * (bench/metric-points.ts); 100 a time keeps each commit far under
 * Firestore's 500 writes, and a conflict
 * with a concurrent run (a manual check of the same books) retries only its
 * own hundred.
 */
export const ROLLUPS_PER_TRANSACTION = 100;

/** Folds each point into its week's rollup, in one transaction; how many rollups changed. */
async function foldIntoRollups(
  state: StateStore,
  points: readonly MetricPoint[],
  retentionMs: number,
  logger: Logger,
): Promise<number> {
  const targets = points.map((point) => {
    const week = isoWeekOf(point.at);
    return {
      point,
      id: metricRollupId(point.isbn, week),
      expireAt: new Date(weekEnd(week).getTime() + retentionMs).toISOString(),
    };
  });
  // The transaction body may run more than once: it only reads and writes; warnings are logged after.
  const result = await state.runTransaction(async (tx) => {
    // One round trip for the chunk's rollups (Firestore's getAll), not one read each.
    const docs = await tx.getAll(targets.map((t) => ({ collection: COLLECTIONS.metricRollups, id: t.id })));
    let changed = 0;
    const unreadable: string[] = [];
    targets.forEach((t, i) => {
      const doc = docs[i];
      const parsed = doc ? safeParseWith(MetricRollup, doc.data, `MetricRollup ${t.id}`) : undefined;
      // An unreadable rollup is replaced by this point's: the week loses its earlier shape, the series goes on.
      if (parsed && !parsed.ok) unreadable.push(parsed.error.message);
      const before = parsed?.ok ? parsed.value : undefined;
      const after = foldPoint(before, t.point, t.expireAt);
      if (after === before) return;
      tx.set(COLLECTIONS.metricRollups, t.id, after);
      changed++;
    });
    return { changed, unreadable };
  });
  for (const message of result.unreadable) logger.warning(`rollup replaced: ${message}`);
  return result.changed;
}
