import { fitArima } from '../../../../shared/forecasting/arima-fit';
import { mulberry32 } from '../../../../shared/fleet/prng';
import type { ValidationCheck } from '../../../../shared/domain/validation/check';
import {
  arimaSanityChecks,
  maFromVariances,
  parseOrder,
  sesResiduals,
} from '../../../../shared/domain/validation/arima-sanity';

function gaussian(n: number, seed: number): number[] {
  const rand = mulberry32(seed).next;
  return Array.from(
    { length: n },
    () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()),
  );
}

/** y_t = y_{t-1} + e_t + θ e_{t-1}: an ARIMA(0,1,1) with a known θ. */
function arima011(theta: number, n: number, seed: number): number[] {
  const e = gaussian(n, seed).map((v) => v * 0.2);
  const y = [4];
  for (let t = 1; t < n; t++) y.push(y[t - 1]! + e[t]! + theta * e[t - 1]!);
  return y;
}

const byName = (checks: ValidationCheck[]): Record<string, ValidationCheck> =>
  Object.fromEntries(checks.map((c) => [c.name, c]));
const flat = (weeks: number, level = 50) => Array.from({ length: weeks }, () => level);
const order011 = { order: { p: 0, d: 1, q: 1 }, transform: 'log1p-seasonal-profile' };

describe('ARIMA sanity', () => {
  it('recovers θ of an ARIMA(0,1,1) from a refit and finds white residuals', () => {
    const series = arima011(-0.7, 700, 11);
    const fit = fitArima(series, 3, { p: 0, d: 1, q: 1 }, undefined, () => 0);
    const ma = maFromVariances(fit.variance)!;
    expect(ma.alpha - 1).toBeCloseTo(-0.7, 1);
    expect(ma.mismatchPct).toBeLessThan(1);

    const { checks, model } = arimaSanityChecks({
      params: order011,
      refit: { ok: true, variance: fit.variance, fitted: series },
      forecast: flat(104),
    });
    const c = byName(checks);
    for (const name of ['arima.order', 'arima.ma1', 'arima.forecast-growth', 'arima.residuals']) {
      expect({ name, passed: (c[name] as { passed: boolean }).passed }).toEqual({ name, passed: true });
    }
    expect(model.order).toBe('(0,1,1)');
    expect(model.theta).toBeCloseTo(-0.7, 1);
    expect(model.ljungBox!.pValue).toBeGreaterThan(0.01);
  });

  it('flags residual autocorrelation the model left behind', () => {
    // AR(1) structure in the differences is not what an ARIMA(0,1,1) explains.
    const e = gaussian(700, 3);
    const y = [0];
    let d = 0;
    for (const v of e) {
      d = 0.7 * d + v;
      y.push(y[y.length - 1]! + d);
    }
    const residuals = sesResiduals(y, 1);
    expect(residuals).toHaveLength(y.length - 1);
    const { checks } = arimaSanityChecks({
      params: order011,
      refit: { ok: true, variance: [1, 2, 3], fitted: y },
      forecast: flat(104),
    });
    const c = byName(checks) as Record<string, { passed: boolean; detail: string }>;
    expect(c['arima.residuals']!.passed).toBe(false);
    expect(c['arima.residuals']!.detail).toMatch(/Ljung-Box Q = [0-9.]+ over 10 lags \(df 9\), p = 0\.000/);
  });

  it('does not judge the MA term without a training window, and fails a refit that broke', () => {
    const none = byName(arimaSanityChecks({ params: order011, forecast: flat(104) }).checks);
    expect(none['arima.ma1']).toMatchObject({
      passed: true,
      detail: 'not judged: no training window to refit',
    });
    const broke = byName(
      arimaSanityChecks({ params: order011, refit: { ok: false, reason: 'diverged' }, forecast: flat(104) })
        .checks,
    );
    expect(broke['arima.ma1']).toMatchObject({
      passed: false,
      detail: 'could not refit the training window: diverged',
    });
  });

  it('fails a variance pattern no invertible MA(1) can produce', () => {
    // (1+θ)² = 9 → |1+θ| = 3: no |θ| < 1 fits; Var(3) says 2·9 = 18 → 19.
    const { checks } = arimaSanityChecks({
      params: order011,
      refit: { ok: true, variance: [1, 10, 19], fitted: flat(60) },
      forecast: flat(104),
    });
    const ma = byName(checks)['arima.ma1'] as { passed: boolean; detail: string };
    expect(ma.passed).toBe(false);
    expect(ma.detail).toContain('no invertible θ fits');
  });

  it('fails an exploding or NaN forecast and passes a flat one', () => {
    const growing = Array.from({ length: 104 }, (_, i) => 10 * 1.03 ** i);
    const explode = byName(arimaSanityChecks({ params: order011, forecast: growing }).checks)[
      'arima.forecast-growth'
    ] as { passed: boolean; figure: number };
    expect(explode.passed).toBe(false);
    expect(explode.figure).toBeGreaterThan(3);
    const nan = byName(arimaSanityChecks({ params: order011, forecast: [1, null, 3] }).checks)[
      'arima.forecast-growth'
    ] as { passed: boolean; detail: string };
    expect(nan).toMatchObject({ passed: false, detail: 'week 2 of the served forecast is null (NaN)' });
  });

  it('reads orders as training records them or as arrays, and names out-of-bounds terms', () => {
    expect(parseOrder({ order: [2, 1, 1], seasonalOrder: [0, 1, 1, 52] })).toEqual({
      p: 2,
      d: 1,
      q: 1,
      seasonal: { P: 0, D: 1, Q: 1, s: 52 },
    });
    const bad = byName(
      arimaSanityChecks({ params: { order: { p: 7, d: 3, q: 1 } }, forecast: flat(52) }).checks,
    )['arima.order'] as { passed: boolean; detail: string };
    expect(bad).toMatchObject({ passed: false, detail: 'ARIMA(7,3,1): p=7 outside 0–5, d=3 outside 0–2' });
    const missing = byName(arimaSanityChecks({ params: {}, forecast: flat(52) }).checks)['arima.order'] as {
      passed: boolean;
    };
    expect(missing.passed).toBe(false);
  });

  it('says what it checks instead for orders whose coefficients cannot be recovered', () => {
    const c = byName(
      arimaSanityChecks({ params: { order: [2, 1, 1] }, forecast: flat(104) }).checks,
    ) as Record<string, { passed: boolean; detail: string }>;
    expect(c['arima.ma1']!.detail).toContain('forecast growth is checked instead');
    expect(c['arima.residuals']!.detail).toContain('only for ARIMA(0,1,1)');
    expect(c['arima.forecast-growth']!.passed).toBe(true);
  });
});
