/**
 * Canary decisions: the split that gives a new version its share, each
 * version's live accuracy (its forecast against the actual sales that have
 * arrived for the weeks it forecasts), and the verdict after the bake —
 * promote when the canary served cleanly and is not worse than the baseline
 * beyond the tolerance, demote otherwise — with the A/B report that says
 * why. Pure.
 */
import { ValidationError } from '../../errors';
import { mape, rmse } from '../series/metrics';
import { fmt, type ValidationCheck } from './check';

/** The traffic split of a canary: `percent` to the candidate, the rest to the baseline. */
export function canarySplit(baseline: string, candidate: string, percent: number): Record<string, number> {
  if (!Number.isInteger(percent) || percent < 1 || percent > 99) {
    throw new ValidationError(`canary percent must be a whole number from 1 to 99 (got ${percent})`, [
      'canaryPercent',
    ]);
  }
  if (baseline === candidate) {
    throw new ValidationError(`the canary version ${candidate} already serves the book; nothing to compare`, [
      'version',
    ]);
  }
  return { [baseline]: 100 - percent, [candidate]: percent };
}

export interface LiveAccuracy {
  rmse: number;
  /** Percent; absent when every actual was zero. */
  mape?: number;
  weeks: number;
}

/** Accuracy of a forecast on the weeks that have actual sales; undefined when none do or a value is missing. */
export function liveAccuracy(
  forecast: { weeks: readonly string[]; values: ReadonlyArray<number | null> },
  actuals: ReadonlyMap<string, number>,
): LiveAccuracy | undefined {
  const a: number[] = [];
  const p: number[] = [];
  for (let i = 0; i < forecast.weeks.length; i++) {
    const actual = actuals.get(forecast.weeks[i]!);
    const v = forecast.values[i];
    if (actual === undefined) continue;
    if (v === null || v === undefined || !Number.isFinite(v)) return undefined;
    a.push(actual);
    p.push(v);
  }
  if (a.length === 0) return undefined;
  const m = mape(a, p).percent;
  return { rmse: rmse(a, p), ...(m === undefined ? {} : { mape: m }), weeks: a.length };
}

/** What one arm of the A/B did during the bake. */
export interface ArmFigures {
  version: string;
  trafficPercent: number;
  /** Live requests the endpoint routed to this version. */
  requests: number;
  /** Requests that failed or came back unusable (not finite, negative, wrong length). */
  errors: number;
  accuracy?: LiveAccuracy;
}

export interface CanaryReport {
  baseline: ArmFigures;
  canary: ArmFigures;
  decision: 'promote' | 'demote';
  reason: string;
  /** Canary RMSE against the baseline's, percent, when both were measurable. */
  rmseChangePct?: number;
  tolerancePct: number;
}

/**
 * The verdict after the bake. `shift` is the canary's forecast against the
 * baseline's (forecastShiftCheck): a forecast far off the serving one is
 * demoted even before actual sales arrive to score it.
 */
export function decideCanary(
  baseline: ArmFigures,
  canary: ArmFigures,
  tolerancePct: number,
  shift?: ValidationCheck,
): CanaryReport {
  const base = { baseline, canary, tolerancePct };
  if (canary.errors > 0) {
    return {
      ...base,
      decision: 'demote',
      reason: `the canary answered ${canary.errors} requests with errors or unusable forecasts`,
    };
  }
  if (shift && !shift.passed) {
    return {
      ...base,
      decision: 'demote',
      reason: `the canary's forecast is off the serving version's: ${shift.detail}`,
    };
  }
  const a = canary.accuracy;
  const b = baseline.accuracy;
  if (!a || !b || b.weeks === 0 || a.weeks === 0) {
    return {
      ...base,
      decision: 'promote',
      reason:
        'no actual sales yet for the weeks forecast, so live accuracy cannot be compared; the canary served every request cleanly',
    };
  }
  const change = b.rmse > 0 ? ((a.rmse - b.rmse) / b.rmse) * 100 : a.rmse > 0 ? Infinity : 0;
  const within = a.rmse * 100 <= b.rmse * (100 + tolerancePct);
  return {
    ...base,
    rmseChangePct: Number.isFinite(change) ? change : undefined,
    decision: within ? 'promote' : 'demote',
    reason: `live RMSE ${fmt(a.rmse)} vs ${fmt(b.rmse)} of version ${baseline.version} over ${a.weeks} weeks (${fmt(change)} %); tolerance +${fmt(tolerancePct)} %`,
  };
}
