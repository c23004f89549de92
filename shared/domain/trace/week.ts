/**
 * The week a trace asks about: the ISO week (Monday 00:00 UTC to the next
 * Monday) holding the date given, which may be any day of it, the Monday or
 * the Saturday a sales row's `week_ending` names. Pure.
 */
import { ValidationError } from '../../errors';

const DAY_MS = 86_400_000;

export interface TraceWeek {
  /** Monday, YYYY-MM-DD. */
  week: string;
  /** Monday 00:00 UTC, inclusive. */
  from: string;
  /** The next Monday 00:00 UTC, exclusive. */
  to: string;
}

/** The ISO week holding `date` (YYYY-MM-DD, or a date-time). Bad input names `field`. */
export function isoWeekOf(date: string, field = 'week'): TraceWeek {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(date) ? `${date}T00:00:00.000Z` : date;
  const t = Date.parse(day);
  if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}/.test(date)) {
    throw new ValidationError(`${field}: must be a date, YYYY-MM-DD (got ${JSON.stringify(date)})`, [field]);
  }
  const midnight = Math.floor(t / DAY_MS) * DAY_MS;
  const weekday = (new Date(midnight).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const monday = midnight - weekday * DAY_MS;
  const from = new Date(monday).toISOString();
  return { week: from.slice(0, 10), from, to: new Date(monday + 7 * DAY_MS).toISOString() };
}

/**
 * The first week of a version's training window: `trainedThrough` less the
 * training length the version's params record (`trainingWeeks` from
 * forecast-guard's trainer, `train_length` from the publisher's pipeline);
 * undefined when neither is there.
 */
export function trainingWindowStart(
  trainedThrough: string,
  params: Record<string, unknown>,
): string | undefined {
  const weeks = Number(params.trainingWeeks ?? params.train_length);
  if (!Number.isInteger(weeks) || weeks < 1) return undefined;
  const end = Date.parse(`${trainedThrough}T00:00:00.000Z`);
  if (Number.isNaN(end)) return undefined;
  return new Date(end - (weeks - 1) * 7 * DAY_MS).toISOString().slice(0, 10);
}
