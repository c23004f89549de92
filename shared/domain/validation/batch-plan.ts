/**
 * What a validation run asks the endpoints: for every version under test,
 * every horizon from 1 to 52 weeks with and without the interval, repeated
 * until the run as a whole makes at least `minPredictions` predictions (the
 * product owner's 1,000+). Spreading the repeats over all versions keeps a
 * fleet run at the floor rather than 1,000 per book. Pure.
 */
import type { PredictInstance } from '../../contracts/model';
import { ValidationError } from '../../errors';

/** The product owner's floor for one validation run. */
export const DEFAULT_MIN_PREDICTIONS = 1000;
/** Horizons the batch covers: a year of weeks. */
export const BATCH_MAX_HORIZON = 52;

/** One prediction request of the batch: one instance, pinned to one version. */
export interface PlannedRequest {
  isbn: string;
  version: string;
  instance: PredictInstance;
}

/** The 1–`maxHorizon` × {without, with interval} grid, horizons interleaved so a cut-off batch still spans them. */
export function horizonGrid(maxHorizon = BATCH_MAX_HORIZON): PredictInstance[] {
  const grid: PredictInstance[] = [];
  for (let steps = 1; steps <= maxHorizon; steps++) {
    grid.push({ steps, return_confidence_intervals: false });
    grid.push({ steps, return_confidence_intervals: true });
  }
  return grid;
}

/** How many grid rounds each of `versions` versions gets so the run reaches `minPredictions`. */
export function roundsPerVersion(versions: number, minPredictions: number, gridSize: number): number {
  if (!Number.isInteger(versions) || versions < 1) {
    throw new ValidationError(`versions must be a whole number of at least 1 (got ${versions})`, [
      'versions',
    ]);
  }
  if (!Number.isInteger(minPredictions) || minPredictions < 0) {
    throw new ValidationError(`minPredictions must be a whole number ≥ 0 (got ${minPredictions})`, [
      'minPredictions',
    ]);
  }
  return Math.max(1, Math.ceil(minPredictions / (versions * gridSize)));
}

/**
 * The batch for `targets`: each gets the whole grid the same number of
 * times, and the total is at least `minPredictions` (one prediction per
 * request, so latency is measured per prediction, as live traffic sees it).
 */
export function planBatch(
  targets: ReadonlyArray<{ isbn: string; version: string }>,
  options: { minPredictions?: number; maxHorizon?: number } = {},
): PlannedRequest[] {
  const grid = horizonGrid(options.maxHorizon);
  const rounds = roundsPerVersion(
    targets.length,
    options.minPredictions ?? DEFAULT_MIN_PREDICTIONS,
    grid.length,
  );
  const out: PlannedRequest[] = [];
  for (const target of targets) {
    for (let r = 0; r < rounds; r++) {
      for (const instance of grid) out.push({ isbn: target.isbn, version: target.version, instance });
    }
  }
  return out;
}
