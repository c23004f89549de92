import { ValidationError } from '../../../../shared/errors';
import {
  chiSquareQuantile,
  normalQuantile,
  studentTQuantile,
} from '../../../../shared/domain/health/statistics';

describe('normalQuantile', () => {
  it.each([
    [0.5, 0],
    [0.975, 1.959964],
    [0.95, 1.644854],
    [0.99, 2.326348],
    [0.001, -3.090232],
    [0.9999, 3.719016],
  ])('at %p is %p (central region and both tails)', (p, z) => {
    expect(normalQuantile(p)).toBeCloseTo(z, 5);
  });

  it('is symmetric', () => {
    for (const p of [0.01, 0.02, 0.1, 0.3]) expect(normalQuantile(p)).toBeCloseTo(-normalQuantile(1 - p), 9);
  });

  it.each([0, 1, -0.1, Number.NaN])('refuses p = %p, naming the field', (p) => {
    expect(() => normalQuantile(p)).toThrow(ValidationError);
    expect(() => normalQuantile(p)).toThrow(/p must be a probability/);
  });
});

describe('studentTQuantile', () => {
  it.each([
    [1, 6.3138, 1e-4],
    [2, 2.92, 1e-3],
    [3, 2.3534, 0.01],
    [5, 2.015, 0.005],
    [11, 1.7959, 0.002],
    [30, 1.6973, 0.001],
  ])('one-sided 95 %% with df %p is %p', (df, t, tolerance) => {
    expect(Math.abs(studentTQuantile(0.95, df) - t)).toBeLessThan(tolerance);
  });

  it('approaches the normal quantile as df grows', () => {
    expect(studentTQuantile(0.95, 10_000)).toBeCloseTo(normalQuantile(0.95), 3);
  });

  it('refuses a df that is not a whole number of at least 1', () => {
    expect(() => studentTQuantile(0.95, 0)).toThrow(/df must be a whole number of at least 1 \(got 0\)/);
    expect(() => studentTQuantile(0.95, 2.5)).toThrow(ValidationError);
  });
});

describe('chiSquareQuantile', () => {
  it.each([
    [0.95, 4, 9.4877],
    [0.99, 3, 11.3449],
    [0.95, 12, 21.026],
    [0.05, 10, 3.9403],
  ])('at %p with df %p is about %p (within 0.5 %%)', (p, df, q) => {
    expect(Math.abs(chiSquareQuantile(p, df) - q) / q).toBeLessThan(0.005);
  });

  it('is within 3 % at df 1, the roughest case of the approximation', () => {
    expect(Math.abs(chiSquareQuantile(0.95, 1) - 3.8415) / 3.8415).toBeLessThan(0.03);
  });
});
