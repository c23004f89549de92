/**
 * The health check's walk over the fleet in slices (FG_HEALTH_SLICE, default
 * 500 books). Per slice: the actuals of the slice's scored books in one read
 * (`SalesData.getSeriesFor`, where the adapter has it), then each book's
 * checks at most `concurrency` at once (its version and its prediction read
 * by check-model.ts), each book reduced to its ModelOutcome (figures,
 * findings, notes: no series, no forecast), and only then the next slice. So
 * what a run holds at once is one slice's actuals and `concurrency` books'
 * versions and predictions, whatever the size of the fleet; the outcomes of
 * the books done are what the rest of the run needs (anomalies, resolution,
 * publishing, metric points, the report), a few hundred bytes a book.
 */
import type { SalesSeries, ServingState } from '../../contracts/model';
import { describeError } from '../../errors';
import { forEachBounded } from '../bounded';
import { checkModel, servedVersion, type ModelOutcome, type SliceActuals } from './check-model';
import type { HealthCheckDeps } from './deps';
import type { HealthCheckSettings } from './settings';

/** Books per slice when the settings name none (FG_HEALTH_SLICE's default). */
export const DEFAULT_HEALTH_SLICE = 500;

export function sliceSizeOf(settings: Pick<HealthCheckSettings, 'sliceSize'>): number {
  return Math.max(1, Math.floor(settings.sliceSize ?? DEFAULT_HEALTH_SLICE));
}

/** The slice's actuals in one read, when the adapter can; one read per book otherwise. */
export async function readSliceActuals(
  slice: readonly ServingState[],
  deps: Pick<HealthCheckDeps, 'sales' | 'logger'>,
): Promise<SliceActuals> {
  const perBook: SliceActuals = { take: () => undefined };
  if (typeof deps.sales.getSeriesFor !== 'function') return perBook;
  // Only books with a version to score read actuals.
  const isbns = slice.filter((s) => servedVersion(s) !== undefined).map((s) => s.isbn);
  if (isbns.length === 0) return perBook;
  let found: Map<string, SalesSeries>;
  try {
    found = await deps.sales.getSeriesFor(isbns);
  } catch (err) {
    deps.logger.warning('health check: a slice of actuals was unreadable; reading its books one by one', {
      books: isbns.length,
      error: describeError(err),
    });
    return perBook;
  }
  const asked = new Set(isbns);
  return {
    take(isbn) {
      if (!asked.delete(isbn)) return undefined;
      const series = found.get(isbn);
      found.delete(isbn);
      return { series };
    },
  };
}

/** Every book's checks, slice after slice; outcomes in the served order. */
export async function checkInSlices(
  targets: readonly ServingState[],
  registryUp: boolean,
  deps: HealthCheckDeps,
  settings: HealthCheckSettings,
): Promise<ModelOutcome[]> {
  const size = sliceSizeOf(settings);
  const outcomes: ModelOutcome[] = [];
  for (let from = 0; from < targets.length; from += size) {
    const slice = targets.slice(from, from + size);
    const actuals = await readSliceActuals(slice, deps);
    const checked: ModelOutcome[] = new Array(slice.length);
    await forEachBounded(slice, settings.concurrency, async (state, i) => {
      checked[i] = await checkModel(state, registryUp, deps, settings, actuals);
    });
    for (const outcome of checked) outcomes.push(outcome);
  }
  return outcomes;
}
