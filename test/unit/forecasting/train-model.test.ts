import { ValidationError } from '../../../shared/errors';
import { DEFAULT_BOOKS } from '../../../shared/fleet/catalogue';
import { generateSales } from '../../../shared/fleet/sales-generator';
import { fitArima, ModelFitError } from '../../../shared/forecasting/arima-fit';
import { trainingDataHash } from '../../../shared/domain/series/data-hash';
import { trainModel } from '../../../shared/forecasting/train-model';
import { addWeeks } from '../../../shared/domain/series/weeks';
import { ModelMetrics } from '../../../shared/contracts/model';

const alchemist = generateSales(DEFAULT_BOOKS[0]!, { seed: 42 });
const cutoff = '2024-06-29';

describe('trainModel', () => {
  const model = trainModel(alchemist, { cutoff });

  it('forecasts `horizon` weeks after the cutoff, non-negative, with an ordered 95 % interval', () => {
    expect(model.trainedThrough).toBe(cutoff);
    const { mean, lower, upper } = model.forecast;
    expect(mean).toHaveLength(104);
    expect(lower).toHaveLength(104);
    expect(upper).toHaveLength(104);
    for (let i = 0; i < 104; i++) {
      expect(Number.isFinite(upper[i]!)).toBe(true);
      expect(lower[i]!).toBeGreaterThanOrEqual(0);
      expect(lower[i]!).toBeLessThanOrEqual(mean[i]!);
      expect(mean[i]!).toBeLessThanOrEqual(upper[i]!);
    }
    // The forecast carries the Christmas peak: the week ending 2024-12-21 (week 25) beats mid-September (week 11).
    expect(mean[24]!).toBeGreaterThan(1.5 * mean[10]!);
  });

  it('scores the last 32 weeks of the training window with finite metrics in the registry shape', () => {
    expect(ModelMetrics.parse(model.metrics)).toEqual(model.metrics);
    for (const value of Object.values(model.metrics)) expect(Number.isFinite(value)).toBe(true);
    expect(model.holdout.weeks[model.holdout.weeks.length - 1]).toBe(cutoff);
    expect(model.holdout.weeks[0]! >= addWeeks(cutoff, -31)).toBe(true);
    expect(model.holdout.actual).toHaveLength(model.holdout.predicted.length);
    expect(model.metrics.holdoutWeeks).toBe(model.holdout.actual.length);
    expect(model.holdout.actual.length).toBeGreaterThan(28);
    // A typical backlist title meets the production thresholds (RMSE < 80, MAPE < 30 %).
    expect(model.metrics.rmse).toBeLessThan(80);
    expect(model.metrics.mape).toBeLessThan(30);
  });

  it('records the order, transform and training-data hash, and ignores weeks after the cutoff', () => {
    expect(model.params).toMatchObject({ order: { p: 0, d: 1, q: 1 }, transform: 'log1p-seasonal-profile' });
    expect(model.params.seasonalProfile).toHaveLength(52);
    expect(model.params.fitMs).toBeGreaterThan(0);
    expect(model.dataHash).toBe(trainingDataHash(alchemist.isbn, alchemist.points, cutoff));
    const withFuture = {
      ...alchemist,
      points: alchemist.points.map((p) => (p.weekEnding > cutoff ? { ...p, volume: p.volume * 10 } : p)),
    };
    const again = trainModel(withFuture, { cutoff });
    expect(again.forecast).toEqual(model.forecast);
    expect(again.dataHash).toBe(model.dataHash);
  });

  it('accepts bare points with an isbn, and a shorter horizon and holdout', () => {
    const small = trainModel(alchemist.points, {
      isbn: alchemist.isbn,
      cutoff,
      horizon: 12,
      holdoutWeeks: 8,
    });
    expect(small.forecast.mean).toHaveLength(12);
    expect(small.holdout.weeks.length).toBeLessThanOrEqual(8);
  });

  it('fits a seasonal order directly on log1p sales when asked', () => {
    const recent = { ...alchemist, points: alchemist.points.filter((p) => p.weekEnding >= '2020-01-01') };
    const sarima = trainModel(recent, {
      cutoff,
      order: { p: 0, d: 1, q: 1 },
      seasonalOrder: { P: 0, D: 1, Q: 1, s: 52 },
      horizon: 26,
    });
    expect(sarima.params).toMatchObject({ transform: 'log1p', seasonalOrder: { P: 0, D: 1, Q: 1, s: 52 } });
    expect(sarima.params.seasonalProfile).toBeUndefined();
    expect(sarima.forecast.mean.every((v) => v !== null && Number.isFinite(v) && v >= 0)).toBe(true);
  });

  it('falls back to (0,1,1) when a requested order diverges, and says so', () => {
    const outcomes = DEFAULT_BOOKS.slice(0, 4).map((book) =>
      trainModel(generateSales(book, { seed: 42 }), { cutoff, order: { p: 1, d: 1, q: 1 }, horizon: 26 }),
    );
    const fellBack = outcomes.filter((m) => m.params.fallbackFrom);
    expect(fellBack.length).toBeGreaterThan(0); // exact ML on (1,1,1) diverges on some of these books
    for (const m of fellBack) {
      expect(m.params).toMatchObject({ fallbackFrom: '(1,1,1)', order: { p: 0, d: 1, q: 1 } });
      expect(Number.isFinite(m.metrics.rmse)).toBe(true);
    }
    for (const m of outcomes.filter((o) => !o.params.fallbackFrom))
      expect(m.params.order).toEqual({ p: 1, d: 1, q: 1 });
  });

  it('rejects bad options, naming the field and the reason', () => {
    const fieldsOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError);
        return { fields: (err as ValidationError).fields, message: (err as Error).message };
      }
      throw new Error('expected a ValidationError');
    };
    expect(fieldsOf(() => trainModel(alchemist, { cutoff: '2024-06-28' }))).toEqual({
      fields: ['cutoff'],
      message: 'cutoff must be a Saturday (week ending) ISO date, got "2024-06-28"',
    });
    expect(fieldsOf(() => trainModel(alchemist.points, { cutoff })).fields).toEqual(['isbn']);
    expect(fieldsOf(() => trainModel(alchemist, { cutoff, horizon: 0 })).fields).toEqual(['horizon']);
    expect(fieldsOf(() => trainModel(alchemist, { cutoff, holdoutWeeks: 1.5 })).fields).toEqual([
      'holdoutWeeks',
    ]);
    expect(fieldsOf(() => trainModel(alchemist, { cutoff, order: { p: 9, d: 1, q: 1 } })).fields).toEqual([
      'order.p',
    ]);
    const shifted = alchemist.points.map((p, i) => (i === 3 ? { ...p, weekEnding: '2012-01-26' } : p));
    expect(fieldsOf(() => trainModel({ ...alchemist, points: shifted }, { cutoff })).fields).toEqual([
      'points[3].weekEnding',
    ]);
    const negative = alchemist.points.map((p, i) => (i === 5 ? { ...p, volume: -1 } : p));
    expect(fieldsOf(() => trainModel({ ...alchemist, points: negative }, { cutoff })).message).toBe(
      'points[5].volume -1 must be a whole number of copies, 0 or more',
    );
    const short = fieldsOf(() => trainModel(alchemist, { cutoff: '2012-06-30' }));
    expect(short.fields).toEqual(['series']);
    expect(short.message).toMatch(/series has 26 weeks up to 2012-06-30; needs at least 58/);
  });
});

describe('fitArima', () => {
  it('reports a fit it cannot make as a ModelFitError, not a crash', () => {
    expect(() => fitArima([1, 2, 3], 4, { p: 0, d: 1, q: 1 }, undefined, () => 0)).toThrow(ModelFitError);
    expect(() => fitArima([1, 2, 3], 4, { p: 0, d: 1, q: 1 }, undefined, () => 0)).toThrow(
      /\(0,1,1\) failed to fit: .*too short/,
    );
  });
});
