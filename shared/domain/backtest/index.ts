/**
 * The threshold study's domain: rolling-origin windows scored like the
 * health check (window.ts), the rules as it applies them (rules.ts), sales
 * bands (bands.ts), rates (study.ts), recommendations and overrides
 * (recommend.ts) and the product owner's answers (answers.ts). Pure:
 * `studyThresholds` turns scored windows into the whole study.
 */
import { Environment } from '../../contracts/primitives';
import { answerQuestion, type Answer } from './answers';
import { SALES_BANDS, type SalesBand } from './bands';
import { recommendFor, STUDIED_RULES, type EnvironmentRecommendation } from './recommend';
import type { RuleId } from './rules';
import {
  candidateRates,
  distribution,
  summariseBands,
  summariseBooks,
  type BandSummary,
  type BookBacktest,
  type BookSummary,
  type Distribution,
  type RuleRates,
} from './study';
import type { Injection } from './window';

export * from './answers';
export * from './bands';
export * from './recommend';
export * from './rules';
export * from './study';
export * from './window';

export interface ThresholdStudy {
  bands: BandSummary[];
  fleet: Distribution & { books: number; windows: number };
  books: BookSummary[];
  injections: Injection[];
  rates: Record<RuleId, RuleRates>;
  recommendations: Record<Environment, EnvironmentRecommendation>;
  answers: Answer[];
}

export function studyThresholds(
  books: readonly BookBacktest[],
  injections: readonly Injection[],
  bands: readonly SalesBand[] = SALES_BANDS,
): ThresholdStudy {
  const healthy = books.flatMap((b) => b.healthy);
  const rates = Object.fromEntries(
    STUDIED_RULES.map((rule) => [rule, candidateRates(rule, books, injections, bands)]),
  ) as Record<RuleId, RuleRates>;
  const recommendations = Object.fromEntries(
    Environment.options.map((env) => [env, recommendFor(env, rates, books)]),
  ) as Record<Environment, EnvironmentRecommendation>;
  const answers = STUDIED_RULES.map((rule) =>
    answerQuestion(rates[rule], bands, recommendations.production, recommendations.staging),
  );
  return {
    bands: summariseBands(books, bands),
    fleet: { books: books.length, windows: healthy.length, ...distribution(healthy) },
    books: summariseBooks(books),
    injections: [...injections],
    rates,
    recommendations,
    answers,
  };
}
