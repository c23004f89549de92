/**
 * Data-quality gates on a version's training window — the sales up to
 * `trainedThrough` it learned from: enough history, few missing weeks and
 * no long gap, no negative sales, no week twice, week-ending dates that are
 * Saturdays, and the window still hashing to the version's `dataHash` (the
 * data it was trained on has not been revised since). Pure; each gate names
 * the weeks at fault.
 */
import { trainingDataHash } from '../series/data-hash';
import { isSaturday, saturdaysBetween } from '../series/weeks';
import { check, fmt, listSome, type ValidationCheck } from './check';

/** A row as it comes from the sales source, before anything is trusted. */
export interface RawSalesPoint {
  weekEnding: string;
  volume: number;
}

export interface DataQualityLimits {
  /** Weeks from the first row to the cutoff; training needs 26 to fit + 32 holdout. */
  minWeeks: number;
  /** Share of weeks with no row, percent. */
  maxMissingPct: number;
  /** Longest run of weeks with no row. */
  maxGapWeeks: number;
}

/**
 * `minWeeks` is train-model's MIN_FIT_WEEKS + DEFAULT_HOLDOUT_WEEKS (26 + 32),
 * written out so this pure module does not load the ARIMA WebAssembly; a
 * unit test holds the two together.
 */
export const DEFAULT_DATA_QUALITY_LIMITS: Readonly<DataQualityLimits> = Object.freeze({
  minWeeks: 58,
  maxMissingPct: 5,
  maxGapWeeks: 8,
});

export interface TrainingWindow {
  isbn: string;
  /** Every row of the book (rows after `trainedThrough` are ignored). */
  points: readonly RawSalesPoint[];
  trainedThrough: string;
  /** The version's recorded hash; the `data.hash` gate is left out when absent. */
  dataHash?: string;
}

/** The `data.*` gates for one training window. */
export function dataQualityChecks(
  window: TrainingWindow,
  limits: Partial<DataQualityLimits> = {},
): ValidationCheck[] {
  const l = { ...DEFAULT_DATA_QUALITY_LIMITS, ...limits };
  const rows = window.points.filter((p) => p.weekEnding <= window.trainedThrough);
  const checks: ValidationCheck[] = [];

  const notSaturday = rows.filter((p) => !isSaturday(p.weekEnding)).map((p) => p.weekEnding);
  checks.push(
    check(
      'data.week-endings',
      notSaturday.length === 0,
      notSaturday.length === 0
        ? `all ${rows.length} rows end on a Saturday`
        : `${notSaturday.length} rows do not end on a Saturday: ${listSome(notSaturday)}`,
      notSaturday.length,
    ),
  );

  const saturdays = rows.filter((p) => isSaturday(p.weekEnding));
  const first = saturdays.reduce<string | undefined>(
    (min, p) => (min === undefined || p.weekEnding < min ? p.weekEnding : min),
    undefined,
  );
  const calendar = first ? saturdaysBetween(first, window.trainedThrough) : [];
  checks.push(
    check(
      'data.history-length',
      calendar.length >= l.minWeeks,
      first
        ? `${calendar.length} weeks from ${first} to ${window.trainedThrough}; needs at least ${l.minWeeks}`
        : `no sales rows up to ${window.trainedThrough}; needs at least ${l.minWeeks} weeks`,
      calendar.length,
    ),
  );

  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const p of rows) {
    if (seen.has(p.weekEnding)) twice.add(p.weekEnding);
    seen.add(p.weekEnding);
  }
  checks.push(
    check(
      'data.duplicate-weeks',
      twice.size === 0,
      twice.size === 0
        ? 'no week appears twice'
        : `${twice.size} weeks appear more than once: ${listSome([...twice].sort())}`,
      twice.size,
    ),
  );

  const missing = calendar.filter((w) => !seen.has(w));
  let gap = 0;
  let longest = 0;
  let longestEnd = '';
  for (const w of calendar) {
    gap = seen.has(w) ? 0 : gap + 1;
    if (gap > longest) {
      longest = gap;
      longestEnd = w;
    }
  }
  const missingPct = calendar.length > 0 ? (missing.length / calendar.length) * 100 : 0;
  checks.push(
    check(
      'data.missing-weeks',
      missingPct <= l.maxMissingPct && longest <= l.maxGapWeeks,
      missing.length === 0
        ? `no missing weeks in ${calendar.length}`
        : `${missing.length} of ${calendar.length} weeks missing (${fmt(missingPct)} %, limit ${fmt(l.maxMissingPct)} %); longest gap ${longest} weeks${longest > 0 ? ` ending ${longestEnd}` : ''} (limit ${l.maxGapWeeks}); e.g. ${listSome(missing, 3)}`,
      missingPct,
    ),
  );

  const negative = rows.filter((p) => !(p.volume >= 0));
  checks.push(
    check(
      'data.negative-sales',
      negative.length === 0,
      negative.length === 0
        ? 'no negative sales'
        : `${negative.length} weeks with negative or unreadable sales: ${listSome(negative.map((p) => `${p.weekEnding} (${p.volume})`))}`,
      negative.length,
    ),
  );

  if (window.dataHash !== undefined) {
    const hash = trainingDataHash(
      window.isbn,
      rows.map((p) => ({ weekEnding: p.weekEnding, volume: p.volume })),
      window.trainedThrough,
    );
    const same = hash === window.dataHash;
    checks.push(
      check(
        'data.hash',
        same,
        same
          ? `the window still hashes to the version's ${short(window.dataHash)}`
          : `the window now hashes to ${short(hash)}, not the version's ${short(window.dataHash)}: the sales it was trained on were revised since`,
      ),
    );
  }
  return checks;
}

function short(hash: string): string {
  return hash.length > 19 ? `${hash.slice(0, 19)}…` : hash;
}
