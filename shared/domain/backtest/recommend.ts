/**
 * Thresholds recommended from the study: per environment, the tightest
 * candidate whose false-alarm rate on healthy windows stays within that
 * environment's budget (a tighter limit catches more, so among those that
 * are quiet enough it misses least), and per book, a looser limit where the
 * environment's limit would still have fired on that book's healthy windows.
 * Pure.
 *
 * The budgets say what an alarm costs: production breaches page at once
 * (critical), so at most 2 % of healthy 12-week periods may alarm; staging's
 * are warnings in a daily summary, 5 %. Development keeps the product
 * owner's table off (its models are demos), so the study recommends nothing
 * for a rule development turns off.
 */
import type { Environment } from '../../contracts/primitives';
import { DEFAULT_THRESHOLDS, type ThresholdOverride } from '../thresholds';
import type { BookBacktest, CandidateRates, RuleRates } from './study';
import { meanMiss } from './study';
import { RULES, silencingStatistic, type RuleId } from './rules';

export const FALSE_ALARM_BUDGET: Readonly<Record<Environment, number>> = Object.freeze({
  production: 0.02,
  staging: 0.05,
  development: 0.1,
});

export const STUDIED_RULES: readonly RuleId[] = ['rmseMax', 'mapeMax', 'degradationMaxPct'];

export interface RuleRecommendation {
  /** null: the rule stays off. */
  value: number | null;
  current: number | null;
  falseAlarm: number | null;
  meanMiss: number | null;
  /** False when no candidate met the budget and the loosest was taken. */
  meetsBudget: boolean;
  why: string;
}

export interface EnvironmentRecommendation {
  environment: Environment;
  falseAlarmBudget: number;
  rules: Record<RuleId, RuleRecommendation>;
  /** The FG_THRESHOLDS_FILE content for this environment: every book whose thresholds differ from the defaults. */
  overrides: Record<string, ThresholdOverride>;
  /** Books given a looser limit than the environment's, per rule. */
  bookOverrides: Record<RuleId, number>;
  /** Of those, books that would need more than the rule's `maxOverride` and got that (their models need a look). */
  cappedBooks: Record<RuleId, string[]>;
}

const pct = (r: number | null) => (r === null ? 'n/a' : `${(r * 100).toFixed(1)} %`);

/** The tightest candidate within the budget, or the loosest when none is. */
export function pickCandidate(rates: RuleRates, budget: number): RuleRecommendation {
  const spec = RULES[rates.rule];
  const within = rates.candidates.find((c) => c.falseAlarm.rate !== null && c.falseAlarm.rate <= budget);
  const chosen: CandidateRates | undefined = within ?? rates.candidates[rates.candidates.length - 1];
  if (!chosen) throw new Error(`rule ${rates.rule} has no candidates`);
  const unit = spec.unit === '%' ? ' %' : '';
  const why = within
    ? `${chosen.value}${unit} is the tightest candidate whose false-alarm rate (${pct(chosen.falseAlarm.rate)}) is within the ${pct(budget)} budget`
    : `no candidate up to ${chosen.value}${unit} keeps false alarms within ${pct(budget)} (it gives ${pct(chosen.falseAlarm.rate)}); per-book overrides carry the rest`;
  return {
    value: chosen.value,
    current: null,
    falseAlarm: chosen.falseAlarm.rate,
    meanMiss: meanMiss(chosen),
    meetsBudget: within !== undefined,
    why,
  };
}

/**
 * The limit that keeps one book's healthy windows within the budget: the
 * environment's value, raised on the rule's grid past the windows' highest
 * figures, at most the rule's `maxOverride` (then `capped`). undefined when
 * the environment's value already does.
 */
export function bookLimit(
  rule: RuleId,
  base: number,
  book: BookBacktest,
  budget: number,
): { value: number; capped: boolean } | undefined {
  const stats = book.healthy
    .map((s) => silencingStatistic(rule, s))
    .filter((v): v is number => v !== null)
    .sort((a, b) => b - a);
  const allowed = Math.floor(budget * book.healthy.length);
  const stat = stats[allowed];
  if (stat === undefined) return undefined;
  // RMSE and MAPE fire at ≥ the limit, degradation above it.
  const silent = (v: number) => (rule === 'degradationMaxPct' ? v >= stat : v > stat);
  if (silent(base)) return undefined;
  const { step, maxOverride } = RULES[rule];
  if (!Number.isFinite(stat) || stat >= maxOverride)
    return { value: Math.max(base, maxOverride), capped: true };
  let v = base + Math.ceil((stat - base) / step) * step;
  if (!silent(v)) v += step;
  return { value: Math.min(v, maxOverride), capped: !silent(Math.min(v, maxOverride)) };
}

/** Recommendation and overrides file for one environment. */
export function recommendFor(
  environment: Environment,
  rates: Record<RuleId, RuleRates>,
  books: readonly BookBacktest[],
): EnvironmentRecommendation {
  const budget = FALSE_ALARM_BUDGET[environment];
  const defaults = DEFAULT_THRESHOLDS[environment];
  const rules = {} as Record<RuleId, RuleRecommendation>;
  const bookOverrides = { rmseMax: 0, mapeMax: 0, degradationMaxPct: 0 } as Record<RuleId, number>;
  const cappedBooks = { rmseMax: [], mapeMax: [], degradationMaxPct: [] } as Record<RuleId, string[]>;
  const perBook = new Map<string, ThresholdOverride>();
  for (const rule of STUDIED_RULES) {
    const current = defaults[rule];
    if (current === null) {
      rules[rule] = { ...offRecommendation(environment), current };
      continue;
    }
    const rec = { ...pickCandidate(rates[rule], budget), current };
    rules[rule] = rec;
    for (const book of books) {
      const own = rec.value === null ? undefined : bookLimit(rule, rec.value, book, budget);
      const value = own?.value ?? rec.value;
      if (own) bookOverrides[rule]++;
      if (own?.capped) cappedBooks[rule].push(book.isbn);
      if (value === current) continue;
      perBook.set(book.isbn, { ...perBook.get(book.isbn), [rule]: value });
    }
  }
  const overrides = Object.fromEntries([...perBook.entries()].sort(([a], [b]) => a.localeCompare(b)));
  return { environment, falseAlarmBudget: budget, rules, overrides, bookOverrides, cappedBooks };
}

function offRecommendation(environment: Environment): Omit<RuleRecommendation, 'current'> {
  return {
    value: null,
    falseAlarm: null,
    meanMiss: null,
    meetsBudget: true,
    why: `off in ${environment} by design (its models are demos); the study leaves it off`,
  };
}
