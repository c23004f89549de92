/**
 * The few distribution quantiles the health check needs to tell a real
 * change from the noise of a handful of weeks. Pure and closed-form (no
 * statistics package): accurate to a few parts in a thousand, which is far
 * finer than the weekly data they judge.
 */
import { ValidationError } from '../../errors';

function checkProbability(field: string, p: number): void {
  if (!(p > 0 && p < 1)) {
    throw new ValidationError(`${field} must be a probability strictly between 0 and 1 (got ${p})`, [field]);
  }
}

function checkDegrees(df: number): void {
  if (!Number.isInteger(df) || df < 1) {
    throw new ValidationError(`df must be a whole number of at least 1 (got ${df})`, ['df']);
  }
}

/**
 * Quantile of the standard normal distribution (Acklam's rational
 * approximation, relative error below 1.2e-9).
 */
export function normalQuantile(p: number): number {
  checkProbability('p', p);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) =>
    (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
    ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + 2.506628277459239) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/**
 * Quantile of Student's t with `df` degrees of freedom: exact for 1 and 2,
 * a Cornish-Fisher expansion around the normal quantile above (within 0.3 %
 * at df 3, better beyond).
 */
export function studentTQuantile(p: number, df: number): number {
  checkProbability('p', p);
  checkDegrees(df);
  if (df === 1) return Math.tan(Math.PI * (p - 0.5));
  if (df === 2) return (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
  const z = normalQuantile(p);
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return (
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3)
  );
}

/** Quantile of the chi-square distribution with `df` degrees of freedom (Wilson-Hilferty). */
export function chiSquareQuantile(p: number, df: number): number {
  checkProbability('p', p);
  checkDegrees(df);
  const k = 2 / (9 * df);
  return Math.max(0, df * (1 - k + normalQuantile(p) * Math.sqrt(k)) ** 3);
}
