import { latencyCheck, latencySummary, percentile } from '../../../../shared/domain/validation/latency';

describe('latency', () => {
  it('takes nearest-rank percentiles', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(samples, 0.5)).toBe(50);
    expect(percentile(samples, 0.95)).toBe(95);
    expect(percentile([], 0.5)).toBe(0);
    expect(latencySummary([3, 1, 2])).toEqual({ p50: 2, p95: 3 });
  });

  it('fails a p95 over the budget and says both figures', () => {
    const c = latencyCheck({ p50: 40, p95: 1200 }, 1040, 1000);
    expect(c).toMatchObject({ name: 'latency', passed: false, figure: 1200 });
    expect(c.detail).toBe('p50 40 ms, p95 1200 ms over 1040 predictions; budget p95 ≤ 1000 ms');
  });
});
