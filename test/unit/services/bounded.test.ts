import { forEachBounded, mapLimit } from '../../../shared/services/bounded';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('forEachBounded', () => {
  it('calls fn once per item with its index, never more than `limit` at once', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: Array<[string, number]> = [];
    const items = Array.from({ length: 25 }, (_, i) => `item-${i}`);
    await forEachBounded(items, 4, async (item, index) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await tick(index % 3);
      seen.push([item, index]);
      inFlight--;
    });
    expect(peak).toBe(4);
    expect(seen.sort((a, b) => a[1] - b[1])).toEqual(items.map((item, i) => [item, i]));
  });

  it('does nothing for no items and copes with a limit above the item count', async () => {
    const calls: number[] = [];
    await forEachBounded([], 8, async () => void calls.push(1));
    await forEachBounded([1, 2], 8, async (n) => void calls.push(n));
    expect(calls.sort()).toEqual([1, 2]);
  });

  it('rethrows the first failure after the calls in flight settle, and starts no new ones', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = forEachBounded([0, 1, 2, 3, 4, 5, 6, 7], 2, async (n) => {
      started.push(n);
      await tick(n === 0 ? 1 : 5);
      if (n === 0) throw new Error('boom at 0');
      finished.push(n);
    });
    await expect(run).rejects.toThrow('boom at 0');
    expect(finished).toEqual([1]);
    expect(started.length).toBeLessThan(8);
  });
});

describe('mapLimit', () => {
  it('keeps input order while at most `limit` calls run', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n * 3));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });
});
