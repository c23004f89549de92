/**
 * Backtest windows: the figures of small series worked out by hand, the
 * checks the health check would make as live weeks arrive, and injections.
 */
import {
  DEFAULT_INJECTIONS,
  inject,
  scoreWindow,
  type BacktestWindow,
} from '../../../../shared/domain/backtest';
import { ValidationError } from '../../../../shared/errors';

const WEEKS = ['2024-01-06', '2024-01-13', '2024-01-20', '2024-01-27'];

function window(actual: number[], predicted: number[], training: number[], rmse = 10): BacktestWindow {
  return {
    isbn: '9780722532935',
    origin: '2023-12-30',
    live: { weeks: WEEKS.slice(0, actual.length), actual, predicted },
    training,
    baseline: { rmse, mape: 10, holdoutWeeks: 4 },
  };
}

const POINT = { maxLiveWeeks: 12, minLiveWeeks: 2, confidence: null };

describe('scoreWindow', () => {
  it('gives the RMSE, MAPE and degradation of a series worked out by hand', () => {
    // Errors ±10 on 100 every week: RMSE 10, MAPE 10 %; the holdout sold 100 a week too, so the
    // expected RMSE is the baseline's 10 and the degradation 0 %.
    const s = scoreWindow(window([100, 100, 100, 100], [110, 90, 110, 90], [100, 100, 100, 100]), POINT);
    expect(s).toBeDefined();
    expect(s?.rmse).toBeCloseTo(10, 10);
    expect(s?.mape).toBeCloseTo(10, 10);
    expect(s?.degradationPct).toBeCloseTo(0, 10);
    expect(s?.meanActual).toBe(100);
  });

  it('scales the baseline by the live sales level: twice the sales, twice the expected RMSE', () => {
    // Live sales 200 against a holdout at 100: errors of 20 are what the baseline of 10 expects.
    const s = scoreWindow(window([200, 200, 200, 200], [220, 180, 220, 180], [100, 100, 100, 100]), POINT);
    expect(s?.rmse).toBeCloseTo(20, 10);
    expect(s?.degradationPct).toBeCloseTo(0, 10);
    // Against a baseline of 8 the same errors are 25 % worse than expected.
    const worse = scoreWindow(
      window([200, 200, 200, 200], [220, 180, 220, 180], [100, 100, 100, 100], 8),
      POINT,
    );
    expect(worse?.degradationPct).toBeCloseTo(25, 10);
  });

  it('makes one check per number of live weeks the health check sees, from 2 up', () => {
    const s = scoreWindow(window([100, 100, 100, 100], [110, 90, 130, 90], [100, 100, 100, 100]), POINT);
    expect(s?.checks.map((c) => c.weeks)).toEqual([2, 3, 4]);
    // Point figures (confidence null): after 3 weeks RMSE is √((100+100+900)/3).
    expect(s?.checks[1]?.rmseLower).toBeCloseTo(Math.sqrt(1100 / 3), 10);
    expect(s?.checks[1]?.mapeLower).toBeCloseTo((10 + 10 + 30) / 3, 10);
  });

  it('compares lower confidence bounds when asked, so each check sits below the point figure', () => {
    const s = scoreWindow(window([100, 100, 100, 100], [110, 90, 110, 90], [100, 100, 100, 100]), {
      ...POINT,
      confidence: 0.95,
    });
    for (const c of s?.checks ?? []) expect(c.rmseLower).toBeLessThan(10);
  });

  it('leaves out a window with fewer live weeks than the health check judges', () => {
    expect(scoreWindow(window([100], [100], [100, 100]), POINT)).toBeUndefined();
  });

  it('refuses a window whose forecasts and actuals do not line up, naming it', () => {
    const bad = window([100, 100, 100], [100, 100], [100]);
    expect(() => scoreWindow(bad, POINT)).toThrow(ValidationError);
    expect(() => scoreWindow(bad, POINT)).toThrow(
      /9780722532935@2023-12-30 has 3 weeks, 3 actuals and 2 forecasts/,
    );
  });
});

describe('inject', () => {
  const healthy = window([100, 100, 100, 100], [100, 100, 100, 100], [100, 100, 100, 100]);

  it('multiplies the forecasts: ×1.5 on a perfect forecast of 100 is an RMSE of 50 and a MAPE of 50 %', () => {
    const x15 = DEFAULT_INJECTIONS.find((i) => i.id === 'forecast-x1.5');
    expect(x15).toBeDefined();
    const s = scoreWindow(inject(healthy, x15 ?? { id: '', label: '' }), POINT);
    expect(s?.rmse).toBeCloseTo(50, 10);
    expect(s?.mape).toBeCloseTo(50, 10);
  });

  it('shifts the actuals to whole copies and leaves training and baseline alone', () => {
    const shifted = inject(healthy, { id: 'level', label: 'level', actualFactor: 0.6 });
    expect(shifted.live.actual).toEqual([60, 60, 60, 60]);
    expect(shifted.live.predicted).toEqual([100, 100, 100, 100]);
    expect(shifted.training).toBe(healthy.training);
    expect(shifted.baseline).toBe(healthy.baseline);
  });
});
