/**
 * The Ljung-Box portmanteau test: are a model's residuals autocorrelated?
 * Q = n (n + 2) Σ_{k=1..m} r_k² / (n − k), compared with a χ² distribution
 * of m − (p + q) degrees of freedom (the fitted ARMA terms use some up). A
 * small p-value says the model left structure in the data. Pure numerics,
 * with the χ² tail from the regularised incomplete gamma function
 * (series and continued fraction, as in Numerical Recipes §6.2).
 */
import { ValidationError } from '../../errors';

/** Sample autocorrelations r_1..r_maxLag of `x` (mean removed, biased denominator as Ljung-Box uses). */
export function autocorrelations(x: readonly number[], maxLag: number): number[] {
  const n = x.length;
  let mean = 0;
  for (const v of x) mean += v;
  mean /= n;
  let denominator = 0;
  for (const v of x) denominator += (v - mean) ** 2;
  const out: number[] = [];
  for (let k = 1; k <= maxLag; k++) {
    let s = 0;
    for (let t = k; t < n; t++) s += (x[t]! - mean) * (x[t - k]! - mean);
    out.push(denominator === 0 ? 0 : s / denominator);
  }
  return out;
}

export interface LjungBoxResult {
  q: number;
  lags: number;
  df: number;
  pValue: number;
  /** The autocorrelations tested, r_1..r_lags. */
  acf: number[];
}

/**
 * Ljung-Box over `lags` lags of `residuals`, with `fittedParams` ARMA terms
 * taken off the degrees of freedom (at least 1 is kept). Throws a
 * ValidationError naming the argument when the series is too short or not finite.
 */
export function ljungBox(residuals: readonly number[], lags: number, fittedParams = 0): LjungBoxResult {
  if (!Number.isInteger(lags) || lags < 1) {
    throw new ValidationError(`lags must be a whole number ≥ 1 (got ${lags})`, ['lags']);
  }
  const n = residuals.length;
  if (n <= lags + 1) {
    throw new ValidationError(
      `residuals has ${n} values; Ljung-Box over ${lags} lags needs more than ${lags + 1}`,
      ['residuals'],
    );
  }
  const bad = residuals.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0)
    throw new ValidationError(`residuals[${bad}] is ${residuals[bad]}, must be finite`, [
      `residuals[${bad}]`,
    ]);
  const acf = autocorrelations(residuals, lags);
  let sum = 0;
  acf.forEach((r, i) => {
    sum += (r * r) / (n - (i + 1));
  });
  const q = n * (n + 2) * sum;
  const df = Math.max(1, lags - fittedParams);
  return { q, lags, df, pValue: chiSquareSurvival(q, df), acf };
}

/** P(X > x) for X ~ χ²(df). */
export function chiSquareSurvival(x: number, df: number): number {
  if (!(df > 0)) throw new ValidationError(`df must be > 0 (got ${df})`, ['df']);
  if (x <= 0) return 1;
  return regularizedGammaQ(df / 2, x / 2);
}

/** ln Γ(z) for z > 0 (Lanczos, g = 7, n = 9; ~15 significant digits). */
export function logGamma(z: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  const x = z - 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

const EPS = 1e-14;
const MAX_ITERATIONS = 500;

/** Q(a, x) = Γ(a, x) / Γ(a), the upper regularised incomplete gamma function. */
export function regularizedGammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const front = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) {
    // Series for P(a, x), then Q = 1 − P.
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < MAX_ITERATIONS; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPS) break;
    }
    return Math.max(0, 1 - sum * front);
  }
  // Continued fraction for Q (modified Lentz).
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.min(1, front * h);
}
