import { RETRY_MAX_MS, retryDelayMs } from '../../../../shared/domain/alerting/backoff';

describe('retryDelayMs', () => {
  it('doubles from 5 s per failed attempt and stops at 15 minutes', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n))).toEqual([5_000, 10_000, 20_000, 40_000, 80_000]);
    expect(retryDelayMs(30)).toBe(RETRY_MAX_MS);
    expect(retryDelayMs(1000)).toBe(RETRY_MAX_MS);
  });

  it('waits at least as long as the channel asked (Retry-After), within the cap', () => {
    expect(retryDelayMs(1, 30_000)).toBe(30_000);
    expect(retryDelayMs(1, 1_000)).toBe(5_000);
    expect(retryDelayMs(1, 24 * 3_600_000)).toBe(RETRY_MAX_MS);
  });
});
