/** Folding health-check points into weekly rollups: ISO weeks, the running summaries, and retries counted once. */
import type { MetricPoint } from '../../../../shared/contracts/documents/metric-point';
import { MetricRollup } from '../../../../shared/contracts/documents/metric-point';
import { foldPoint, foldPoints, isoWeekOf, weekEnd } from '../../../../shared/domain/history/rollup';
import { ValidationError } from '../../../../shared/errors';

const ISBN = '9780722532935';

function point(at: string, runId: string, figures: Partial<MetricPoint> = {}): MetricPoint {
  return { isbn: ISBN, at, runId, version: '3', status: 'healthy', ...figures };
}

describe('isoWeekOf', () => {
  it.each([
    ['2025-01-06T00:00:00.000Z', '2025-01-06'], // a Monday is its own week
    ['2025-01-12T23:59:59.999Z', '2025-01-06'], // Sunday night belongs to the Monday before
    ['2025-01-01T09:00:00.000Z', '2024-12-30'], // ISO week 1 of 2025 starts in 2024
    ['2024-03-03T12:00:00.000Z', '2024-02-26'], // across a leap day
  ])('%s falls in the week of %s', (at, week) => {
    expect(isoWeekOf(at)).toBe(week);
  });

  it('refuses a time that is not one, naming it', () => {
    expect(() => isoWeekOf('2025-13-45')).toThrow(/at: "2025-13-45" is not an ISO 8601 date-time/);
  });

  it('ends a week at the next Monday, midnight UTC', () => {
    expect(weekEnd('2024-12-30').toISOString()).toBe('2025-01-06T00:00:00.000Z');
  });
});

describe('foldPoint', () => {
  const a = point('2025-01-06T09:00:00.000Z', 'hc-a', { rmse: 10, mape: 20, bias: -4, psi: 0.1 });
  const b = point('2025-01-06T10:00:00.000Z', 'hc-b', { rmse: 30, mape: 10, bias: 8, status: 'degraded' });
  const c = point('2025-01-07T10:00:00.000Z', 'hc-c', { rmse: 20, mape: 30, version: '4', psi: 0.4 });

  it('keeps mean, min, max and count of each figure, the statuses and the versions in order', () => {
    const rollup = foldPoints([c, a, b], '2027-01-11T00:00:00.000Z')!;
    expect(MetricRollup.parse(rollup)).toEqual(rollup);
    expect(rollup).toMatchObject({
      isbn: ISBN,
      week: '2025-01-06',
      points: 3,
      versions: ['3', '4'],
      statuses: { healthy: 2, degraded: 1 },
      rmse: { mean: 20, min: 10, max: 30, n: 3 },
      mape: { mean: 20, min: 10, max: 30, n: 3 },
      bias: { mean: 2, min: -4, max: 8, n: 2 },
      runIds: ['hc-a', 'hc-b', 'hc-c'],
      expireAt: '2027-01-11T00:00:00.000Z',
    });
    // PSI was measured twice: its mean is over those two, not over three points.
    expect(rollup.psi?.mean).toBeCloseTo(0.25, 10);
    expect(rollup.psi?.n).toBe(2);
  });

  it('folds a retried run once: the same rollup comes back', () => {
    const once = foldPoint(undefined, a, undefined);
    const twice = foldPoint(once, { ...a, rmse: 999 }, undefined);
    expect(twice).toBe(once);
    expect(twice.points).toBe(1);
    expect(twice.rmse).toEqual({ mean: 10, min: 10, max: 10, n: 1 });
  });

  it('gives the same rollup one point at a time as all at once', () => {
    const figures = Array.from({ length: 40 }, (_, i) =>
      point(
        `2025-01-${String(6 + (i % 7)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:00:00.000Z`,
        `hc-${i}`,
        {
          rmse: (i * 7.3) % 50,
          mape: (i * 3.1) % 40,
        },
      ),
    );
    let incremental: MetricRollup | undefined;
    for (const p of [...figures].sort((x, y) => x.at.localeCompare(y.at) || x.runId.localeCompare(y.runId)))
      incremental = foldPoint(incremental, p, undefined);
    const all = foldPoints(figures)!;
    const mean = figures.reduce((s, p) => s + p.rmse!, 0) / figures.length;
    expect(all.rmse?.mean).toBeCloseTo(mean, 9);
    expect(incremental?.rmse?.mean).toBeCloseTo(mean, 9);
    expect(all.rmse?.max).toBe(Math.max(...figures.map((p) => p.rmse!)));
    expect(incremental?.points).toBe(40);
  });

  it('takes a summary written without a count as one point', () => {
    const legacy: MetricRollup = {
      isbn: ISBN,
      week: '2025-01-06',
      points: 1,
      versions: ['3'],
      statuses: { healthy: 1 },
      rmse: { mean: 10, min: 10, max: 10 },
    };
    expect(foldPoint(legacy, b, undefined).rmse).toEqual({ mean: 20, min: 10, max: 30, n: 2 });
  });

  it('refuses a point of another week, naming it', () => {
    const rollup = foldPoint(undefined, a, undefined);
    const nextWeek = point('2025-01-13T09:00:00.000Z', 'hc-x');
    expect(() => foldPoint(rollup, nextWeek, undefined)).toThrow(ValidationError);
    expect(() => foldPoint(rollup, nextWeek, undefined)).toThrow(
      /week 2025-01-13.*rollup 9780722532935 2025-01-06/,
    );
  });

  it('has nothing to fold from no points', () => {
    expect(foldPoints([])).toBeUndefined();
  });
});
