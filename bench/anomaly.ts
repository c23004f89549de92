/**
 * Metric-anomaly figures on the seeded fleet's replayed history
 * (shared/fleet/metric-history.ts: the real ARIMA retrained every 4 weeks,
 * scored weekly as the health check scores it). For each candidate rule:
 * - false alarms on the healthy books, per book-year (an alarm is a rise from
 *   normal to anomalous: alert-dispatch de-duplicates the rest);
 * - detection rate and delay (observations, the first shifted one counting 1)
 *   on MAPE multiplied ×1.5 and ×2 from an onset on, and on a slow drift;
 * - alarms raised by a single one-week spike ×3 (robustness: lower is better).
 * Onsets are every 13th observation once 40 are behind; a trial whose rule
 * was already firing the observation before its onset is left out.
 * Prints figures beside their goals; asserts nothing.
 *
 * Last, what the step's history query costs on the embedded backend.
 *
 *   npx tsx bench/anomaly.ts [--books 30] [--seed 42] [--from-year 2019] [--cost-books 20]
 */
import { catalogue } from '../shared/fleet/catalogue';
import { generateSales } from '../shared/fleet/sales-generator';
import { replayMetricHistory } from '../shared/fleet/metric-history';
import { saturdayOnOrAfter } from '../shared/domain/series/weeks';
import {
  DEFAULT_ANOMALY_OPTIONS,
  detectAnomaly,
  type AnomalyOptions,
} from '../shared/domain/anomaly/detector';
import type { MetricObservation } from '../shared/domain/anomaly/observations';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStateStore } from '../shared/adapters/local/sqlite-state-store';
import { COLLECTIONS } from '../shared/contracts/collections';
import { metricPointId } from '../shared/contracts/documents/metric-point';
import { fmtMs, median, numberFlag } from './stats';

const books = numberFlag('books', 30);
const costBooks = numberFlag('cost-books', 20);
const seed = numberFlag('seed', 42);
const fromYear = numberFlag('from-year', 2019);
const LAST_WEEK = '2024-12-28';
/** Observations kept before the one judged: the baseline, the latch replay and a year for the seasonal variant. */
const CONTEXT = 80;
const WARMUP = 40;

/**
 * Goals. False alarms: a 100-book fleet then puts at most two such warnings a
 * week into the digest. Detection: the "×2 within 3 observations"
 * (a broken model should be flagged within about three weeks), and ×3 for
 * what this noise allows (see the printed robust sigma).
 */
const GOALS = { falseAlarms: 1, detect: 0.9 };

type Transform = (obs: MetricObservation[], onset: number) => MetricObservation[];

const scaled = (o: MetricObservation, f: number): MetricObservation => ({ ...o, value: o.value * f });
const SCENARIOS: Array<{ name: string; horizon: number; within: number; apply: Transform }> = [
  { name: 'level shift ×2', horizon: 13, within: 3, apply: shift(2) },
  { name: 'level shift ×2', horizon: 13, within: 6, apply: shift(2) },
  { name: 'level shift ×3', horizon: 13, within: 3, apply: shift(3) },
  { name: 'level shift ×3', horizon: 13, within: 6, apply: shift(3) },
  { name: 'level shift ×1.5', horizon: 13, within: 6, apply: shift(1.5) },
  { name: 'drift +5 %/obs (×2 in 15)', horizon: 26, within: 13, apply: drift(1.05) },
  { name: 'drift +10 %/obs (×2 in 8)', horizon: 26, within: 8, apply: drift(1.1) },
];

function shift(f: number): Transform {
  return (obs, onset) => obs.map((o, i) => (i >= onset ? scaled(o, f) : o));
}
function drift(rate: number): Transform {
  return (obs, onset) => obs.map((o, i) => (i >= onset ? scaled(o, rate ** (i - onset + 1)) : o));
}

/** The chosen rule first; then each rule at about the default's false-alarm rate and at about 1 per book-year. */
const VARIANTS: Array<{ name: string; options: AnomalyOptions }> = [
  { name: 'mad W26 median-of-3 k2 [default]', options: { ...DEFAULT_ANOMALY_OPTIONS } },
  { name: 'mad W26 median-of-3 k1.5', options: { ...DEFAULT_ANOMALY_OPTIONS, k: 1.5 } },
  { name: 'mad W26 single observation k3', options: { ...DEFAULT_ANOMALY_OPTIONS, k: 3, confirm: 1 } },
  { name: 'mad seasonal ±3w median-of-3 k2', options: { ...DEFAULT_ANOMALY_OPTIONS, seasonalWeeks: 3 } },
  {
    name: 'ewma λ0.3 L3 span6',
    options: { ...DEFAULT_ANOMALY_OPTIONS, method: 'ewma', lambda: 0.3, k: 3, confirm: 6 },
  },
  {
    name: 'ewma λ0.3 L2.5 span6',
    options: { ...DEFAULT_ANOMALY_OPTIONS, method: 'ewma', lambda: 0.3, k: 2.5, confirm: 6 },
  },
];

/** The rule's state at each observation from `from` on (true = anomalous). */
function states(obs: readonly MetricObservation[], options: AnomalyOptions, from: number): boolean[] {
  const out: boolean[] = [];
  for (let t = from; t < obs.length; t++)
    out.push(detectAnomaly(obs.slice(Math.max(0, t + 1 - CONTEXT), t + 1), options).state === 'anomalous');
  return out;
}

function falseAlarms(histories: MetricObservation[][], options: AnomalyOptions) {
  let alarms = 0;
  let weeks = 0;
  for (const obs of histories) {
    const s = states(obs, options, WARMUP);
    for (let i = 0; i < s.length; i++) if (s[i] && !s[i - 1]) alarms++;
    // Observations are weekly with a gap each retrain: a book-year is 52 weeks of calendar, not 52 observations.
    const first = obs[WARMUP];
    const last = obs[obs.length - 1];
    if (first && last) weeks += (Date.parse(last.at) - Date.parse(first.at)) / (7 * 86_400_000) + 1;
  }
  return { alarms, bookYears: weeks / 52 };
}

function trials(
  histories: MetricObservation[][],
  options: AnomalyOptions,
  scenario: (typeof SCENARIOS)[number],
) {
  const delays: number[] = [];
  let total = 0;
  let skipped = 0;
  for (const obs of histories) {
    for (let onset = WARMUP; onset + scenario.horizon <= obs.length; onset += 13) {
      const shifted = scenario.apply(obs.slice(0, onset + scenario.horizon), onset);
      const s = states(shifted, options, onset - 1);
      if (s[0]) {
        skipped++;
        continue;
      }
      total++;
      const hit = s.findIndex((v, i) => i > 0 && v);
      if (hit > 0) delays.push(hit);
    }
  }
  return { total, skipped, delays };
}

function spikes(histories: MetricObservation[][], options: AnomalyOptions) {
  let alarms = 0;
  let total = 0;
  for (const obs of histories) {
    for (let at = WARMUP; at + 4 <= obs.length; at += 13) {
      const spiked = obs.slice(0, at + 4).map((o, i) => (i === at ? scaled(o, 3) : o));
      const s = states(spiked, options, at - 1);
      if (s[0]) continue;
      total++;
      if (s.some((v, i) => i > 0 && v)) alarms++;
    }
  }
  return { alarms, total };
}

const pct = (n: number, d: number) => (d === 0 ? '   n/a' : `${((100 * n) / d).toFixed(1).padStart(5)} %`);

const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

function report(
  name: string,
  histories: MetricObservation[][],
  options: AnomalyOptions,
  goals: boolean,
): void {
  const fa = falseAlarms(histories, options);
  const perYear = fa.alarms / fa.bookYears;
  const rates: number[] = [];
  const cells = SCENARIOS.map((sc) => {
    const t = trials(histories, options, sc);
    const within = t.delays.filter((d) => d <= sc.within).length;
    rates.push(t.total ? within / t.total : 0);
    const med = t.delays.length ? median(t.delays).toFixed(0) : '-';
    return `${pct(within, t.total)} ≤${sc.within} (p50 ${med}; ${t.total} trials)`;
  });
  const sp = spikes(histories, options);
  console.log(`  ${name}`);
  console.log(
    `    false alarms ${perYear.toFixed(2)} per book-year (${fa.alarms} in ${fa.bookYears.toFixed(0)} book-years) [goal ≤ ${GOALS.falseAlarms}]`,
  );
  SCENARIOS.forEach((sc, i) => console.log(`    ${sc.name.padEnd(28)} detected ${cells[i]}`));
  console.log(`    one-week spike ×3             alarms ${pct(sp.alarms, sp.total)} of ${sp.total}`);
  if (!goals) return;
  const x2 = rates[0] ?? 0;
  const x3 = rates[2] ?? 0;
  console.log(
    `    goal false alarms ≤ ${GOALS.falseAlarms} per book-year: ${verdict(perYear <= GOALS.falseAlarms)}`,
  );
  console.log(`    goal ×2 detected ≥ ${GOALS.detect * 100} % within 3: ${verdict(x2 >= GOALS.detect)}`);
  console.log(`    goal ×3 detected ≥ ${GOALS.detect * 100} % within 3: ${verdict(x3 >= GOALS.detect)}`);
}

/** The robust sigma of log MAPE per book (1.4826 × MAD), median over books: the noise any rule works against. */
function noise(histories: MetricObservation[][]): number {
  return median(
    histories.map((h) => {
      const logs = h.map((o) => Math.log(Math.max(o.value, 1e-6)));
      const c = median(logs);
      return 1.4826 * median(logs.map((v) => Math.abs(v - c)));
    }),
  );
}

/**
 * What the step's one query costs on the embedded backend: `costBooks` books ×
 * 39 weeks of hourly points (what FG_ANOMALY_POINTS_READ is sized for), then
 * one book's `isbn ==, at desc, limit 7000` query, as anomaly-check.ts makes it.
 */
async function queryCost(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fg-bench-anomaly-'));
  const state = new SqliteStateStore(join(dir, 'state.sqlite'));
  try {
    const hours = 39 * 168;
    const now = Date.parse('2025-01-01T00:00:00.000Z');
    const fleet = catalogue(costBooks);
    for (const book of fleet) {
      const writes = Array.from({ length: hours }, (_, h) => {
        const data = {
          isbn: book.isbn,
          at: new Date(now - h * 3_600_000).toISOString(),
          runId: `hc-${h}`,
          version: '3',
          status: 'healthy',
          mape: 15 + (Math.floor(h / 168) % 5),
        };
        return { collection: COLLECTIONS.metricPoints, id: metricPointId(book.isbn, data.runId), data };
      });
      for (let i = 0; i < writes.length; i += 500) await state.batchSet(writes.slice(i, i + 500));
    }
    const times: number[] = [];
    for (const book of fleet.slice(0, 5)) {
      const t = performance.now();
      await state.query(COLLECTIONS.metricPoints, {
        where: [{ field: 'isbn', op: '==', value: book.isbn }],
        orderBy: { field: 'at', direction: 'desc' },
        limit: 7000,
      });
      times.push(performance.now() - t);
    }
    console.log(
      `\nembedded backend: one book's history query over ${(costBooks * hours).toLocaleString('en')} points ` +
        `(${costBooks} books × 39 weeks hourly): p50 ${fmtMs(median(times))} (SQLite scans the collection: it grows with the fleet)`,
    );
  } finally {
    await state.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const firstCutoff = saturdayOnOrAfter(`${fromYear}-01-01`);
  const histories = catalogue(books).map((book) =>
    replayMetricHistory(generateSales(book, { seed }), { firstCutoff, lastWeek: LAST_WEEK }).map(
      (o): MetricObservation => ({ at: `${o.week}T12:00:00.000Z`, version: o.version, value: o.mape }),
    ),
  );
  const replayMs = performance.now() - started;
  const observations = histories.reduce((s, h) => s + h.length, 0);
  const allMape = histories.flat().map((o) => o.value);
  console.log(
    `anomaly bench: ${books} books, seed ${seed}, ${firstCutoff}..${LAST_WEEK}, ${observations} weekly MAPE observations ` +
      `(p50 ${median(allMape).toFixed(1)} %), replayed in ${fmtMs(replayMs)}`,
  );
  const sigma = noise(histories);
  console.log(
    `robust sigma of log MAPE per book, p50: ${sigma.toFixed(2)} (a ×2 shift is ${(Math.log(2) / sigma).toFixed(1)} sigma, ×3 ${(Math.log(3) / sigma).toFixed(1)})`,
  );
  console.log(
    `goals: false alarms ≤ ${GOALS.falseAlarms} per book-year; ×2 (and ×3) shifts detected ≥ ${GOALS.detect * 100} % within 3 observations\n`,
  );
  VARIANTS.forEach((v, i) => report(v.name, histories, v.options, i === 0));
  await queryCost();
  console.log(`\ntotal ${fmtMs(performance.now() - started)}`);
}

void main();
