/**
 * Accuracy thresholds and the rules that turn a model's live accuracy into
 * breaches. Pure: no I/O, no clock. The product owner's table is the default
 * per environment; a JSON file of per-ISBN overrides adjusts single books
 * (a volatile bestseller may need a looser RMSE limit than a steady backlist
 * title).
 *
 * Semantics, so every caller reads the numbers the same way:
 * - `rmseMax` / `mapeMax` are exclusive: "RMSE must be below 80" means 80
 *   itself is a breach.
 * - Every rule against the baseline is relative to the baseline and strict:
 *   "more than 20 %" means exactly 20 % is fine. The baseline is the served
 *   version's holdout figures.
 * - `null` turns a rule off (development turns off the product owner's table).
 */
import { z } from 'zod';
import { ValidationError } from '../errors';
import type { Environment } from '../contracts/primitives';
import { parseIsbn13 } from './isbn';

const limit = () =>
  z
    .number({ error: 'must be a number or null' })
    .refine((n) => n > 0, { error: 'must be greater than 0' })
    .nullable();

/** One book's effective thresholds. Every field is present; `null` means the rule is off. */
export const Thresholds = z.object({
  rmseMax: limit().describe('RMSE must be below this (exclusive); null = off'),
  mapeMax: limit().describe('MAPE in percent must be below this (exclusive); null = off'),
  degradationMaxPct: limit().describe(
    'live RMSE may exceed the baseline RMSE by at most this many percent; null = off',
  ),
  rmseSpikePct: limit().describe('live RMSE more than this many percent over baseline is a spike'),
  mapeIncreasePct: limit().describe(
    'live MAPE more than this many percent (relative) over baseline MAPE is an increase',
  ),
  breachSeverity: z
    .enum(['critical', 'warning'], { error: 'must be "critical" or "warning"' })
    .describe('severity of threshold breaches, spikes and MAPE increases'),
});
export type Thresholds = z.infer<typeof Thresholds>;

/** Per-book override: any subset of the fields; unknown fields are rejected so typos do not pass silently. */
export const ThresholdOverride = z.strictObject(Thresholds.shape).partial();
export type ThresholdOverride = z.infer<typeof ThresholdOverride>;

/**
 * Per-ISBN overrides, the content of `FG_THRESHOLDS_FILE`:
 * `{ "9780722532935": { "rmseMax": 120, "mapeIncreasePct": null }, ... }`.
 * Keys are ISBN-13s (hyphens allowed, normalised). The file is not keyed by
 * environment: each environment's deployment names its own file, so one file
 * never has to say which environment it is for, and a staging tweak cannot
 * leak into production.
 */
export type ThresholdOverrides = Readonly<Record<string, ThresholdOverride>>;

/**
 * The product owner's table. The spike and MAPE-increase rules stay on in
 * development: the laptop demos (`demo degrade`) rely on them to show a
 * spike, while the absolute limits of development models mean nothing.
 */
export const DEFAULT_THRESHOLDS: Readonly<Record<Environment, Readonly<Thresholds>>> = Object.freeze({
  production: Object.freeze({
    rmseMax: 80,
    mapeMax: 30,
    degradationMaxPct: 5,
    rmseSpikePct: 20,
    mapeIncreasePct: 15,
    breachSeverity: 'critical',
  }),
  staging: Object.freeze({
    rmseMax: 100,
    mapeMax: 50,
    degradationMaxPct: 10,
    rmseSpikePct: 20,
    mapeIncreasePct: 15,
    breachSeverity: 'warning',
  }),
  development: Object.freeze({
    rmseMax: null,
    mapeMax: null,
    degradationMaxPct: null,
    rmseSpikePct: 20,
    mapeIncreasePct: 15,
    breachSeverity: 'warning',
  }),
});

/** The environment's defaults with the book's override (if any) laid on top. */
export function thresholdsFor(
  environment: Environment,
  isbn: string,
  overrides: ThresholdOverrides = {},
): Readonly<Thresholds> {
  const base = DEFAULT_THRESHOLDS[environment];
  if (!base) throw new ValidationError(`environment "${environment}" has no thresholds`, ['environment']);
  return Object.freeze({ ...base, ...overrides[isbn] });
}

/**
 * Validates parsed JSON as per-ISBN overrides, or throws a ValidationError
 * whose one-line message lists each problem with its ISBN key and field,
 * e.g. `key "9780722532936" is not a valid ISBN-13: has check digit 6, expected 5`.
 */
export function parseThresholdOverrides(input: unknown): ThresholdOverrides {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError('must be a JSON object keyed by ISBN-13', ['$']);
  }
  const problems: string[] = [];
  const fields: string[] = [];
  const out: Record<string, ThresholdOverride> = {};
  const seen = new Set<string>();
  for (const [key, value] of Object.entries(input)) {
    let isbn: string;
    try {
      isbn = parseIsbn13(key);
    } catch (err) {
      // parseIsbn13 says `ISBN "<input>" <reason>`; keep only the reason.
      const reason = (err as Error).message.replace(/^ISBN "[^"]*" /, '');
      problems.push(`key "${key}" is not a valid ISBN-13: ${reason}`);
      fields.push(key);
      continue;
    }
    if (seen.has(isbn)) {
      problems.push(`key "${key}" repeats ISBN ${isbn}`);
      fields.push(key);
      continue;
    }
    seen.add(isbn);
    const parsed = ThresholdOverride.safeParse(value);
    if (parsed.success) {
      out[isbn] = Object.freeze(parsed.data);
      continue;
    }
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) {
          problems.push(
            `"${key}".${k} is not a known threshold (known: ${Object.keys(Thresholds.shape).join(', ')})`,
          );
          fields.push(`${key}.${k}`);
        }
      } else if (issue.path.length === 0) {
        problems.push(`"${key}" must be an object of thresholds`);
        fields.push(key);
      } else {
        const path = issue.path.map(String).join('.');
        problems.push(`"${key}".${path} ${issue.message} (got ${show(readPath(value, issue.path))})`);
        fields.push(`${key}.${path}`);
      }
    }
  }
  if (problems.length > 0) throw new ValidationError(problems.join('; '), fields);
  return Object.freeze(out);
}

function show(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

function readPath(value: unknown, path: PropertyKey[]): unknown {
  let cur = value;
  for (const p of path) cur = (cur as Record<PropertyKey, unknown> | undefined)?.[p];
  return cur;
}

/** What a breach is about; becomes the alert `kind`. */
export type BreachKind =
  | 'rmse_above_threshold'
  | 'mape_above_threshold'
  | 'rmse_spike'
  | 'mape_increase'
  | 'performance_degradation';

/** Live or holdout accuracy of one model. `mape` is percent; it may be absent when actual sales were zero. */
export interface AccuracyFigures {
  rmse: number;
  mape?: number | null;
}

/**
 * One rule broken. `observed` and `limit` are always in the metric's own
 * unit (RMSE in copies, MAPE in percent): for rules against the baseline the
 * limit is the highest acceptable value (baseline × (1 + pct/100)) and
 * `changePct` says how far over the baseline the figure is (null when the
 * baseline is 0 and a percentage means nothing).
 */
export interface AccuracyBreach {
  kind: BreachKind;
  severity: 'critical' | 'warning';
  observed: number;
  limit: number;
  baseline?: number;
  changePct?: number | null;
  detail: string;
}

/**
 * Compares live accuracy with the thresholds and the baseline.
 *
 * Severity: the absolute limits, RMSE spikes and MAPE increases carry
 * `thresholds.breachSeverity` (critical in production, so they page at once;
 * warning elsewhere, so they wait for the daily summary). Degradation is
 * always a warning: it is the slow drift between "as trained" and "spiking",
 * worth a look tomorrow, not a page tonight.
 *
 * A spike supersedes degradation: when the RMSE change counts as a spike,
 * `performance_degradation` is not reported too, so one problem is one alert.
 *
 * MAPE increase is relative to the baseline MAPE ((live − baseline) /
 * baseline), not percentage points: books differ widely in normal error (a
 * steady backlist title near 8 %, a frontlist launch near 40 %), so fifteen
 * points would be a tripling for one and noise for the other. Relative change
 * scales with each book's own normal error and reads the same way as the RMSE
 * spike rule.
 */
export function evaluateAccuracy(
  observed: AccuracyFigures,
  baseline: AccuracyFigures,
  thresholds: Thresholds,
): AccuracyBreach[] {
  checkFigure('observed.rmse', observed.rmse, false);
  checkFigure('observed.mape', observed.mape, true);
  checkFigure('baseline.rmse', baseline.rmse, false);
  checkFigure('baseline.mape', baseline.mape, true);
  const t = thresholds;
  const severity = t.breachSeverity;
  const breaches: AccuracyBreach[] = [];
  const { rmse } = observed;
  const mape = observed.mape ?? null;
  const baseMape = baseline.mape ?? null;

  if (t.rmseMax !== null && rmse >= t.rmseMax) {
    const detail = `RMSE ${fmt(rmse)} is not below the limit ${fmt(t.rmseMax)}`;
    breaches.push({ kind: 'rmse_above_threshold', severity, observed: rmse, limit: t.rmseMax, detail });
  }
  if (t.mapeMax !== null && mape !== null && mape >= t.mapeMax) {
    const detail = `MAPE ${fmt(mape)} % is not below the limit ${fmt(t.mapeMax)} %`;
    breaches.push({ kind: 'mape_above_threshold', severity, observed: mape, limit: t.mapeMax, detail });
  }
  if (t.rmseSpikePct !== null && exceeds(rmse, baseline.rmse, t.rmseSpikePct)) {
    breaches.push(
      relative('rmse_spike', severity, 'RMSE', rmse, baseline.rmse, t.rmseSpikePct, 'spike rule'),
    );
  } else if (t.degradationMaxPct !== null && exceeds(rmse, baseline.rmse, t.degradationMaxPct)) {
    const pct = t.degradationMaxPct;
    breaches.push(
      relative('performance_degradation', 'warning', 'RMSE', rmse, baseline.rmse, pct, 'allowed degradation'),
    );
  }
  if (
    t.mapeIncreasePct !== null &&
    mape !== null &&
    baseMape !== null &&
    exceeds(mape, baseMape, t.mapeIncreasePct)
  ) {
    const pct = t.mapeIncreasePct;
    breaches.push(relative('mape_increase', severity, 'MAPE', mape, baseMape, pct, 'relative increase rule'));
  }
  return breaches;
}

/** value > baseline × (1 + pct/100), multiplied out so integer inputs compare exactly at the boundary. */
function exceeds(value: number, baseline: number, pct: number): boolean {
  return value * 100 > baseline * (100 + pct);
}

function relative(
  kind: BreachKind,
  severity: 'critical' | 'warning',
  metric: 'RMSE' | 'MAPE',
  value: number,
  baseline: number,
  pct: number,
  rule: string,
): AccuracyBreach {
  const unit = metric === 'MAPE' ? ' %' : '';
  const changePct = baseline > 0 ? ((value - baseline) / baseline) * 100 : null;
  const detail =
    changePct === null
      ? `${metric} ${fmt(value)}${unit} against a baseline of 0: any error is over the ${rule} (more than ${fmt(pct)} %)`
      : `${metric} ${fmt(value)}${unit} is ${fmt(changePct)} % over baseline ${fmt(baseline)}${unit} (${rule}: more than ${fmt(pct)} %)`;
  return {
    kind,
    severity,
    observed: value,
    limit: (baseline * (100 + pct)) / 100,
    baseline,
    changePct,
    detail,
  };
}

function checkFigure(field: string, value: unknown, optional: boolean): void {
  if (optional && (value === undefined || value === null)) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ValidationError(`${field} must be a finite number ≥ 0 (got ${String(value)})`, [field]);
  }
}

/** At most two decimals, no trailing zeros: 84, 84.5, 84.33. */
function fmt(n: number): string {
  return String(Number(n.toFixed(2)));
}
