/**
 * The three rules the study tunes, as the health check applies them
 * (`evaluateAccuracy` in shared/domain/thresholds.ts): the same comparisons,
 * written against a window's checks so that thousands of candidate × window
 * pairs cost microseconds. `test/unit/domain/backtest/rules.test.ts` holds
 * them equal to `evaluateAccuracy` at every check. Pure.
 */
import type { WindowCheck, WindowScore } from './window';

/** Which threshold a candidate sets. */
export type RuleId = 'rmseMax' | 'mapeMax' | 'degradationMaxPct';

export interface RuleSpec {
  id: RuleId;
  /** For people and plots. */
  label: string;
  unit: string;
  /** The candidate values studied, ascending. */
  candidates: readonly number[];
  /** Step of the grid, used to extend it for per-book overrides. */
  step: number;
  /**
   * The loosest per-book override the study writes. A book that needs more
   * to stay quiet when healthy has a model problem, not a threshold problem:
   * it gets this limit and is counted as capped, for someone to look at.
   */
  maxOverride: number;
}

const range = (from: number, to: number, step: number) =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

/** The product owner's ranges, with a margin: RMSE 60…120, MAPE 20…60 %, degradation 5…30 %. */
export const RULES: Readonly<Record<RuleId, RuleSpec>> = Object.freeze({
  rmseMax: {
    id: 'rmseMax',
    label: 'RMSE limit',
    unit: 'copies',
    candidates: range(60, 120, 10),
    step: 10,
    maxOverride: 240,
  },
  mapeMax: {
    id: 'mapeMax',
    label: 'MAPE limit',
    unit: '%',
    candidates: range(20, 60, 5),
    step: 5,
    maxOverride: 100,
  },
  degradationMaxPct: {
    id: 'degradationMaxPct',
    label: 'allowed degradation',
    unit: '%',
    candidates: range(5, 30, 5),
    step: 5,
    maxOverride: 60,
  },
});

/** Does the rule with this threshold fire at one check? Same comparisons as `evaluateAccuracy`. */
export function firesAtCheck(rule: RuleId, value: number, check: WindowCheck): boolean {
  switch (rule) {
    case 'rmseMax':
      return check.rmseLower >= value;
    case 'mapeMax':
      return check.mapeLower !== null && check.mapeLower >= value;
    case 'degradationMaxPct':
      // value × 100 > baseline × (100 + pct): multiplied out as evaluateAccuracy does.
      return check.rmseLower * 100 > check.expectedRmse * (100 + value);
  }
}

/** Does the rule fire at any of the window's checks (any hour while its live weeks arrived)? */
export function firesInWindow(rule: RuleId, value: number, score: WindowScore): boolean {
  return score.checks.some((c) => firesAtCheck(rule, value, c));
}

/**
 * The smallest threshold at which the rule stays silent through the whole
 * window: the figure each check compares, at its highest. RMSE and MAPE fire
 * at ≥ the limit, so silence needs a limit above it; degradation fires above
 * `limit` %, so silence needs a limit at or above it. `null` when the rule
 * never sees a figure (MAPE with no selling week).
 */
export function silencingStatistic(rule: RuleId, score: WindowScore): number | null {
  let max: number | null = null;
  for (const c of score.checks) {
    let v: number | null;
    if (rule === 'rmseMax') v = c.rmseLower;
    else if (rule === 'mapeMax') v = c.mapeLower;
    else
      v = c.expectedRmse > 0 ? (c.rmseLower / c.expectedRmse - 1) * 100 : c.rmseLower > 0 ? Infinity : null;
    if (v !== null && (max === null || v > max)) max = v;
  }
  return max;
}
