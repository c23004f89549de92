/**
 * From scored windows to the study's figures: the distribution of RMSE, MAPE
 * and degradation per book and per sales band, and for every candidate
 * threshold its false-alarm rate on healthy windows and its miss rate on
 * each injected degradation. Pure.
 */
import { bandOf, quantiles, SALES_BANDS, type Quantiles, type SalesBand } from './bands';
import { firesInWindow, RULES, type RuleId } from './rules';
import type { Injection, WindowScore } from './window';

/** One book's backtest: its healthy windows and the same windows with each injection. */
export interface BookBacktest {
  isbn: string;
  meanWeeklySales: number;
  healthy: WindowScore[];
  /** Injection id → the healthy windows with that injection, same order. */
  injected: Record<string, WindowScore[]>;
}

export interface Distribution {
  rmse: Quantiles | null;
  mape: Quantiles | null;
  degradationPct: Quantiles | null;
}

export interface BookSummary extends Distribution {
  isbn: string;
  band: string;
  meanWeeklySales: number;
  windows: number;
}

export interface BandSummary extends Distribution {
  id: string;
  label: string;
  books: number;
  windows: number;
}

/** A rate and what it was counted over; `rate` is null over no windows. */
export interface Rate {
  rate: number | null;
  windows: number;
}

export interface CandidateRates {
  value: number;
  falseAlarm: Rate;
  falseAlarmByBand: Record<string, Rate>;
  /** Injection id → miss rate over all books. */
  miss: Record<string, Rate>;
}

export interface RuleRates {
  rule: RuleId;
  label: string;
  unit: string;
  candidates: CandidateRates[];
}

export function distribution(scores: readonly WindowScore[]): Distribution {
  return {
    rmse: quantiles(scores.map((s) => s.rmse)),
    mape: quantiles(scores.flatMap((s) => (s.mape === null ? [] : [s.mape]))),
    degradationPct: quantiles(scores.flatMap((s) => (s.degradationPct === null ? [] : [s.degradationPct]))),
  };
}

export function summariseBooks(books: readonly BookBacktest[]): BookSummary[] {
  return books.map((b) => ({
    isbn: b.isbn,
    band: bandOf(b.meanWeeklySales).id,
    meanWeeklySales: Math.round(b.meanWeeklySales * 10) / 10,
    windows: b.healthy.length,
    ...distribution(b.healthy),
  }));
}

export function summariseBands(
  books: readonly BookBacktest[],
  bands: readonly SalesBand[] = SALES_BANDS,
): BandSummary[] {
  return bands.map((band) => {
    const members = books.filter((b) => bandOf(b.meanWeeklySales, bands).id === band.id);
    const windows = members.flatMap((b) => b.healthy);
    return {
      id: band.id,
      label: band.label,
      books: members.length,
      windows: windows.length,
      ...distribution(windows),
    };
  });
}

function rate(scores: readonly WindowScore[], fires: (s: WindowScore) => boolean, missing = false): Rate {
  if (scores.length === 0) return { rate: null, windows: 0 };
  let n = 0;
  for (const s of scores) if (fires(s) !== missing) n++;
  return { rate: n / scores.length, windows: scores.length };
}

/** False-alarm and miss rates of every candidate of `rule`. */
export function candidateRates(
  rule: RuleId,
  books: readonly BookBacktest[],
  injections: readonly Injection[],
  bands: readonly SalesBand[] = SALES_BANDS,
): RuleRates {
  const spec = RULES[rule];
  const healthy = books.flatMap((b) => b.healthy);
  const byBand = bands.map((band) => ({
    id: band.id,
    scores: books.filter((b) => bandOf(b.meanWeeklySales, bands).id === band.id).flatMap((b) => b.healthy),
  }));
  const injected = injections.map((inj) => ({
    id: inj.id,
    scores: books.flatMap((b) => b.injected[inj.id] ?? []),
  }));
  const candidates = spec.candidates.map((value) => {
    const fires = (s: WindowScore) => firesInWindow(rule, value, s);
    return {
      value,
      falseAlarm: rate(healthy, fires),
      falseAlarmByBand: Object.fromEntries(byBand.map((b) => [b.id, rate(b.scores, fires)])),
      miss: Object.fromEntries(injected.map((i) => [i.id, rate(i.scores, fires, true)])),
    };
  });
  return { rule, label: spec.label, unit: spec.unit, candidates };
}

/** The mean of the miss rates over the injections (null when none was measured). */
export function meanMiss(c: CandidateRates): number | null {
  const rates = Object.values(c.miss).flatMap((r) => (r.rate === null ? [] : [r.rate]));
  return rates.length === 0 ? null : rates.reduce((s, v) => s + v, 0) / rates.length;
}
