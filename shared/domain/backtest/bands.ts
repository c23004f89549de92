/**
 * Sales-volume bands and the small statistics the study reports. Pure.
 *
 * The bands are by a book's mean weekly sales over its last 52 weeks of
 * actuals: under 25, 25–50, 50–200, 200–1,000 and 1,000 or more copies a
 * week. The upper three are the publisher's own split of backlist, steady
 * sellers and bestsellers; the bottom is split at 25 because an absolute RMSE
 * limit means most at low volume (an error of 80 copies on a 20-copy book is
 * a broken model; on a 1,500-copy book it is a good week), and the seeded
 * fleet (median about 47 copies a week) lives there.
 */
import type { SalesPoint } from '../../contracts/model';

export interface SalesBand {
  id: string;
  label: string;
  /** Inclusive lower bound, copies a week. */
  min: number;
  /** Exclusive upper bound; null = no upper bound. */
  max: number | null;
}

export const SALES_BANDS: readonly SalesBand[] = Object.freeze([
  { id: 'lt25', label: '< 25 a week', min: 0, max: 25 },
  { id: '25-50', label: '25–50 a week', min: 25, max: 50 },
  { id: '50-200', label: '50–200 a week', min: 50, max: 200 },
  { id: '200-1000', label: '200–1,000 a week', min: 200, max: 1000 },
  { id: 'ge1000', label: '≥ 1,000 a week', min: 1000, max: null },
]);

/** Weeks of the latest actuals that set a book's band. */
export const BAND_WEEKS = 52;

/** Mean weekly sales over the book's latest `BAND_WEEKS` rows (0 for no rows). */
export function meanWeeklySales(points: readonly SalesPoint[]): number {
  const tail = points.slice(-BAND_WEEKS);
  return tail.length === 0 ? 0 : tail.reduce((s, p) => s + p.volume, 0) / tail.length;
}

export function bandOf(meanWeekly: number, bands: readonly SalesBand[] = SALES_BANDS): SalesBand {
  const band = bands.find((b) => meanWeekly >= b.min && (b.max === null || meanWeekly < b.max));
  // Bands start at 0 and the last is open, so only a negative mean misses: put it in the first.
  return band ?? (bands[0] as SalesBand);
}

export interface Quantiles {
  n: number;
  p10: number;
  p50: number;
  p90: number;
  max: number;
}

/** Nearest-rank quantiles of the finite values; null when there are none. */
export function quantiles(values: readonly number[]): Quantiles | null {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
  const r = (v: number) => Math.round(v * 100) / 100;
  return {
    n: s.length,
    p10: r(at(0.1)),
    p50: r(at(0.5)),
    p90: r(at(0.9)),
    max: r(s[s.length - 1] as number),
  };
}
