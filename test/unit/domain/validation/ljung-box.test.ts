import { mulberry32 } from '../../../../shared/fleet/prng';
import {
  autocorrelations,
  chiSquareSurvival,
  ljungBox,
  logGamma,
} from '../../../../shared/domain/validation/ljung-box';
import { ValidationError } from '../../../../shared/errors';

function gaussian(n: number, seed: number): number[] {
  const rand = mulberry32(seed).next;
  return Array.from(
    { length: n },
    () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()),
  );
}

describe('χ² tail', () => {
  it.each([
    [3.841459, 1, 0.05],
    [16.918978, 9, 0.05],
    [21.665994, 9, 0.01],
    [18.307038, 10, 0.05],
    [1, 2, Math.exp(-0.5)],
  ])('P(χ² > %f | df %i) = %f', (x, df, p) => {
    expect(chiSquareSurvival(x, df)).toBeCloseTo(p, 5);
  });

  it('knows ln Γ at integers and halves', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 10);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 10);
  });
});

describe('ljungBox', () => {
  it('matches the formula on a small hand-worked series', () => {
    const x = [1, 3, 2, 5, 4, 6, 5, 8, 7, 9];
    const r = autocorrelations(x, 2);
    const n = x.length;
    const q = n * (n + 2) * (r[0]! ** 2 / (n - 1) + r[1]! ** 2 / (n - 2));
    const lb = ljungBox(x, 2);
    expect(lb.q).toBeCloseTo(q, 12);
    expect(lb.df).toBe(2);
    expect(lb.pValue).toBeCloseTo(chiSquareSurvival(q, 2), 12);
  });

  it('does not flag white noise and flags an AR(1) with φ = 0.6', () => {
    const noise = gaussian(600, 7);
    expect(ljungBox(noise, 10, 1).pValue).toBeGreaterThan(0.05);
    const ar = [0];
    for (const e of noise) ar.push(0.6 * ar[ar.length - 1]! + e);
    const lb = ljungBox(ar, 10, 1);
    expect(lb.pValue).toBeLessThan(1e-6);
    expect(lb.acf[0]).toBeCloseTo(0.6, 1);
  });

  it('names what is wrong with its input', () => {
    expect(() => ljungBox([1, 2, 3], 5)).toThrow(ValidationError);
    expect(() => ljungBox([1, 2, Number.NaN, 4, 5, 6, 7], 2)).toThrow(/residuals\[2\]/);
  });
});
