/**
 * The product owner's three questions, answered in plain words from the
 * study's own rates: "Is RMSE < 80–100 appropriate? MAPE < 30–50 %? Are
 * 5–10 % degradation limits too strict?". Nothing here is a canned verdict:
 * each sentence is chosen by comparing the measured false-alarm and miss
 * rates with the environments' budgets. Pure.
 */
import type { SalesBand } from './bands';
import type { EnvironmentRecommendation } from './recommend';
import { FALSE_ALARM_BUDGET } from './recommend';
import { RULES, type RuleId } from './rules';
import type { CandidateRates, RuleRates } from './study';
import { meanMiss } from './study';

export type Verdict = 'too-strict' | 'too-strict-for-production' | 'appropriate' | 'too-loose';

export interface Answer {
  id: RuleId;
  question: string;
  verdict: Verdict;
  answer: string;
  /** The figures the answer quotes, for a reader who wants to check it. */
  figures: Array<{
    value: number;
    falseAlarm: number | null;
    worstBand: string | null;
    meanMiss: number | null;
  }>;
}

const QUESTIONS: Record<RuleId, { question: string; range: [number, number]; unit: string; name: string }> = {
  rmseMax: { question: 'Is RMSE < 80–100 appropriate?', range: [80, 100], unit: '', name: 'RMSE' },
  mapeMax: { question: 'Is MAPE < 30–50 % appropriate?', range: [30, 50], unit: ' %', name: 'MAPE' },
  degradationMaxPct: {
    question: 'Are 5–10 % degradation limits too strict?',
    range: [5, 10],
    unit: ' %',
    name: 'degradation',
  },
};

const pct = (r: number | null) => (r === null ? 'n/a' : `${(r * 100).toFixed(1)} %`);

function worstBand(c: CandidateRates, bands: readonly SalesBand[]): { label: string; rate: number } | null {
  let worst: { label: string; rate: number } | null = null;
  for (const band of bands) {
    const r = c.falseAlarmByBand[band.id]?.rate;
    if (r !== null && r !== undefined && (worst === null || r > worst.rate))
      worst = { label: band.label, rate: r };
  }
  return worst;
}

function verdictOf(low: CandidateRates, high: CandidateRates): Verdict {
  const fa = (c: CandidateRates) => c.falseAlarm.rate ?? 0;
  if (fa(high) > FALSE_ALARM_BUDGET.staging) return 'too-strict';
  if (fa(low) > FALSE_ALARM_BUDGET.production) return 'too-strict-for-production';
  if ((meanMiss(high) ?? 0) > 0.5) return 'too-loose';
  return 'appropriate';
}

function opening(rule: RuleId, verdict: Verdict, lo: string, hi: string): string {
  const strictQuestion = rule === 'degradationMaxPct';
  switch (verdict) {
    case 'too-strict':
      return `${strictQuestion ? 'Yes' : 'No'}: both ${lo} and ${hi} are too strict for this fleet.`;
    case 'too-strict-for-production':
      return `Partly: ${lo} is too strict for production, ${hi} is within staging's budget.`;
    case 'too-loose':
      return `${strictQuestion ? 'No' : 'Not as a safeguard'}: ${lo}–${hi} rarely false-alarms, but it is too loose to catch most injected degradations.`;
    case 'appropriate':
      return `${strictQuestion ? 'No' : 'Yes'}: ${lo}–${hi} is quiet on healthy periods and catches most injected degradations.`;
  }
}

function looser(rec: EnvironmentRecommendation, rule: RuleId, show: (v: number) => string): string {
  const n = rec.bookOverrides[rule];
  if (n === 0) return '';
  const capped = rec.cappedBooks[rule].length;
  const cap =
    capped > 0
      ? ` (${capped} of them capped at ${show(RULES[rule].maxOverride)}: their models need a look)`
      : '';
  return `, with ${n} books given a looser limit in production${cap}`;
}

/** The spike rule compares the same figures as degradation, at 20 %: say what the study implies for it. */
function spikeNote(rates: RuleRates): string {
  if (rates.rule !== 'degradationMaxPct') return '';
  const at20 = rates.candidates.find((c) => c.value === 20);
  if (!at20) return '';
  return ` The RMSE-spike rule (more than 20 % over the expected RMSE) makes the same comparison: ${pct(at20.falseAlarm.rate)} of healthy periods would have raised it.`;
}

/** One question's answer from the rule's rates and the recommendations. */
export function answerQuestion(
  rates: RuleRates,
  bands: readonly SalesBand[],
  production: EnvironmentRecommendation,
  staging: EnvironmentRecommendation,
): Answer {
  const q = QUESTIONS[rates.rule];
  const [lo, hi] = q.range.map((v) => rates.candidates.find((c) => c.value === v));
  if (!lo || !hi) throw new Error(`${rates.rule} candidates must include ${q.range.join(' and ')}`);
  const verdict = verdictOf(lo, hi);
  const show = (v: number) => `${v}${q.unit}`;
  const sentence = (c: CandidateRates) => {
    const w = worstBand(c, bands);
    const band = w ? ` (worst band ${w.label}: ${pct(w.rate)})` : '';
    return `at ${show(c.value)}, ${pct(c.falseAlarm.rate)} of healthy 12-week periods would have alarmed${band} and ${pct(meanMiss(c))} of injected degradations would have been missed`;
  };
  const rec = (r: EnvironmentRecommendation) => {
    const v = r.rules[rates.rule].value;
    return v === null ? 'off' : show(v);
  };
  const answer =
    `${opening(rates.rule, verdict, show(lo.value), show(hi.value))} Measured: ${sentence(lo)}; ${sentence(hi)}. ` +
    `Budgets: ${pct(FALSE_ALARM_BUDGET.production)} false alarms in production, ${pct(FALSE_ALARM_BUDGET.staging)} in staging. ` +
    `Recommended ${q.name} limit: ${rec(production)} in production, ${rec(staging)} in staging` +
    `${looser(production, rates.rule, show)}.${spikeNote(rates)}`;
  const figures = [lo, hi].map((c) => ({
    value: c.value,
    falseAlarm: c.falseAlarm.rate,
    worstBand: worstBand(c, bands)?.label ?? null,
    meanMiss: meanMiss(c),
  }));
  return { id: rates.rule, question: q.question, verdict, answer, figures };
}
