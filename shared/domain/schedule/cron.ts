/**
 * Unix-cron as Cloud Scheduler reads it (five fields: minute, hour, day of
 * month, month, day of week; `*`, lists, ranges and steps), evaluated in a
 * time zone, so the local stack fires `SCHEDULES` when Cloud Scheduler
 * would, and the health check knows when a job's last attempt was due.
 * Pure: the caller passes "now".
 */
import { ValidationError } from '../../errors';

/** One parsed cron expression: the allowed values of each field. */
export interface CronSchedule {
  readonly expression: string;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 0 = Sunday … 6 = Saturday (7 is read as Sunday). */
  readonly daysOfWeek: ReadonlySet<number>;
  /** Vixie cron's rule: when both day fields are restricted, either one matching is enough. */
  readonly dayOr: boolean;
}

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

function parseField(text: string, field: (typeof FIELDS)[number], expression: string): Set<number> {
  const out = new Set<number>();
  const bad = (why: string): never => {
    throw new ValidationError(`cron "${expression}": ${field.name} "${text}" ${why}`, ['cron']);
  };
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) bad('has a step that is not a whole number of at least 1');
    let from: number = field.min;
    let to: number = field.max;
    if (range !== '*') {
      const [a, b] = (range ?? '').split('-');
      from = Number(a);
      to = b === undefined ? (stepText === undefined ? from : field.max) : Number(b);
      if (a === '' || !Number.isInteger(from) || !Number.isInteger(to)) bad('is not a number, range or *');
      if (from < field.min || to > field.max || from > to) bad(`is outside ${field.min}-${field.max}`);
    }
    for (let v = from; v <= to; v += step) out.add(field.name === 'day of week' && v === 7 ? 0 : v);
  }
  return out;
}

/** Parses a five-field cron expression; ValidationError naming the field otherwise. */
export function parseCron(expression: string): CronSchedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) {
    throw new ValidationError(
      `cron "${expression}" must have 5 fields (minute hour day-of-month month day-of-week), has ${parts.length}`,
      ['cron'],
    );
  }
  const [minutes, hours, daysOfMonth, months, daysOfWeek] = FIELDS.map((f, i) =>
    parseField(parts[i]!, f, expression),
  ) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  return {
    expression,
    minutes,
    hours,
    daysOfMonth,
    months,
    daysOfWeek,
    dayOr: parts[2] !== '*' && parts[4] !== '*',
  };
}

interface WallTime {
  minute: number;
  hour: number;
  day: number;
  month: number;
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function wallTime(at: Date, timeZone: string): WallTime {
  let format = formatters.get(timeZone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        weekday: 'short',
      });
    } catch {
      throw new ValidationError(`time zone "${timeZone}" is not an IANA time zone`, ['timeZone']);
    }
    formatters.set(timeZone, format);
  }
  const parts: Record<string, string> = {};
  for (const p of format.formatToParts(at)) parts[p.type] = p.value;
  return {
    minute: Number(parts.minute),
    hour: Number(parts.hour),
    day: Number(parts.day),
    month: Number(parts.month),
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? 0,
  };
}

/** Whether the schedule fires in the minute that contains `at`, read in `timeZone`. */
export function cronMatches(schedule: CronSchedule, at: Date, timeZone: string): boolean {
  const t = wallTime(at, timeZone);
  if (!schedule.minutes.has(t.minute) || !schedule.hours.has(t.hour) || !schedule.months.has(t.month)) {
    return false;
  }
  const dom = schedule.daysOfMonth.has(t.day);
  const dow = schedule.daysOfWeek.has(t.weekday);
  return schedule.dayOr ? dom || dow : dom && dow;
}

const MINUTE_MS = 60_000;
/** A year and a day: every valid expression but a 29 February fires within it often enough for a laptop. */
const SEARCH_MINUTES = 367 * 24 * 60;

/**
 * The first minute strictly after `after` at which the schedule fires, or
 * undefined when it does not fire within a year (29 February schedules).
 */
export function nextCronTime(schedule: CronSchedule, timeZone: string, after: Date): Date | undefined {
  let t = Math.floor(after.getTime() / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  for (let i = 0; i < SEARCH_MINUTES; i++, t += MINUTE_MS) {
    const at = new Date(t);
    if (cronMatches(schedule, at, timeZone)) return at;
  }
  return undefined;
}

/**
 * The last minute at or before `atOrBefore` at which the schedule fires, or
 * undefined when it did not fire within a year: when the attempt a watcher
 * should have seen was due.
 */
export function previousCronTime(
  schedule: CronSchedule,
  timeZone: string,
  atOrBefore: Date,
): Date | undefined {
  let t = Math.floor(atOrBefore.getTime() / MINUTE_MS) * MINUTE_MS;
  for (let i = 0; i < SEARCH_MINUTES; i++, t -= MINUTE_MS) {
    const at = new Date(t);
    if (cronMatches(schedule, at, timeZone)) return at;
  }
  return undefined;
}
