/**
 * Judging what the endpoint answered: each prediction request of the batch
 * is recorded with its answer (or error), and the tally turns them into
 * checks — every request answered; the response in the contract's shape,
 * from the pinned version; the horizon asked for; every value finite and
 * non-negative (a broken container's NaN arrives as null); intervals
 * ordered lower ≤ point ≤ upper; and the point forecast plausible against
 * the book's own history (not above `historyFactor` × its highest week, and
 * the first weeks not above `recentFactor` × its recent level). Pure: no
 * I/O; recording is one pass per response, so 10,000 stay cheap.
 */
import type { PredictInstance } from '../../contracts/model';
import { PredictResponse } from '../../contracts/model';
import { describeError, ValidationError } from '../../errors';
import { check, fmt, type ValidationCheck } from './check';

/** How far above the book's own history a point forecast may go before it is implausible. */
export interface RangeLimits {
  /** Point forecast at most this × the highest week of the training window. */
  historyFactor: number;
  /** Mean of the first `recentWeeks` forecast weeks at most this × the recent level. */
  recentFactor: number;
  /** Weeks forecast that are compared with the recent level. */
  recentWeeks: number;
  /** The recent level used is at least this many copies, so a book selling ~0 can still forecast a few. */
  recentFloor: number;
}

/** Chosen on the seeded fleet: healthy versions peak at 0.16–0.85 × the highest week and open at 1.2–2.7 × the recent level (December); ×10 lands at 1.6–8.5 and 12–27. */
export const DEFAULT_RANGE_LIMITS: Readonly<RangeLimits> = Object.freeze({
  historyFactor: 3,
  recentFactor: 5,
  recentWeeks: 4,
  recentFloor: 1,
});

/** What the tally knows about the book and the version under test. */
export interface ResponseContext {
  version: string;
  /** Highest weekly sales of the training window; undefined without history (range checks then say so). */
  historyMax?: number;
  /** Mean weekly sales over the last weeks of the training window. */
  recentLevel?: number;
  limits?: Partial<RangeLimits>;
}

/** One request of the batch and what came back. */
export interface RequestOutcome {
  instance: PredictInstance;
  /** The raw answer (checked here against the contract), when the call succeeded. */
  response?: unknown;
  /** The error, when the call failed. */
  error?: unknown;
}

interface Finding {
  count: number;
  first?: string;
}

function note(finding: Finding, example: () => string): void {
  if (finding.count === 0) finding.first = example();
  finding.count++;
}

function badValue(v: number | null): boolean {
  return v === null || !Number.isFinite(v) || v < 0;
}

/**
 * A lower bound only has to be a number: a Gaussian interval (statsmodels'
 * get_forecast().conf_int(), what the publisher's container returns) dips
 * below 0 for a low-selling book at long horizons, and that is a property of
 * the interval, not a broken model. Point forecasts and upper bounds stay ≥ 0.
 */
function badLowerBound(v: number | null): boolean {
  return v === null || !Number.isFinite(v);
}

function show(v: number | null): string {
  return v === null ? 'null (NaN)' : fmt(v);
}

/** Accumulates a batch's outcomes and turns them into checks. */
export class ResponseTally {
  private readonly limits: RangeLimits;
  private requests = 0;
  private answeredCount = 0;
  private intervalRequests = 0;
  private readonly refused: Finding = { count: 0 };
  private readonly format: Finding = { count: 0 };
  private readonly horizon: Finding = { count: 0 };
  /** Valid requests refused because of their horizon: the version answers fewer weeks than asked. */
  private readonly horizonRefused: Finding = { count: 0 };
  private readonly values: Finding = { count: 0 };
  private readonly intervals: Finding = { count: 0 };
  private maxPoint = -Infinity;
  private longest: Array<number | null> = [];
  private longestWeeks: string[] = [];

  constructor(private readonly context: ResponseContext) {
    this.limits = { ...DEFAULT_RANGE_LIMITS, ...context.limits };
  }

  /** Requests recorded so far. */
  get predictions(): number {
    return this.requests;
  }

  /** Requests answered in the contract's shape. */
  get answered(): number {
    return this.answeredCount;
  }

  /** The longest forecast answered so far (values and weeks), for the explanation and the shift check. */
  longestForecast(): { values: Array<number | null>; weeks: string[] } {
    return { values: this.longest, weeks: this.longestWeeks };
  }

  record(outcome: RequestOutcome): void {
    this.requests++;
    const { instance } = outcome;
    const asked = `steps ${instance.steps}${instance.return_confidence_intervals ? ' with interval' : ''}`;
    if (outcome.response === undefined) {
      note(this.refused, () => `${asked}: ${describeError(outcome.error ?? 'no answer')}`);
      const err = outcome.error;
      if (err instanceof ValidationError && err.fields.some((f) => f.endsWith('.steps'))) {
        note(this.horizonRefused, () => `${asked}: ${err.message}`);
      }
      return;
    }
    const parsed = PredictResponse.safeParse(outcome.response);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      note(
        this.format,
        () => `${asked}: ${issue ? `${issue.path.join('.') || '(root)'} ${issue.message}` : 'invalid'}`,
      );
      return;
    }
    const response = parsed.data;
    const prediction = response.predictions[0];
    if (response.predictions.length !== 1 || !prediction) {
      note(this.format, () => `${asked}: ${response.predictions.length} predictions for 1 instance`);
      return;
    }
    if (
      response.modelVersionId !== this.context.version ||
      prediction.model_version !== this.context.version
    ) {
      note(
        this.format,
        () =>
          `${asked}: answered by version ${prediction.model_version} (endpoint says ${response.modelVersionId}), not the pinned ${this.context.version}`,
      );
      return;
    }
    this.answeredCount++;
    const { forecast, weeks } = prediction;
    const wantsInterval = instance.return_confidence_intervals === true;
    const lengths = [forecast.length, weeks.length];
    if (wantsInterval) lengths.push(prediction.lower_bound?.length ?? 0, prediction.upper_bound?.length ?? 0);
    if (lengths.some((n) => n !== instance.steps)) {
      note(
        this.horizon,
        () =>
          `${asked}: got ${forecast.length} weeks of forecast, ${weeks.length} dates${wantsInterval ? `, ${prediction.lower_bound?.length ?? 0}/${prediction.upper_bound?.length ?? 0} bounds` : ''}`,
      );
    }
    for (const [series, values] of [
      ['forecast', forecast],
      ['lower_bound', prediction.lower_bound ?? []],
      ['upper_bound', prediction.upper_bound ?? []],
    ] as const) {
      const at = values.findIndex(series === 'lower_bound' ? badLowerBound : badValue);
      if (at >= 0) {
        note(
          this.values,
          () =>
            `${asked}: ${series} week ${at + 1}${weeks[at] ? ` (${weeks[at]})` : ''} is ${show(values[at]!)}`,
        );
        break;
      }
    }
    if (wantsInterval) {
      this.intervalRequests++;
      const lower = prediction.lower_bound;
      const upper = prediction.upper_bound;
      if (!lower || !upper) {
        note(this.intervals, () => `${asked}: the interval was asked for but not returned`);
      } else {
        for (let w = 0; w < forecast.length; w++) {
          const p = forecast[w]!;
          const lo = lower[w];
          const hi = upper[w];
          // A missing value is the values check's finding; order is judged where all three are numbers.
          if (p === null || lo === null || hi === null || lo === undefined || hi === undefined) continue;
          if (!(lo <= p && p <= hi)) {
            note(
              this.intervals,
              () => `${asked}: week ${w + 1} has lower ${fmt(lo)}, point ${fmt(p)}, upper ${fmt(hi)}`,
            );
            break;
          }
        }
      }
    }
    for (const v of forecast) if (v !== null && v > this.maxPoint) this.maxPoint = v;
    if (forecast.length > this.longest.length) {
      this.longest = forecast;
      this.longestWeeks = weeks;
    }
  }

  /** The checks, in report order. */
  checks(): ValidationCheck[] {
    const n = this.requests;
    const of = (f: Finding) => `${f.count} of ${n} requests`;
    return [
      check(
        'answered',
        this.refused.count === 0,
        this.refused.count === 0
          ? `${n} of ${n} valid requests answered`
          : `${of(this.refused)} refused or failed; first: ${this.refused.first}`,
        n - this.refused.count,
      ),
      check(
        'format',
        this.format.count === 0,
        this.format.count === 0
          ? `${n - this.refused.count} responses match PredictResponse, each from version ${this.context.version}`
          : `${of(this.format)} do not match the contract; first: ${this.format.first}`,
        this.format.count,
      ),
      check(
        'horizon',
        this.horizon.count === 0 && this.horizonRefused.count === 0,
        this.horizon.count > 0
          ? `${of(this.horizon)} came back with another horizon; first: ${this.horizon.first}`
          : this.horizonRefused.count > 0
            ? `${of(this.horizonRefused)} refused for their horizon; first: ${this.horizonRefused.first}`
            : `every answer has the weeks asked for`,
        this.horizon.count + this.horizonRefused.count,
      ),
      check(
        'values',
        this.values.count === 0,
        this.values.count === 0
          ? 'every forecast and upper bound is a finite number ≥ 0, every lower bound finite'
          : `${of(this.values)} hold a value that is not a finite number ≥ 0; first: ${this.values.first}`,
        this.values.count,
      ),
      check(
        'intervals',
        this.intervals.count === 0,
        this.intervals.count === 0
          ? `lower ≤ point ≤ upper in all ${this.intervalRequests} responses with an interval`
          : `${this.intervals.count} of ${this.intervalRequests} intervals out of order; first: ${this.intervals.first}`,
        this.intervals.count,
      ),
      ...this.rangeChecks(),
    ];
  }

  private rangeChecks(): ValidationCheck[] {
    const { historyMax, recentLevel } = this.context;
    const { historyFactor, recentFactor, recentWeeks, recentFloor } = this.limits;
    const out: ValidationCheck[] = [];
    if (historyMax === undefined || !(this.maxPoint > -Infinity)) {
      out.push(
        check(
          'range.history',
          true,
          `not judged: ${historyMax === undefined ? 'no sales history for this book' : 'no forecast value to judge'}`,
        ),
      );
    } else {
      const limit = historyFactor * historyMax;
      const ratio = historyMax > 0 ? this.maxPoint / historyMax : this.maxPoint > 0 ? Infinity : 0;
      out.push(
        check(
          'range.history',
          this.maxPoint <= limit,
          `highest weekly forecast ${fmt(this.maxPoint)} is ${fmt(ratio)} × the highest week sold (${fmt(historyMax)}); limit ${fmt(historyFactor)} ×`,
          ratio,
        ),
      );
    }
    const opening = this.longest
      .slice(0, recentWeeks)
      .filter((v): v is number => v !== null && Number.isFinite(v));
    if (recentLevel === undefined || opening.length === 0) {
      out.push(
        check(
          'range.recent-level',
          true,
          `not judged: ${recentLevel === undefined ? 'no sales history for this book' : 'no forecast value to judge'}`,
        ),
      );
    } else {
      const level = Math.max(recentLevel, recentFloor);
      const mean = opening.reduce((s, v) => s + v, 0) / opening.length;
      const ratio = mean / level;
      out.push(
        check(
          'range.recent-level',
          ratio <= recentFactor,
          `first ${opening.length} weeks forecast ${fmt(mean)} a week, ${fmt(ratio)} × the recent level ${fmt(recentLevel)}; limit ${fmt(recentFactor)} ×`,
          ratio,
        ),
      );
    }
    return out;
  }
}
