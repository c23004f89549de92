import { ValidationError } from '../../../../shared/errors';
import {
  holdoutMetrics,
  mape,
  mase,
  maseLag,
  rmse,
  smape,
  wape,
} from '../../../../shared/domain/series/metrics';

// Hand-computed: errors (a - p) are -2, 2, -3, -1.
const actual = [10, 20, 30, 0];
const predicted = [12, 18, 33, 1];

describe('metrics', () => {
  it('rmse: sqrt((4 + 4 + 9 + 1) / 4)', () => {
    expect(rmse(actual, predicted)).toBeCloseTo(Math.sqrt(4.5), 10);
    expect(rmse([5, 5], [5, 5])).toBe(0);
  });

  it('mape: skips and counts the zero week, so a zero never divides', () => {
    const result = mape(actual, predicted);
    expect(result.percent).toBeCloseTo((100 * (0.2 + 0.1 + 0.1)) / 3, 10);
    expect(result).toMatchObject({ weeks: 3, zeroWeeksExcluded: 1 });
  });

  it('smape: 200/n * sum |a-p| / (|a|+|p|), bounded by 200, 0/0 counts as perfect', () => {
    expect(smape(actual, predicted)).toBeCloseTo(50 * (2 / 22 + 2 / 38 + 3 / 63 + 1), 10);
    expect(smape([0, 0], [0, 0])).toBe(0);
    expect(smape([0, 0], [3, 7])).toBe(200);
    expect(smape([10], [0])).toBe(200);
  });

  it('wape: total absolute error over total actuals', () => {
    expect(wape(actual, predicted)).toBeCloseTo((100 * 8) / 60, 10);
  });

  it('mase: scales by the seasonal-naive (lag 52) error when the training window has 53+ weeks', () => {
    const year = Array.from({ length: 52 }, (_, i) => i);
    const training = [...year, ...year.slice(0, 8).map((v) => v + 2)]; // lag-52 differences are all 2
    expect(maseLag(training.length)).toBe(52);
    expect(mase([10], [14], training)).toBeCloseTo(4 / 2, 10);
  });

  it('mase: falls back to lag 1 on a short training window', () => {
    expect(maseLag(52)).toBe(1);
    expect(mase(actual, predicted, [1, 2, 3, 4, 5])).toBeCloseTo(8 / 4 / 1, 10);
    expect(mase([1], [1], [3, 3, 3])).toBeUndefined(); // constant history: nothing to scale by
  });

  it('all-zero actuals: MAPE and WAPE are undefined, the registry figure is 0 for a zero forecast and 100 otherwise', () => {
    expect(mape([0, 0], [0, 0])).toEqual({ percent: undefined, weeks: 0, zeroWeeksExcluded: 2 });
    expect(wape([0, 0], [1, 0])).toBeUndefined();
    expect(holdoutMetrics([0, 0], [0, 0], [1, 2, 3]).mape).toBe(0);
    const wrong = holdoutMetrics([0, 0], [1, 0], [1, 2, 3]);
    expect(wrong).toMatchObject({
      mape: 100,
      rmse: Math.sqrt(0.5),
      smape: 100,
      holdoutWeeks: 2,
      zeroWeeksExcluded: 2,
    });
    expect(wrong).not.toHaveProperty('wape');
  });

  it('holdoutMetrics gathers every metric in the registry shape', () => {
    const m = holdoutMetrics(actual, predicted, [1, 2, 3, 4, 5]);
    expect(m).toEqual({
      rmse: rmse(actual, predicted),
      mape: mape(actual, predicted).percent,
      smape: smape(actual, predicted),
      wape: wape(actual, predicted),
      mase: 2,
      holdoutWeeks: 4,
      zeroWeeksExcluded: 1,
    });
  });

  it('rejects empty, mismatched and non-finite input with the field and reason', () => {
    expect(() => rmse([], [])).toThrow(new ValidationError('actual must not be empty', ['actual']));
    expect(() => mape([1, 2], [1])).toThrow('actual has 2 weeks but predicted has 1; they must match');
    expect(() => smape([1, 2], [1, Number.NaN])).toThrow('predicted[1] is NaN, must be a finite number');
    expect(() => wape([Infinity], [1])).toThrow('actual[0] is Infinity');
    expect(() => mase([1], [1], [1])).toThrow('training has 1 weeks, needs at least 2');
    try {
      rmse([1], [1, 2]);
    } catch (err) {
      expect((err as ValidationError).fields).toEqual(['predicted']);
    }
  });
});
