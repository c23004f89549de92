/** The dashboard's billing export reads BigQuery at most once per TTL, and retries after a failure. */
import type { BillingExport } from '../../../shared/ports/billing-export';
import { cachedBillingExport } from '../../../shared/wiring/cost';

describe('cachedBillingExport', () => {
  const from = new Date('2026-05-31T00:00:00Z');
  const to = new Date('2026-06-30T00:00:00Z');

  it('answers from the last read while it is fresh', async () => {
    let reads = 0;
    const inner: BillingExport = {
      table: 'p.d.t',
      costByService: async () => [{ service: 'Vertex AI', cost: ++reads, currency: 'USD' }],
    };
    const cached = cachedBillingExport(inner, 60_000);
    expect((await cached.costByService(from, to))[0]!.cost).toBe(1);
    expect((await cached.costByService(from, to))[0]!.cost).toBe(1);
    expect(reads).toBe(1);
    expect(cachedBillingExport(inner, -1).table).toBe('p.d.t');
    const stale = cachedBillingExport(inner, -1); // every read is stale
    await stale.costByService(from, to);
    await stale.costByService(from, to);
    expect(reads).toBe(3);
  });

  it('does not keep a failed read', async () => {
    let calls = 0;
    const inner: BillingExport = {
      table: 'p.d.t',
      costByService: async () => {
        calls++;
        if (calls === 1) throw new Error('BigQuery unavailable');
        return [];
      },
    };
    const cached = cachedBillingExport(inner, 60_000);
    await expect(cached.costByService(from, to)).rejects.toThrow('BigQuery unavailable');
    await expect(cached.costByService(from, to)).resolves.toEqual([]);
    expect(calls).toBe(2);
  });
});
