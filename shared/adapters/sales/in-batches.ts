/**
 * A set of per-book reads with a bound on how many are in flight, for the
 * adapters whose `getSeriesFor` is one read per book (ranged object reads,
 * BigQuery queries). Adapters cannot use the services' limiter, hence this one.
 */

/** Ranged reads of a set in flight at once: enough to hide a request's latency, few enough to bound the buffers. */
export const SERIES_READS_AT_ONCE = 8;

/** `read` over `items`, at most `limit` at once, results in input order; the first failure is thrown. */
export async function inBatches<T, R>(
  items: readonly T[],
  limit: number,
  read: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await read(items[i] as T);
      } catch (err) {
        failed = true; // no new reads once one failed: the set fails as a whole
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
