/**
 * Week arithmetic on ISO dates (`YYYY-MM-DD`, UTC). UK book sales are reported
 * in weeks ending Saturday (Nielsen BookScan's week), so every series, forecast
 * and model cutoff in the fleet is keyed by a Saturday.
 */

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** Milliseconds since the epoch of an ISO date at 00:00 UTC, or NaN when it is not a real calendar date. */
export function isoDateToMs(iso: string): number {
  const m = ISO_DATE.exec(iso);
  if (!m) return Number.NaN;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  // Table lookup rather than a Date round trip: this runs for every week of every fit.
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const monthDays = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (monthDays === undefined || day < 1 || day > monthDays) return Number.NaN;
  return Date.UTC(year, month - 1, day);
}

/** The ISO date (UTC) of an epoch millisecond value. */
export function msToIsoDate(ms: number): string {
  // Hand-formatted: toISOString() was the hottest line when training a fleet.
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

/** True when `iso` is a real calendar date in `YYYY-MM-DD` form. */
export function isIsoDate(iso: string): boolean {
  return !Number.isNaN(isoDateToMs(iso));
}

/** True when `iso` is a real date falling on a Saturday. */
export function isSaturday(iso: string): boolean {
  const ms = isoDateToMs(iso);
  return !Number.isNaN(ms) && new Date(ms).getUTCDay() === 6;
}

/** `iso` moved by `weeks` whole weeks (negative goes back). */
export function addWeeks(iso: string, weeks: number): string {
  return msToIsoDate(isoDateToMs(iso) + weeks * 7 * DAY_MS);
}

/** Whole weeks from `from` to `to` (positive when `to` is later); both should be Saturdays. */
export function weeksBetween(from: string, to: string): number {
  return Math.round((isoDateToMs(to) - isoDateToMs(from)) / (7 * DAY_MS));
}

/** The first Saturday on or after `iso`. */
export function saturdayOnOrAfter(iso: string): string {
  const ms = isoDateToMs(iso);
  const day = new Date(ms).getUTCDay();
  return msToIsoDate(ms + ((6 - day + 7) % 7) * DAY_MS);
}

/** The last Saturday on or before `iso`. */
export function saturdayOnOrBefore(iso: string): string {
  const ms = isoDateToMs(iso);
  const day = new Date(ms).getUTCDay();
  return msToIsoDate(ms - ((day + 1) % 7) * DAY_MS);
}

/** Every Saturday from `from` to `to` inclusive (both are moved inwards to a Saturday). */
export function saturdaysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  const last = isoDateToMs(saturdayOnOrBefore(to));
  for (let ms = isoDateToMs(saturdayOnOrAfter(from)); ms <= last; ms += 7 * DAY_MS) out.push(msToIsoDate(ms));
  return out;
}

/** Number of seasonal slots in a year: a weekly series has 52 (sometimes 53) weeks a year. */
export const SLOTS_PER_YEAR = 52;

/**
 * Which of 52 seasonal slots a week-ending date falls in, counted from
 * Christmas Day: slot 0 is the week after Christmas, slot 51 the last
 * shopping week before it (weeks ending 18–24 December). Anchoring on
 * Christmas rather than 1 January keeps the peak week in the same slot every
 * year; a slot is 365/52 ≈ 7.02 days wide, so no slot is ever skipped and
 * about one year in seven puts two Saturdays into one slot.
 */
export function seasonalSlot(iso: string): number {
  const ms = isoDateToMs(iso);
  const year = new Date(ms).getUTCFullYear();
  const thisChristmas = Date.UTC(year, 11, 25);
  const anchor = ms >= thisChristmas ? thisChristmas : Date.UTC(year - 1, 11, 25);
  const yearLength = (ms >= thisChristmas ? Date.UTC(year + 1, 11, 25) : thisChristmas) - anchor;
  return Math.min(SLOTS_PER_YEAR - 1, Math.floor(((ms - anchor) * SLOTS_PER_YEAR) / yearLength));
}
