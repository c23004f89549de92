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
 * Last, what judging a book costs in reads on the embedded backend, before
 * and after the step kept each book's observations in one document.
 *
 *   npx tsx bench/anomaly.ts [--books 30] [--seed 42] [--from-year 2019] [--cost-books 20] [--cost-only]
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
import { documentSize, MAX_DOCUMENT_BYTES } from '../shared/contracts/document-size';
import type { ModelHealth } from '../shared/contracts/documents/health-report';
import { metricPointId } from '../shared/contracts/documents/metric-point';
import type { Clock } from '../shared/ports/clock';
import type { StateStore } from '../shared/ports/state-store';
import { anomalyCheck } from '../shared/services/health-check/anomaly-check';
import type { ModelOutcome } from '../shared/services/health-check/check-model';
import type { AnomalySettings } from '../shared/services/health-check/settings';
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
 * Firestore list prices (multi-region, USD per 100,000 documents), as
 * https://cloud.google.com/firestore/pricing gives them: what the read-cost
 * lines turn counts into money with.
 */
const FIRESTORE_USD_PER_100K = { read: 0.06, write: 0.18 };
/** The fleet the money figures are for, and how often a book is judged (once a week, when its actuals land). */
const COST_FLEET = 5_000;
const JUDGMENTS_PER_MONTH = 52 / 12;

/** Counts what a step asks of the store as Firestore bills it: a get is one read, a query one per document returned. */
function billed(inner: StateStore) {
  const n = { reads: 0, writes: 0, queries: 0 };
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const fn = (value as (...a: unknown[]) => unknown).bind(target);
      if (prop === 'get') return (...a: unknown[]) => (n.reads++, fn(...a));
      if (prop === 'set') return (...a: unknown[]) => (n.writes++, fn(...a));
      if (prop === 'query')
        return async (...a: unknown[]) => {
          const docs = (await fn(...a)) as unknown[];
          n.queries++;
          n.reads += Math.max(1, docs.length);
          return docs;
        };
      return fn;
    },
  });
  return { store, n };
}

/** A year of hourly points for each book (figures change weekly), as the trends step writes them. */
async function writeYearOfPoints(state: StateStore, isbns: readonly string[], now: number): Promise<number> {
  const hours = 52 * 168;
  for (const isbn of isbns) {
    const writes = Array.from({ length: hours }, (_, h) => {
      const data = {
        isbn,
        at: new Date(now - (hours - h) * 3_600_000).toISOString(),
        runId: `hc-${h}`,
        version: '3',
        status: 'healthy',
        mape: 15 + (Math.floor(h / 168) % 5),
        rmse: 10 + (Math.floor(h / 168) % 3),
      };
      return { collection: COLLECTIONS.metricPoints, id: metricPointId(isbn, data.runId), data };
    });
    for (let i = 0; i < writes.length; i += 500) await state.batchSet(writes.slice(i, i + 500));
  }
  return isbns.length * hours;
}

const outcomeFor = (isbn: string, mape: number): ModelOutcome => {
  const health: ModelHealth = {
    isbn,
    version: '3',
    rmse: 11,
    mape,
    smape: mape,
    baselineRmse: 9,
    baselineMape: 14,
    status: 'healthy',
  };
  return { isbn, version: '3', status: 'healthy', health, findings: [], evaluated: [], notes: [] };
};

/** One run of the step over every book, each with a new observation: its time and what it cost. */
async function timedStep(
  state: StateStore,
  isbns: readonly string[],
  runId: string,
  mape: number,
  now: number,
) {
  const { store, n } = billed(state);
  const clock: Clock = { now: () => new Date(now), sleep: async () => undefined };
  const settings: AnomalySettings = {
    enabled: true,
    metrics: ['mape'],
    detector: { ...DEFAULT_ANOMALY_OPTIONS },
    history: 60,
    seedPointsRead: 7000,
    concurrency: 4,
  };
  const t = performance.now();
  const res = await anomalyCheck(
    isbns.map((i) => outcomeFor(i, mape)),
    undefined,
    runId,
    { state: store, clock },
    settings,
  );
  if (res.evaluated.length !== isbns.length)
    throw new Error(`judged ${res.evaluated.length} of ${isbns.length}: ${res.notes.join('; ')}`);
  return { ms: performance.now() - t, ...n };
}

const usdPerMonth = (reads: number, writes: number) =>
  (COST_FLEET *
    JUDGMENTS_PER_MONTH *
    (reads * FIRESTORE_USD_PER_100K.read + writes * FIRESTORE_USD_PER_100K.write)) /
  100_000;

/**
 * What judging a book costs on the embedded backend, before and after the
 * step kept its own history: `costBooks` books × a year of hourly points.
 * Before: one `isbn ==, at desc, limit 7000` query per book (what the step
 * used to make on every judgment). After: the real step (anomaly-check.ts)
 * over every book, first when no book has its history document yet (each is
 * seeded from its points, once), then at the following weekly judgments.
 */
async function readCost(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fg-bench-anomaly-'));
  const state = new SqliteStateStore(join(dir, 'state.sqlite'));
  try {
    const now = Date.parse('2025-01-01T00:00:00.000Z');
    const isbns = catalogue(costBooks).map((b) => b.isbn);
    const points = await writeYearOfPoints(state, isbns, now);
    const before = { ms: [] as number[], reads: 0 };
    for (const isbn of isbns) {
      const t = performance.now();
      const docs = await state.query(COLLECTIONS.metricPoints, {
        where: [{ field: 'isbn', op: '==', value: isbn }],
        orderBy: { field: 'at', direction: 'desc' },
        limit: 7000,
      });
      before.ms.push(performance.now() - t);
      before.reads += docs.length;
    }
    const seeded = await timedStep(state, isbns, 'hc-bench-seed', 30, now);
    const steady: Array<Awaited<ReturnType<typeof timedStep>>> = [];
    for (let w = 1; w <= 5; w++)
      steady.push(await timedStep(state, isbns, `hc-bench-${w}`, 15 + w, now + w * 7 * 86_400_000));
    const per = (x: number) => (x / isbns.length).toLocaleString('en', { maximumFractionDigits: 1 });
    const last = steady[steady.length - 1] ?? seeded;
    const stepMs = median(steady.map((s) => s.ms));
    console.log(
      `\nread cost per judged book, embedded backend, ${costBooks} books × a year of hourly points (${points.toLocaleString('en')} points) [goal: a few reads, not thousands]`,
    );
    console.log(
      `  before (query up to 7,000 points):  ${per(before.reads)} reads/book; query p50 ${fmtMs(median(before.ms))}/book (SQLite scans the collection: it grows with the fleet)`,
    );
    console.log(
      `  after, first judgment (seed once): ${per(seeded.reads)} reads + ${per(seeded.writes)} write/book (${seeded.queries} queries); step ${fmtMs(seeded.ms)} for ${costBooks} books`,
    );
    console.log(
      `  after, every later judgment:       ${per(last.reads)} read + ${per(last.writes)} write/book, 0 queries; step p50 ${fmtMs(stepMs)} for ${costBooks} books (${fmtMs(stepMs / costBooks)}/book; 5 weekly runs)`,
    );
    console.log(
      `  ratio ${Math.round(before.reads / Math.max(1, last.reads)).toLocaleString('en')}× fewer reads, ${(median(before.ms) / Math.max(1e-6, stepMs / costBooks)).toFixed(0)}× less time per book; ` +
        `Firestore for ${COST_FLEET.toLocaleString('en')} books judged weekly: ${usdPerMonth(before.reads / isbns.length, 0).toFixed(2)} USD/month before, ` +
        `${usdPerMonth(last.reads / isbns.length, last.writes / isbns.length).toFixed(2)} USD/month after (+ ${((COST_FLEET * seeded.reads * FIRESTORE_USD_PER_100K.read) / isbns.length / 100_000).toFixed(2)} USD once, to seed)`,
    );
    const kept = await state.get(COLLECTIONS.metricObservations, isbns[0] ?? '');
    if (kept)
      console.log(
        `  one book's history document: ${(kept.data.observations as unknown[]).length} observations, ` +
          `${documentSize(COLLECTIONS.metricObservations, kept.id, kept.data).toLocaleString('en')} bytes [limit ${MAX_DOCUMENT_BYTES.toLocaleString('en')}]`,
      );
  } finally {
    await state.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  if (process.argv.includes('--cost-only')) return readCost();
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
  await readCost();
  console.log(`\ntotal ${fmtMs(performance.now() - started)}`);
}

void main();
