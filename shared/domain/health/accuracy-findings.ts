/**
 * Live accuracy → findings, through the product owner's rules as
 * `evaluateAccuracy` (shared/domain/thresholds.ts) encodes them. Pure.
 *
 * What the rules are given:
 * - observed: the live RMSE and MAPE lower confidence bounds (see
 *   live-accuracy.ts), so a rule fires only when the live weeks leave no
 *   reasonable doubt that it is broken;
 * - baseline: the served version's holdout MAPE as it is, and its holdout
 *   RMSE scaled by `levelFactor` to the live weeks' sales level (the
 *   "expected RMSE"); absolute limits (RMSE below 80…) use no baseline.
 * The alert carries the point figures people read first, and the bound,
 * limit, baseline and scaling behind the decision in `details`.
 */
import type { ModelMetrics } from '../../contracts/model';
import type { AlertKind } from '../../contracts/messages/alert';
import { evaluateAccuracy, type AccuracyBreach, type Thresholds } from '../thresholds';
import type { Finding } from './findings';
import { DEFAULT_HOLDOUT_WEEKS, type LiveAccuracy } from './live-accuracy';

/** Kinds the RMSE rules decide: all of them are checked whenever live accuracy is measured. */
export const RMSE_RULE_KINDS: readonly AlertKind[] = [
  'rmse_above_threshold',
  'rmse_spike',
  'performance_degradation',
];
/** Kinds the MAPE rules decide: checked only when the live weeks give a MAPE. */
export const MAPE_RULE_KINDS: readonly AlertKind[] = ['mape_above_threshold', 'mape_increase'];

/** Rounds for people and documents: 3 significant decimals are plenty for copies and percent. */
export function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

const fmt = (n: number) => String(Number(n.toFixed(1)));

/** One served model's live figures, its version's holdout metrics and the thresholds that apply to it. */
export interface AccuracyInput {
  isbn: string;
  version: string;
  live: LiveAccuracy;
  baseline: ModelMetrics;
  thresholds: Thresholds;
}

/** The kinds whose rules this measurement could decide (MAPE rules need a MAPE bound). */
export function evaluatedAccuracyKinds(live: LiveAccuracy): AlertKind[] {
  return live.mapeLower === null ? [...RMSE_RULE_KINDS] : [...RMSE_RULE_KINDS, ...MAPE_RULE_KINDS];
}

/** The accuracy alerts of one served model (none when it is healthy). */
export function accuracyFindings(input: AccuracyInput): Finding[] {
  const { live, baseline, thresholds } = input;
  const expectedRmse = baseline.rmse * live.levelFactor;
  const breaches = evaluateAccuracy(
    { rmse: live.rmseLower, mape: live.mapeLower },
    { rmse: expectedRmse, mape: baseline.mape },
    thresholds,
  );
  return breaches.map((breach) => toFinding(breach, input, expectedRmse));
}

function toFinding(breach: AccuracyBreach, input: AccuracyInput, expectedRmse: number): Finding {
  const { isbn, version, live, baseline, thresholds } = input;
  const isMape = breach.kind === 'mape_above_threshold' || breach.kind === 'mape_increase';
  const point = isMape ? (live.mape ?? 0) : live.rmse;
  const reference = isMape ? baseline.mape : expectedRmse;
  // Absolute limits have no baseline; a change only means something for the rules against one.
  const relative = breach.baseline !== undefined;
  const changePct = relative && reference > 0 ? ((point - reference) / reference) * 100 : null;
  const confidence =
    live.confidence === null
      ? ''
      : ` (at least ${fmt(breach.observed)} at ${live.confidence * 100} % confidence)`;
  const what = `${isbn} v${version}: live ${isMape ? 'MAPE' : 'RMSE'} ${fmt(point)}${isMape ? ' %' : ''} over ${live.weeks} weeks${confidence}`;
  const over = changePct === null ? 'above a baseline of 0' : `${fmt(changePct)} % above`;
  const summaries: Record<string, string> = {
    rmse_above_threshold: `${what} is not below the limit ${fmt(breach.limit)}`,
    mape_above_threshold: `${what} is not below the limit ${fmt(breach.limit)} %`,
    rmse_spike: `RMSE spike: ${what} is ${over} the expected ${fmt(expectedRmse)} (spike: more than ${thresholds.rmseSpikePct} %)`,
    performance_degradation: `Performance degradation: ${what} is ${over} the expected ${fmt(expectedRmse)} (allowed: ${thresholds.degradationMaxPct} %)`,
    mape_increase: `MAPE increase: ${what} is ${over} the holdout MAPE ${fmt(baseline.mape)} % (allowed: ${thresholds.mapeIncreasePct} %)`,
  };
  return {
    kind: breach.kind,
    severity: breach.severity,
    isbn,
    modelVersion: version,
    summary: summaries[breach.kind]!,
    details: {
      rule: breach.detail,
      observed: {
        rmse: round3(live.rmse),
        mape: live.mape === null ? null : round3(live.mape),
        smape: round3(live.smape),
        ...(live.wape === undefined ? {} : { wape: round3(live.wape) }),
        ...(live.mase === undefined ? {} : { mase: round3(live.mase) }),
      },
      observedLowerBound: round3(breach.observed),
      confidence: live.confidence,
      limit: round3(breach.limit),
      ...(relative ? { changePct: changePct === null ? null : round3(changePct) } : {}),
      baseline: {
        rmse: round3(baseline.rmse),
        mape: round3(baseline.mape),
        holdoutWeeks: baseline.holdoutWeeks ?? DEFAULT_HOLDOUT_WEEKS,
      },
      ...(isMape ? {} : { expectedRmse: round3(expectedRmse), levelFactor: round3(live.levelFactor) }),
      liveWeeks: live.weeks,
      liveFrom: live.from,
      liveTo: live.to,
      zeroWeeksExcluded: live.zeroWeeksExcluded,
    },
  };
}
