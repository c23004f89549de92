/**
 * Prediction latency of a batch: p50 and p95 (nearest rank), and whether p95
 * stays within the budget. Figures in milliseconds. Pure.
 */
import { check, fmt, type ValidationCheck } from './check';

/** A budget a Vertex AI online endpoint meets comfortably for a 52-week ARIMA forecast. */
export const DEFAULT_LATENCY_BUDGET_MS = 1000;

/** Nearest-rank percentile (`q` in 0..1) of `samples`; 0 for none. */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

export interface LatencySummary {
  p50: number;
  p95: number;
}

/** p50 and p95, rounded to microseconds so reports stay readable. */
export function latencySummary(samples: readonly number[]): LatencySummary {
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return { p50: round(percentile(samples, 0.5)), p95: round(percentile(samples, 0.95)) };
}

/** `latency`: p95 within `budgetMs`. */
export function latencyCheck(
  summary: LatencySummary,
  samples: number,
  budgetMs = DEFAULT_LATENCY_BUDGET_MS,
): ValidationCheck {
  return check(
    'latency',
    summary.p95 <= budgetMs,
    `p50 ${fmt(summary.p50)} ms, p95 ${fmt(summary.p95)} ms over ${samples} predictions; budget p95 ≤ ${fmt(budgetMs)} ms`,
    summary.p95,
  );
}
