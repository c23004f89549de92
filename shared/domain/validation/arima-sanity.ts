/**
 * Sanity of an ARIMA version, as far as it can be seen from outside the
 * model. The `arima` package (ctsa in WebAssembly) does not expose fitted
 * coefficients, so:
 *
 * - `arima.order`: the recorded order (and seasonal order) is present and
 *   within the bounds training accepts (p, q ≤ 5, d ≤ 2; P, Q ≤ 2, D ≤ 1, s 2–52).
 * - `arima.ma1`: for ARIMA(0,1,1) — the fleet's order — the MA coefficient is
 *   recovered from a refit's forecast-error variances: Var(h) = σ²(1 + (h−1)(1+θ)²),
 *   so (1+θ)² = Var(2)/Var(1) − 1, and Var(3) must agree. The ratio fixes
 *   |1+θ| only; an invertible θ (|θ| < 1) exists exactly when 0 < |1+θ| < 2,
 *   and that is what is checked (an MA part is always stationary; d = 1 with
 *   no AR terms is stationary after one difference). Other orders: said, not
 *   judged — growth bounds stand in for them.
 * - `arima.forecast-growth`: the served forecast is finite and does not
 *   explode: the second year's mean within 1/3–3 × the first year's.
 * - `arima.residuals`: one-step residuals of the recovered model on the
 *   training window (ARIMA(0,1,1) is simple exponential smoothing with
 *   α = 1 + θ) show no strong autocorrelation: Ljung-Box p ≥ 0.01.
 *
 * Pure: the refit is done by the caller (shared/services/validation/refit.ts).
 */
import { check, fmt, type ValidationCheck } from './check';
import { ljungBox, type LjungBoxResult } from './ljung-box';

export interface ParsedOrder {
  p: number;
  d: number;
  q: number;
  seasonal?: { P: number; D: number; Q: number; s: number };
}

/** What a refit of the recorded order on the training window gave. */
export type RefitResult =
  | {
      ok: true;
      /** Forecast-error variances for steps 1, 2, 3 (fitted scale). */
      variance: readonly number[];
      /** The series the model was fitted on (log1p, deseasonalised, cleaned). */
      fitted: readonly number[];
    }
  | { ok: false; reason: string };

export interface ArimaSanityInput {
  /** The version's params as recorded (`order`, `seasonalOrder`, `transform`). */
  params: Readonly<Record<string, unknown>>;
  /** Absent when there is no training window to refit (the MA check then says so and passes). */
  refit?: RefitResult;
  /** The longest forecast the version serves (104 weeks when it answers that many). */
  forecast?: ReadonlyArray<number | null>;
  /** Why there is no served forecast yet (a first deployment); the growth check then says so and passes. */
  forecastUnavailable?: string;
}

export interface ArimaSanityLimits {
  residualLags: number;
  minResidualPValue: number;
  maxYearOnYear: number;
  /** How far Var(3) may stray from what Var(2) implies, percent. */
  maxVarianceMismatchPct: number;
}

export const DEFAULT_ARIMA_LIMITS: Readonly<ArimaSanityLimits> = Object.freeze({
  residualLags: 10,
  minResidualPValue: 0.01,
  maxYearOnYear: 3,
  maxVarianceMismatchPct: 10,
});

/** What the report records about the fitted model. */
export interface RecordedModel {
  order?: string;
  theta?: number;
  sigma2?: number;
  ljungBox?: LjungBoxResult;
}

const BOUNDS = { p: 5, d: 2, q: 5, P: 2, D: 1, Q: 2 } as const;

function int(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

/** `{p,d,q}` (as training records it) or `[p,d,q]`; undefined when neither. */
export function parseOrder(params: Readonly<Record<string, unknown>>): ParsedOrder | undefined {
  const raw = params.order;
  const o = Array.isArray(raw)
    ? { p: int(raw[0]), d: int(raw[1]), q: int(raw[2]) }
    : typeof raw === 'object' && raw !== null
      ? {
          p: int((raw as Record<string, unknown>).p),
          d: int((raw as Record<string, unknown>).d),
          q: int((raw as Record<string, unknown>).q),
        }
      : undefined;
  if (!o || o.p === undefined || o.d === undefined || o.q === undefined) return undefined;
  const order: ParsedOrder = { p: o.p, d: o.d, q: o.q };
  const s = params.seasonalOrder;
  if (s !== undefined && s !== null) {
    const r = s as Record<string, unknown> & unknown[];
    const so = Array.isArray(s)
      ? { P: int(r[0]), D: int(r[1]), Q: int(r[2]), s: int(r[3]) }
      : { P: int(r.P), D: int(r.D), Q: int(r.Q), s: int(r.s) };
    if (so.P === undefined || so.D === undefined || so.Q === undefined || so.s === undefined)
      return undefined;
    order.seasonal = { P: so.P, D: so.D, Q: so.Q, s: so.s };
  }
  return order;
}

/** `(p,d,q)` or `(p,d,q)(P,D,Q)s`. */
export function describeParsedOrder(o: ParsedOrder): string {
  const base = `(${o.p},${o.d},${o.q})`;
  return o.seasonal ? `${base}(${o.seasonal.P},${o.seasonal.D},${o.seasonal.Q})${o.seasonal.s}` : base;
}

function orderProblems(o: ParsedOrder): string[] {
  const out: string[] = [];
  for (const k of ['p', 'd', 'q'] as const)
    if (o[k] < 0 || o[k] > BOUNDS[k]) out.push(`${k}=${o[k]} outside 0–${BOUNDS[k]}`);
  if (o.seasonal) {
    for (const k of ['P', 'D', 'Q'] as const) {
      if (o.seasonal[k] < 0 || o.seasonal[k] > BOUNDS[k])
        out.push(`${k}=${o.seasonal[k]} outside 0–${BOUNDS[k]}`);
    }
    if (o.seasonal.s < 2 || o.seasonal.s > 52) out.push(`s=${o.seasonal.s} outside 2–52`);
  }
  return out;
}

/** |1+θ| of an ARIMA(0,1,1) from its first three forecast-error variances, and how well Var(3) agrees. */
export function maFromVariances(
  variance: readonly number[],
): { alpha: number; mismatchPct: number } | undefined {
  const [v1, v2, v3] = variance;
  if (v1 === undefined || v2 === undefined || !(v1 > 0)) return undefined;
  const alpha2 = Math.max(0, v2 / v1 - 1);
  const implied = v3 === undefined ? alpha2 : Math.max(0, (v3 / v1 - 1) / 2);
  const mismatchPct = alpha2 > 0 ? (Math.abs(implied - alpha2) / alpha2) * 100 : implied > 0 ? Infinity : 0;
  return { alpha: Math.sqrt(alpha2), mismatchPct };
}

/** One-step residuals of ARIMA(0,1,1) ≡ simple exponential smoothing with weight `alpha`, started at the first value. */
export function sesResiduals(values: readonly number[], alpha: number): number[] {
  const out: number[] = [];
  let level = values[0] ?? 0;
  for (let t = 1; t < values.length; t++) {
    const e = values[t]! - level;
    out.push(e);
    level += alpha * e;
  }
  return out;
}

/** The four `arima.*` checks and what they recorded. */
export function arimaSanityChecks(
  input: ArimaSanityInput,
  limits: Partial<ArimaSanityLimits> = {},
): { checks: ValidationCheck[]; model: RecordedModel } {
  const l = { ...DEFAULT_ARIMA_LIMITS, ...limits };
  const checks: ValidationCheck[] = [];
  const model: RecordedModel = {};
  const order = parseOrder(input.params);
  if (!order) {
    checks.push(
      check(
        'arima.order',
        false,
        `no ARIMA order recorded in params (got ${JSON.stringify(input.params.order ?? null)})`,
      ),
    );
  } else {
    model.order = describeParsedOrder(order);
    const problems = orderProblems(order);
    const fallback =
      typeof input.params.fallbackFrom === 'string' ? `; fell back from ${input.params.fallbackFrom}` : '';
    checks.push(
      check(
        'arima.order',
        problems.length === 0,
        problems.length === 0
          ? `ARIMA${model.order} within bounds${fallback}; coefficients are not exposed by the arima package, so they are recovered below where the order allows`
          : `ARIMA${model.order}: ${problems.join(', ')}`,
      ),
    );
  }

  const isMa1 = order !== undefined && !order.seasonal && order.p === 0 && order.d === 1 && order.q === 1;
  const refit = input.refit;
  let alpha: number | undefined;
  if (!isMa1) {
    const why = order ? `ARIMA${describeParsedOrder(order)}` : 'an unknown order';
    checks.push(
      check(
        'arima.ma1',
        true,
        `not derivable for ${why}: only ARIMA(0,1,1)'s coefficient can be recovered from its forecast variances; forecast growth is checked instead`,
      ),
    );
  } else if (!refit) {
    // No training window to refit (no sales series): a data problem the data gates name, not the model's.
    checks.push(check('arima.ma1', true, 'not judged: no training window to refit'));
  } else if (!refit.ok) {
    checks.push(check('arima.ma1', false, `could not refit the training window: ${refit.reason}`));
  } else {
    const ma = maFromVariances(refit.variance);
    if (!ma) {
      checks.push(
        check(
          'arima.ma1',
          false,
          `the refit's forecast variances are unusable (${refit.variance.map(fmt).join(', ')})`,
        ),
      );
    } else {
      alpha = ma.alpha;
      const theta = ma.alpha - 1;
      model.theta = Math.round(theta * 1e4) / 1e4;
      model.sigma2 = refit.variance[0];
      const invertible = ma.alpha > 0.001 && ma.alpha < 1.999;
      const consistent = ma.mismatchPct <= l.maxVarianceMismatchPct;
      checks.push(
        check(
          'arima.ma1',
          invertible && consistent,
          `θ = ${fmt(theta)} (|1+θ| = ${fmt(ma.alpha)} from Var(2)/Var(1); ${invertible ? 'invertible, |θ| < 1' : 'no invertible θ fits'}); Var(3) agrees within ${fmt(ma.mismatchPct)} % (limit ${fmt(l.maxVarianceMismatchPct)} %)`,
          theta,
        ),
      );
    }
  }

  checks.push(
    input.forecast === undefined && input.forecastUnavailable !== undefined
      ? check('arima.forecast-growth', true, `not judged: ${input.forecastUnavailable}`)
      : growthCheck(input.forecast, l.maxYearOnYear),
  );

  if (alpha === undefined || !refit?.ok) {
    checks.push(
      check(
        'arima.residuals',
        true,
        isMa1
          ? 'not judged: no recovered model (see arima.ma1)'
          : 'not judged: residuals can be rebuilt only for ARIMA(0,1,1)',
      ),
    );
  } else {
    const residuals = sesResiduals(refit.fitted, alpha);
    const lags = Math.min(l.residualLags, Math.floor(residuals.length / 5));
    if (lags < 1) {
      checks.push(check('arima.residuals', true, `not judged: ${residuals.length} residuals are too few`));
    } else {
      const lb = ljungBox(residuals, lags, 1);
      model.ljungBox = lb;
      checks.push(
        check(
          'arima.residuals',
          lb.pValue >= l.minResidualPValue,
          `Ljung-Box Q = ${fmt(lb.q)} over ${lb.lags} lags (df ${lb.df}), p = ${lb.pValue.toFixed(3)} on ${residuals.length} training weeks; largest |r_k| ${fmt(Math.max(...lb.acf.map(Math.abs)))}; fails below p ${l.minResidualPValue}`,
          lb.pValue,
        ),
      );
    }
  }
  return { checks, model };
}

function growthCheck(
  forecast: ReadonlyArray<number | null> | undefined,
  maxYearOnYear: number,
): ValidationCheck {
  if (!forecast || forecast.length === 0)
    return check('arima.forecast-growth', false, 'no served forecast to judge');
  const bad = forecast.findIndex((v) => v === null || !Number.isFinite(v));
  if (bad >= 0)
    return check(
      'arima.forecast-growth',
      false,
      `week ${bad + 1} of the served forecast is ${forecast[bad] === null ? 'null (NaN)' : String(forecast[bad])}`,
    );
  const values = forecast as readonly number[];
  if (values.length < 104) {
    return check(
      'arima.forecast-growth',
      true,
      `finite over ${values.length} weeks; year-on-year growth needs 104 weeks`,
    );
  }
  const mean = (from: number, to: number) => values.slice(from, to).reduce((s, v) => s + v, 0) / (to - from);
  const first = mean(0, 52);
  const second = mean(52, 104);
  const ratio = first > 0 ? second / first : second > 0 ? Infinity : 1;
  return check(
    'arima.forecast-growth',
    ratio <= maxYearOnYear && ratio >= 1 / maxYearOnYear,
    `second year averages ${fmt(second)} a week, ${fmt(ratio)} × the first year's ${fmt(first)}; allowed 1/${fmt(maxYearOnYear)} to ${fmt(maxYearOnYear)} ×`,
    ratio,
  );
}
