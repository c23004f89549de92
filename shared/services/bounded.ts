/**
 * A tiny concurrency limiter: run `fn` over `items` with at most `limit` in
 * flight. Workers pull the next index, so 5,000 items never become 5,000
 * pending promises at once.
 */

/**
 * Calls `fn(item, index)` for every item, at most `limit` at a time, and
 * resolves when all are done. The first rejection stops workers from taking
 * new items and is rethrown once the calls in flight have settled.
 */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        await fn(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
  await Promise.all(workers);
  if (failure !== undefined) throw failure.error;
}

/**
 * Maps `items` through `fn` with at most `limit` calls in flight; results in
 * input order. Like forEachBounded, the first rejection stops new calls and
 * is rethrown once the calls in flight have settled.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  await forEachBounded(items, limit, async (item, index) => {
    results[index] = await fn(item, index);
  });
  return results;
}
