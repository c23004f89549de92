/**
 * One reading of each dashboard view answers every request for it that
 * arrives while it is being read and for `ttlMs` after: a hundred open
 * dashboards (or a load test) cost one set of backend reads per second, not
 * a hundred. A failed reading is not kept. At most `maxEntries` views are
 * kept, the least recently used going first: the keys come from request
 * paths (a chart per book), so without a bound every book anyone ever asked
 * for would stay in memory for the life of the stack.
 */
export class ViewCache {
  private readonly entries = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`maxEntries must be a whole number of at least 1 (got ${maxEntries})`);
    }
  }

  /** Views held now (never more than `maxEntries`). */
  get size(): number {
    return this.entries.size;
  }

  get<T>(key: string, read: () => Promise<T>): Promise<T> {
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) {
      // Most recently used goes last: a Map iterates in insertion order.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value as Promise<T>;
    }
    const value = read();
    const entry = { at: now, value };
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }
}
