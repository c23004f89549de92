/**
 * What drives a version's forecast, in plain words, for its report: the
 * recent level of sales the model carries forward, the seasonal pattern
 * (from the Christmas-anchored profile training recorded in
 * `params.seasonalProfile`), and the trend (last year against the year
 * before, and the forecast year against the last). Pure.
 */
import { SLOTS_PER_YEAR } from '../series/weeks';
import { fmt } from './check';

export interface ExplanationInput {
  /** Weekly sales of the training window, in week order. */
  history: ReadonlyArray<{ weekEnding: string; volume: number }>;
  /** Log-scale effect per Christmas-anchored slot (52), if training recorded one. */
  seasonalProfile?: readonly number[];
  /** The longest forecast served, weekly. */
  forecast?: ReadonlyArray<number | null>;
  /** `(0,1,1)` etc., when known. */
  order?: string;
}

export interface Explanation {
  text: string;
  /** Mean weekly sales over the last `recentWeeks` weeks. */
  recentLevel?: number;
  recentWeeks: number;
  /** Last 52 weeks against the 52 before, percent. */
  trendPct?: number;
  /** Forecast next 52 weeks against the last 52 sold, percent. */
  outlookPct?: number;
  seasonality?: {
    strength: 'none' | 'weak' | 'moderate' | 'strong';
    peak: string;
    peakPct: number;
    trough: string;
    troughPct: number;
  };
}

const RECENT_WEEKS = 8;
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** A seasonal slot in words: slot 0 starts at Christmas, each ≈ 7.02 days ("mid-December", "early March"). */
export function slotInWords(slot: number): string {
  if (slot === SLOTS_PER_YEAR - 1) return 'the week before Christmas';
  // A non-leap year is enough to name a part of a month.
  const ms = Date.UTC(2021, 11, 25) + ((slot + 0.5) * 365 * 86_400_000) / SLOTS_PER_YEAR;
  const d = new Date(ms);
  const day = d.getUTCDate();
  const part = day <= 10 ? 'early' : day <= 20 ? 'mid-' : 'late';
  return `${part}${part === 'mid-' ? '' : ' '}${MONTHS[d.getUTCMonth()]}`;
}

function pct(n: number): string {
  return `${n >= 0 ? '+' : '−'}${fmt(Math.abs(n))} %`;
}

function copies(n: number): string {
  return Math.round(n).toLocaleString('en-GB');
}

/** The explanation of one version's forecast. */
export function explainForecast(input: ExplanationInput): Explanation {
  const volumes = input.history.map((p) => p.volume);
  const parts: string[] = [];
  const out: Explanation = { text: '', recentWeeks: RECENT_WEEKS };

  const recent = volumes.slice(-RECENT_WEEKS);
  if (recent.length > 0) {
    out.recentLevel = recent.reduce((s, v) => s + v, 0) / recent.length;
    const carried =
      input.order === '(0,1,1)'
        ? ', carried forward by ARIMA(0,1,1), which projects no trend of its own'
        : input.order
          ? `, modelled by ARIMA${input.order}`
          : '';
    parts.push(
      `Recent level: about ${copies(out.recentLevel)} copies a week over the last ${recent.length} weeks${carried}.`,
    );
  } else {
    parts.push('Recent level: unknown (no sales history).');
  }

  const profile = input.seasonalProfile;
  if (profile && profile.length === SLOTS_PER_YEAR && profile.every(Number.isFinite)) {
    let hi = 0;
    let lo = 0;
    profile.forEach((v, i) => {
      if (v > profile[hi]!) hi = i;
      if (v < profile[lo]!) lo = i;
    });
    const swing = Math.exp(profile[hi]! - profile[lo]!);
    const strength = swing < 1.1 ? 'none' : swing < 1.5 ? 'weak' : swing < 2.5 ? 'moderate' : 'strong';
    out.seasonality = {
      strength,
      peak: slotInWords(hi),
      peakPct: (Math.exp(profile[hi]!) - 1) * 100,
      trough: slotInWords(lo),
      troughPct: (Math.exp(profile[lo]!) - 1) * 100,
    };
    parts.push(
      strength === 'none'
        ? 'Seasonality: none to speak of.'
        : `Seasonality: ${strength}, peaking ${out.seasonality.peak} (${pct(out.seasonality.peakPct)} on a typical week) and lowest ${out.seasonality.trough} (${pct(out.seasonality.troughPct)}).`,
    );
  } else {
    parts.push('Seasonality: no seasonal profile recorded for this version.');
  }

  if (volumes.length >= 104) {
    const last = volumes.slice(-52).reduce((s, v) => s + v, 0);
    const before = volumes.slice(-104, -52).reduce((s, v) => s + v, 0);
    if (before > 0) out.trendPct = ((last - before) / before) * 100;
    const trend = out.trendPct === undefined ? '' : ` (${pct(out.trendPct)} on the 52 before)`;
    const ahead = (input.forecast ?? []).slice(0, 52);
    if (ahead.length === 52 && ahead.every((v): v is number => v !== null && Number.isFinite(v))) {
      const next = ahead.reduce((s, v) => s + v, 0);
      if (last > 0) out.outlookPct = ((next - last) / last) * 100;
      parts.push(
        `Trend: ${copies(last)} copies sold in the last 52 weeks${trend}; the next 52 are forecast at ${copies(next)}${out.outlookPct === undefined ? '' : ` (${pct(out.outlookPct)})`}.`,
      );
    } else {
      parts.push(`Trend: ${copies(last)} copies sold in the last 52 weeks${trend}.`);
    }
  } else {
    parts.push(`Trend: not measured (${volumes.length} weeks of history; a trend needs two years).`);
  }
  out.text = parts.join(' ');
  return out;
}
