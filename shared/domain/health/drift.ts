/**
 * Data drift of one book, two ways. Pure.
 *
 * 1. The training window changed: `trainingDataHash` over the actuals up to
 *    the version's `trainedThrough` no longer equals the version's
 *    `dataHash` (weeks revised, added or removed after training).
 * 2. Recent sales moved away from what the model learned: the Population
 *    Stability Index of the last `recentWeeks` actual weeks against the
 *    `referenceWeeks` training weeks before them, on quartile bins of the
 *    reference. Both sides are compared deseasonalised (log1p minus the
 *    Christmas-anchored seasonal profile of the last five years of the
 *    training window, the transform the training pipeline uses), or every
 *    December would look like drift. With 8 weeks PSI alone is noise (above
 *    0.25 for 71 of 100 healthy seeded books), so a shift counts when PSI
 *    exceeds `psiThreshold` AND a chi-square test of the two histograms
 *    rejects "same distribution" at `significance`: measured on the seeded
 *    100-book fleet, 3 of 100 healthy books flagged, 99 of 100 with sales
 *    ×1.8 over the last 8 weeks. PSI says how big, the test says whether it
 *    is more than chance.
 */
import type { SalesPoint } from '../../contracts/model';
import { trainingDataHash } from '../series/data-hash';
import { seasonalProfile } from '../series/seasonal-adjustment';
import { isoDateToMs, seasonalSlot } from '../series/weeks';
import type { Finding } from './findings';
import { chiSquareQuantile } from './statistics';

/** Tuning of the distribution-shift rule (defaults in DEFAULT_DRIFT_OPTIONS). */
export interface DriftOptions {
  recentWeeks: number;
  referenceWeeks: number;
  /** Quantile bins of the reference. */
  bins: number;
  psiThreshold: number;
  /** Chance of calling noise a shift that the test accepts. */
  significance: number;
  /** Fewer reference weeks than this and PSI is not computed (noted). */
  minReferenceWeeks: number;
  /** Training weeks the seasonal profile is estimated from (the most recent ones). */
  profileWeeks: number;
}

/** 8 recent weeks against the 52 before, quartiles, PSI above 0.25 and significant at 1 %. */
export const DEFAULT_DRIFT_OPTIONS: Readonly<DriftOptions> = Object.freeze({
  recentWeeks: 8,
  referenceWeeks: 52,
  bins: 4,
  psiThreshold: 0.25,
  significance: 0.01,
  minReferenceWeeks: 26,
  profileWeeks: 260,
});

const WEEK_MS = 7 * 86_400_000;

/**
 * Week number and seasonal slot of a week-ending date, memoised: a fleet of
 * 5,000 books asks about the same few hundred Saturdays millions of times.
 * Both are pure functions of the date, so the memo never goes stale; it
 * holds one entry per distinct date (about 52 a year).
 */
const weekInfoMemo = new Map<string, { no: number; slot: number }>();
function weekInfo(iso: string): { no: number; slot: number } {
  let info = weekInfoMemo.get(iso);
  if (!info) {
    info = { no: Math.round(isoDateToMs(iso) / WEEK_MS), slot: seasonalSlot(iso) };
    weekInfoMemo.set(iso, info);
  }
  return info;
}

/**
 * Profiles already estimated, by the training window's hash: the hash names
 * exactly the sales the profile is estimated from, so an entry can never be
 * stale, and an hourly run on a warm instance skips the most expensive step
 * of the drift check. Bounded; the oldest entries go first. Kept as typed
 * arrays (52 doubles in one buffer): as plain arrays, 20,000 books' profiles
 * were about 26 MB of the heap every garbage collection walks.
 */
const profileMemo = new Map<string, Float64Array>();
const PROFILE_MEMO_LIMIT = 20_000;

function memoisedProfile(key: string, compute: () => number[]): Float64Array {
  let profile = profileMemo.get(key);
  if (!profile) {
    profile = Float64Array.from(compute());
    if (profileMemo.size >= PROFILE_MEMO_LIMIT) profileMemo.delete(profileMemo.keys().next().value!);
    profileMemo.set(key, profile);
  }
  return profile;
}

/**
 * The seasonal profile (log1p scale) of the last `weeks` training points, on
 * a regular weekly grid (missing weeks NaN), as the training pipeline
 * estimates it.
 */
function profileOf(training: readonly SalesPoint[], weeks: number): number[] {
  const window = training.slice(-weeks);
  if (window.length === 0) return seasonalProfile([], []);
  const first = weekInfo(window[0]!.weekEnding).no;
  const length = weekInfo(window[window.length - 1]!.weekEnding).no - first + 1;
  const values = new Array<number>(length).fill(Number.NaN);
  // A missing week's slot does not matter: its value is NaN and the profile skips it.
  const slots = new Array<number>(length).fill(0);
  for (const p of window) {
    const info = weekInfo(p.weekEnding);
    values[info.no - first] = Math.log1p(p.volume);
    slots[info.no - first] = info.slot;
  }
  // `weeks` is only read to derive slots, which are given.
  return seasonalProfile([], values, slots);
}

/** Additive smoothing per bin, so an empty bin does not make PSI infinite. */
const SMOOTHING = 0.5;

/** Population Stability Index of two samples, with the chi-square test of the same histograms. */
export interface PsiResult {
  psi: number;
  /** Pearson chi-square of the 2 × bins table of counts. */
  chiSquare: number;
  /** Value the chi-square must reach to reject "same distribution" at the significance asked for. */
  critical: number;
  significant: boolean;
}

/** Bin index of `x`: how many edges are at or below it (edges ascending). */
function binOf(x: number, edges: readonly number[]): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The quantile bins of the reference and both samples' counts in them. */
export interface Histogram {
  /** Inner edges, ascending (`bins - 1` of them): bin i holds x with edges[i-1] <= x < edges[i]. */
  edges: number[];
  reference: number[];
  recent: number[];
}

/** Counts of both samples on `bins` quantile bins of the reference. */
export function histogram(reference: readonly number[], recent: readonly number[], bins: number): Histogram {
  const sorted = [...reference].sort((a, b) => a - b);
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) edges.push(sorted[Math.floor((i * sorted.length) / bins)]!);
  const countRef = new Array<number>(bins).fill(0);
  const countRecent = new Array<number>(bins).fill(0);
  for (const x of reference) countRef[binOf(x, edges)]!++;
  for (const x of recent) countRecent[binOf(x, edges)]!++;
  return { edges, reference: countRef, recent: countRecent };
}

/** One bin's smoothed proportions and its term of the PSI sum. */
export interface PsiTerm {
  referenceShare: number;
  recentShare: number;
  psi: number;
}

/** Each bin's smoothed shares and PSI term; PSI is the sum of the terms. */
export function psiTerms(h: Histogram): PsiTerm[] {
  const nRef = h.reference.reduce((a, b) => a + b, 0);
  const nRecent = h.recent.reduce((a, b) => a + b, 0);
  const bins = h.reference.length;
  return h.reference.map((r, i) => {
    const e = (r + SMOOTHING) / (nRef + SMOOTHING * bins);
    const a = (h.recent[i]! + SMOOTHING) / (nRecent + SMOOTHING * bins);
    return { referenceShare: e, recentShare: a, psi: (a - e) * Math.log(a / e) };
  });
}

/**
 * PSI of `recent` against `reference` on `bins` quantile bins of the
 * reference, with the chi-square homogeneity test of the same counts.
 * Both samples must be non-empty.
 */
export function populationStability(
  reference: readonly number[],
  recent: readonly number[],
  bins: number,
  significance: number,
): PsiResult {
  return stabilityOf(histogram(reference, recent, bins), significance);
}

/** PSI and the chi-square test of one histogram. */
function stabilityOf(h: Histogram, significance: number): PsiResult {
  const nRef = h.reference.reduce((a, b) => a + b, 0);
  const nRecent = h.recent.reduce((a, b) => a + b, 0);
  const psi = psiTerms(h).reduce((sum, t) => sum + t.psi, 0);
  let chiSquare = 0;
  let usedBins = 0;
  const total = nRef + nRecent;
  for (let i = 0; i < h.reference.length; i++) {
    const r = h.reference[i]!;
    const n = h.recent[i]!;
    // Tied reference values can leave a bin empty on both sides; it carries no information.
    if (r + n === 0) continue;
    usedBins++;
    const expectedRef = ((r + n) * nRef) / total;
    const expectedRecent = ((r + n) * nRecent) / total;
    chiSquare += (r - expectedRef) ** 2 / expectedRef + (n - expectedRecent) ** 2 / expectedRecent;
  }
  const df = Math.max(1, usedBins - 1);
  const critical = chiSquareQuantile(1 - significance, df);
  return { psi, chiSquare, critical, significant: usedBins > 1 && chiSquare >= critical };
}

/** One book's actuals and what its served version says it was trained on. */
export interface DriftInput {
  isbn: string;
  /** Every actual week of the book, in week order. */
  points: readonly SalesPoint[];
  trainedThrough: string;
  dataHash: string;
}

/** Both drift checks' results; `drifted` when either one says so. */
export interface DriftAssessment {
  hashChanged: boolean;
  recomputedHash: string;
  /** Absent when there were too few weeks (see `note`). */
  psi?: PsiResult & { recentFrom: string; recentTo: string; recentWeeks: number; referenceWeeks: number };
  note?: string;
  drifted: boolean;
}

/** The two deseasonalised samples the shift rule compares, or why there are too few weeks. */
type DriftSamples =
  | { kind: 'short'; note: string }
  | { kind: 'ok'; reference: number[]; recent: number[]; recentFrom: string; recentTo: string };

/** The recent weeks and the training weeks before them, both deseasonalised (see the file comment). */
function driftSamples(input: DriftInput, recomputedHash: string, options: DriftOptions): DriftSamples {
  const recent = input.points.slice(-options.recentWeeks);
  const recentFrom = recent[0]?.weekEnding;
  const training = input.points.filter((p) => p.weekEnding <= input.trainedThrough);
  const reference = training
    .filter((p) => recentFrom !== undefined && p.weekEnding < recentFrom)
    .slice(-options.referenceWeeks);
  if (
    recentFrom === undefined ||
    recent.length < options.recentWeeks ||
    reference.length < options.minReferenceWeeks
  ) {
    return {
      kind: 'short',
      note: `distribution shift not judged: ${recent.length} recent and ${reference.length} reference weeks (needs ${options.recentWeeks} and ${options.minReferenceWeeks})`,
    };
  }
  const profile = memoisedProfile(`${recomputedHash}|${options.profileWeeks}`, () =>
    profileOf(training, options.profileWeeks),
  );
  const adjust = (p: SalesPoint) => Math.log1p(p.volume) - profile[weekInfo(p.weekEnding).slot]!;
  return {
    kind: 'ok',
    reference: reference.map(adjust),
    recent: recent.map(adjust),
    recentFrom,
    recentTo: recent[recent.length - 1]!.weekEnding,
  };
}

/** Both drift checks for one book (see the file comment). */
export function assessDrift(
  input: DriftInput,
  options: DriftOptions = DEFAULT_DRIFT_OPTIONS,
): DriftAssessment {
  const recomputedHash = trainingDataHash(input.isbn, input.points, input.trainedThrough);
  const hashChanged = recomputedHash !== input.dataHash;
  const samples = driftSamples(input, recomputedHash, options);
  if (samples.kind === 'short') {
    return { hashChanged, recomputedHash, note: samples.note, drifted: hashChanged };
  }
  const result = populationStability(samples.reference, samples.recent, options.bins, options.significance);
  const shifted = result.psi > options.psiThreshold && result.significant;
  return {
    hashChanged,
    recomputedHash,
    psi: {
      ...result,
      recentFrom: samples.recentFrom,
      recentTo: samples.recentTo,
      recentWeeks: samples.recent.length,
      referenceWeeks: samples.reference.length,
    },
    drifted: hashChanged || shifted,
  };
}

/** One bin of the drift picture. */
export interface DriftBin {
  /** Lower and upper edge on the deseasonalised log scale; null = unbounded. */
  from: number | null;
  to: number | null;
  /**
   * The same edges in copies a week, seasonally adjusted (expm1 of the edge,
   * undoing log1p): what a week sells with the time of year taken out.
   */
  fromSales: number | null;
  toSales: number | null;
  referenceCount: number;
  recentCount: number;
  /** Smoothed shares, as PSI uses them. */
  referenceShare: number;
  recentShare: number;
  /** This bin's term of the PSI sum. */
  psi: number;
}

/** What the drift panel draws: the bins assessDrift judged, with each one's share of PSI. */
export interface DriftPicture {
  isbn: string;
  hashChanged: boolean;
  recomputedHash: string;
  expectedHash: string;
  /** Absent when too few weeks (see `note`). */
  bins?: DriftBin[];
  psi?: number;
  chiSquare?: number;
  critical?: number;
  significant?: boolean;
  psiThreshold: number;
  shifted: boolean;
  drifted: boolean;
  recentFrom?: string;
  recentTo?: string;
  recentWeeks?: number;
  referenceWeeks?: number;
  note?: string;
}

/**
 * The drift finding with its histogram: the same samples, bins and
 * smoothing as assessDrift, so the bars and the per-bin PSI add up to the
 * PSI the health check judged.
 */
export function driftPicture(input: DriftInput, options: DriftOptions = DEFAULT_DRIFT_OPTIONS): DriftPicture {
  const recomputedHash = trainingDataHash(input.isbn, input.points, input.trainedThrough);
  const hashChanged = recomputedHash !== input.dataHash;
  const base = {
    isbn: input.isbn,
    hashChanged,
    recomputedHash,
    expectedHash: input.dataHash,
    psiThreshold: options.psiThreshold,
  };
  const samples = driftSamples(input, recomputedHash, options);
  if (samples.kind === 'short') return { ...base, shifted: false, drifted: hashChanged, note: samples.note };
  const h = histogram(samples.reference, samples.recent, options.bins);
  const result = stabilityOf(h, options.significance);
  const terms = psiTerms(h);
  const bins = terms.map((t, i): DriftBin => {
    const from = i === 0 ? null : h.edges[i - 1]!;
    const to = i === h.edges.length ? null : h.edges[i]!;
    return {
      from,
      to,
      fromSales: from === null ? null : Math.expm1(from),
      toSales: to === null ? null : Math.expm1(to),
      referenceCount: h.reference[i]!,
      recentCount: h.recent[i]!,
      referenceShare: t.referenceShare,
      recentShare: t.recentShare,
      psi: t.psi,
    };
  });
  const shifted = result.psi > options.psiThreshold && result.significant;
  return {
    ...base,
    bins,
    psi: result.psi,
    chiSquare: result.chiSquare,
    critical: result.critical,
    significant: result.significant,
    shifted,
    drifted: hashChanged || shifted,
    recentFrom: samples.recentFrom,
    recentTo: samples.recentTo,
    recentWeeks: samples.recent.length,
    referenceWeeks: samples.reference.length,
  };
}

/** The `data_drift` warning for a drifted book, or undefined. */
export function driftFinding(
  isbn: string,
  version: string,
  drift: DriftAssessment,
  expectedHash: string,
  options: DriftOptions = DEFAULT_DRIFT_OPTIONS,
): Finding | undefined {
  if (!drift.drifted) return undefined;
  const reasons: string[] = [];
  if (drift.hashChanged) reasons.push('its training window changed since training (data hash differs)');
  const psi = drift.psi;
  if (psi && psi.psi > options.psiThreshold && psi.significant) {
    reasons.push(
      `recent sales shifted: PSI ${psi.psi.toFixed(2)} over ${psi.recentWeeks} weeks to ${psi.recentTo} (threshold ${options.psiThreshold})`,
    );
  }
  return {
    kind: 'data_drift',
    severity: 'warning',
    isbn,
    modelVersion: version,
    summary: `Data drift on ${isbn} v${version}: ${reasons.join('; ')}`,
    details: {
      hashChanged: drift.hashChanged,
      expectedDataHash: expectedHash,
      recomputedDataHash: drift.recomputedHash,
      ...(psi
        ? {
            psi: Math.round(psi.psi * 1000) / 1000,
            psiThreshold: options.psiThreshold,
            chiSquare: Math.round(psi.chiSquare * 100) / 100,
            chiSquareCritical: Math.round(psi.critical * 100) / 100,
            recentFrom: psi.recentFrom,
            recentTo: psi.recentTo,
            recentWeeks: psi.recentWeeks,
            referenceWeeks: psi.referenceWeeks,
          }
        : {}),
    },
  };
}
