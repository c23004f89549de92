/**
 * Deterministic synthetic UK weekly sales for a book, shaped like BookScan
 * data: weeks ending Saturday, a level set by genre and popularity that
 * wanders slowly, a launch spike then decay for titles published inside the
 * window, a November–December ramp to Christmas, a summer bump for children's
 * books, a New Year bump for self-help, occasional promotions at 2–4×, noise,
 * and the odd zero week (stock-out) or missing week (late retailer feed).
 *
 * Volumes are tens to a few hundred copies a week so that a sensibly fitted
 * model on a typical title meets the production thresholds (RMSE < 80,
 * MAPE < 30 %), while the gift book and the launches stay harder.
 */
import type { SalesPoint, SalesSeries } from '../contracts/model';
import { ValidationError } from '../errors';
import { isoDateToMs, saturdayOnOrAfter, saturdaysBetween } from '../domain/series/weeks';
import type { Book, Genre } from './catalogue';
import { isChildrens } from './catalogue';
import { deriveSeed, mulberry32 } from './prng';

/** How a genre sells: typical weekly copies and seasonal lifts (1 = doubles at the peak). */
export interface GenreProfile {
  level: number;
  christmasLift: number;
  summerLift: number;
  newYearLift: number;
  /** Week-to-week log-normal noise (sigma). */
  noise: number;
}

export const GENRE_PROFILES: Readonly<Record<Genre, GenreProfile>> = Object.freeze({
  'adult-fiction': { level: 90, christmasLift: 1.3, summerLift: 0.2, newYearLift: 0, noise: 0.13 },
  'crime-thriller': { level: 100, christmasLift: 1.5, summerLift: 0.25, newYearLift: 0, noise: 0.15 },
  classic: { level: 70, christmasLift: 0.9, summerLift: 0, newYearLift: 0, noise: 0.12 },
  'childrens-picture-book': { level: 110, christmasLift: 1.6, summerLift: 0.4, newYearLift: 0, noise: 0.13 },
  'childrens-fiction': { level: 90, christmasLift: 1.4, summerLift: 0.45, newYearLift: 0, noise: 0.13 },
  'non-fiction': { level: 80, christmasLift: 1.8, summerLift: 0, newYearLift: 0.1, noise: 0.14 },
  'self-help': { level: 75, christmasLift: 0.9, summerLift: 0, newYearLift: 0.7, noise: 0.13 },
  gift: { level: 55, christmasLift: 3.5, summerLift: 0, newYearLift: 0, noise: 0.16 },
});

export interface GenerateSalesOptions {
  seed: number;
  /** First year (`2012`) or date of the window; default 2012. */
  from?: string;
  /** Last year (`2024`) or date of the window; default 2024. */
  to?: string;
}

/** Chance per week of a zero week (stock-out) and of a missing row (late retailer feed). */
export const ZERO_WEEK_RATE = 0.003;
export const MISSING_WEEK_RATE = 0.004;

const DAY_MS = 86_400_000;

function windowBound(value: string, edge: 'from' | 'to'): string {
  const date = /^\d{4}$/.test(value) ? (edge === 'from' ? `${value}-01-01` : `${value}-12-31`) : value;
  if (Number.isNaN(isoDateToMs(date))) {
    throw new ValidationError(`${edge} must be a year (2012) or an ISO date, got "${value}"`, [edge]);
  }
  return date;
}

/** Seasonal multiplier for a week-ending date (pure calendar effects, no noise). */
export function seasonalFactor(weekEnding: string, profile: GenreProfile, childrens: boolean): number {
  return seasonalFactorAt(isoDateToMs(weekEnding), profile, childrens);
}

function seasonalFactorAt(ms: number, profile: GenreProfile, childrens: boolean): number {
  const year = new Date(ms).getUTCFullYear();
  const days = (month: number, day: number) => (ms - Date.UTC(year, month - 1, day)) / DAY_MS;
  let factor = 1;
  // Christmas: a quadratic ramp from 1 November to the last shopping week (ending 18–24 Dec).
  const sinceNov1 = days(11, 1);
  if (sinceNov1 >= 0 && days(12, 25) < 0)
    factor += profile.christmasLift * Math.min(1, (sinceNov1 / 53) ** 2);
  // The week after Christmas still sells on gift cards; early January is the year's trough.
  else if (days(12, 25) >= 0) factor += 0.35 * profile.christmasLift;
  const sinceJan1 = days(1, 1);
  if (sinceJan1 >= 0 && sinceJan1 < 28)
    factor *= 0.8 + profile.newYearLift * Math.exp(-sinceJan1 / 14) * 1.25;
  if (childrens) {
    // UK school summer holidays: late July to the start of September, peaking early August.
    factor += profile.summerLift * Math.exp(-((days(8, 5) / 18) ** 2));
    // World Book Day, first Thursday in March: a small one-week lift.
    factor += 0.25 * Math.exp(-((days(3, 6) / 5) ** 2));
  } else {
    // Holiday reading for adults is flatter and earlier.
    factor += profile.summerLift * Math.exp(-((days(7, 25) / 25) ** 2));
  }
  return factor;
}

/**
 * A book's weekly sales from `from` to `to` (default 2012–2024), weeks ending
 * Saturday, in order; a title published inside the window starts the week of
 * publication. Same book and seed give the same series on every machine.
 */
export function generateSales(book: Book, options: GenerateSalesOptions): SalesSeries {
  if (!Number.isInteger(options.seed)) {
    throw new ValidationError(`seed must be an integer, got ${options.seed}`, ['seed']);
  }
  const from = windowBound(options.from ?? '2012', 'from');
  const to = windowBound(options.to ?? '2024', 'to');
  if (isoDateToMs(from) > isoDateToMs(to))
    throw new ValidationError(`from ${from} is after to ${to}`, ['from']);
  const profile = GENRE_PROFILES[book.genre];
  const childrens = isChildrens(book.genre);
  const rng = mulberry32(deriveSeed(options.seed, book.isbn));
  const release = book.releaseDate ?? `${book.releaseYear}-07-01`;
  const weeks = saturdaysBetween(from, to);
  const releaseMs = isoDateToMs(saturdayOnOrAfter(release));

  // Promotions: about one year in three, 2–4 weeks at 2–4×, never over Christmas.
  const promoted = new Map<string, number>();
  for (let i = 0; i < weeks.length; i += 52) {
    const chance = rng.next();
    const start = i + rng.int(4, 40);
    const length = rng.int(2, 4);
    const lift = 2 + rng.next() * 2;
    if (chance > 0.33) continue;
    for (let w = start; w < start + length && w < weeks.length; w++) promoted.set(weeks[w] as string, lift);
  }

  const points: SalesPoint[] = [];
  let logLevel = 0;
  let weekMs = isoDateToMs(weeks[0] ?? from) - 7 * DAY_MS;
  for (const week of weeks) {
    weekMs += 7 * DAY_MS;
    // Draw every variate every week so one component never shifts another's stream.
    const levelStep = rng.normal();
    const noise = rng.normal();
    const countNoise = rng.normal();
    const glitch = rng.next();
    // Mean-reverting drift of the underlying level (σ ≈ 0.12 in log terms).
    logLevel = 0.985 * logLevel + 0.02 * levelStep;
    if (weekMs < releaseMs) continue;
    const weeksLive = Math.round((weekMs - releaseMs) / (7 * DAY_MS));
    const yearsLive = weeksLive / 52;
    // A launch spike that fades over a quarter, then slow decay towards the backlist level.
    const lifecycle = (1 + 2.5 * Math.exp(-weeksLive / 10)) * (0.55 + 0.45 * Math.exp(-yearsLive / 3));
    const mean =
      profile.level *
      book.popularity *
      lifecycle *
      seasonalFactorAt(weekMs, profile, childrens) *
      (promoted.get(week) ?? 1) *
      Math.exp(logLevel);
    if (glitch < MISSING_WEEK_RATE) continue;
    const volume =
      glitch < MISSING_WEEK_RATE + ZERO_WEEK_RATE
        ? 0
        : Math.max(
            0,
            Math.round(
              mean * Math.exp(profile.noise * noise - profile.noise ** 2 / 2) +
                Math.sqrt(mean) * 0.5 * countNoise,
            ),
          );
    points.push({ weekEnding: week, volume });
  }
  return { isbn: book.isbn, title: book.title, points };
}

/** Sales for a whole fleet; each book's stream depends only on the seed and its ISBN. */
export function generateFleetSales(books: readonly Book[], options: GenerateSalesOptions): SalesSeries[] {
  return books.map((book) => generateSales(book, options));
}
