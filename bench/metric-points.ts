/**
 * The metric series' figures (issue 14, history and trends): what writing one
 * health check's points and rollups costs for a 500-book fleet, in time and
 * in StateStore operations (what Firestore bills), a retried run's cost, and
 * how long the dashboard's reads take once the series is full: one book's
 * trend over 35 days of hourly points, and the fleet over 48 runs. On the
 * embedded SQLite store; with `--firestore` also on Google's Firestore
 * emulator (needs gcloud and Java). Medians of `--runs` runs. Figures beside
 * their goals; nothing passes or fails.
 *
 *   npx tsx bench/metric-points.ts [--runs 5] [--books 500] [--firestore] [--fold-concurrency 4]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FirestoreStateStore } from '../shared/adapters/gcp/firestore-state-store';
import { detectEmulatorSupport, startEmulator } from '../shared/adapters/gcp/emulators';
import { SqliteStateStore, stateDbPath } from '../shared/adapters/local/sqlite-state-store';
import { COLLECTIONS } from '../shared/contracts/collections';
import type { HealthReport } from '../shared/contracts/documents/health-report';
import { isbn13CheckDigit } from '../shared/domain/isbn';
import { createSilentLogger } from '../shared/logging/capture';
import type { StateStore } from '../shared/ports/state-store';
import type { ModelOutcome } from '../shared/services/health-check/check-model';
import { writeMetricPoints } from '../shared/services/health-check/metric-points';
import { readPoints } from '../shared/services/history/book-trend';
import { fleetTrend } from '../shared/services/history/fleet-trend';
import { fmtMs, median, numberFlag, row } from './stats';

const RUNS = numberFlag('runs', 5);
const BOOKS = numberFlag('books', 500);
const HOUR = 3_600_000;
const START = Date.parse('2025-01-06T00:00:00.000Z');
const RETENTION = {
  pointsMs: 35 * 24 * HOUR,
  rollupsMs: 730 * 24 * HOUR,
  concurrency: numberFlag('fold-concurrency', 4),
};

const isbnAt = (i: number) => {
  const first12 = `979${String(100_000_000 + i).padStart(9, '0')}`;
  return first12 + String(isbn13CheckDigit(first12));
};

function outcomes(run: number): ModelOutcome[] {
  return Array.from({ length: BOOKS }, (_, i) => {
    const rmse = 10 + ((i * 7 + run) % 40);
    return {
      isbn: isbnAt(i),
      version: '3',
      status: 'healthy',
      health: {
        isbn: isbnAt(i),
        version: '3',
        rmse,
        mape: rmse / 2,
        smape: rmse / 2.2,
        mase: 0.8,
        baselineRmse: 12,
        baselineMape: 14,
        status: 'healthy',
      },
      bias: rmse / 4 - 3,
      psi: 0.05,
      findings: [],
      evaluated: [],
      notes: [],
    };
  });
}

/** Counts the operations Firestore bills: document reads and writes. */
function counting(state: StateStore) {
  const ops = { reads: 0, writes: 0, commits: 0 };
  const store: StateStore = Object.assign(Object.create(state) as StateStore, {
    batchSet: async (writes: Parameters<StateStore['batchSet']>[0]) => {
      ops.writes += writes.length;
      ops.commits += 1;
      return state.batchSet(writes);
    },
    runTransaction: <R>(fn: Parameters<StateStore['runTransaction']>[0]) =>
      state.runTransaction(async (tx) => {
        ops.commits += 1;
        const counted = {
          get: (c: string, id: string) => ((ops.reads += 1), tx.get(c, id)),
          getAll: (refs: ReadonlyArray<{ collection: string; id: string }>) => (
            (ops.reads += refs.length),
            tx.getAll(refs)
          ),
          set: (c: string, id: string, d: Record<string, unknown>) => ((ops.writes += 1), tx.set(c, id, d)),
          create: tx.create.bind(tx),
          delete: tx.delete.bind(tx),
        };
        return fn(counted as typeof tx) as Promise<R>;
      }),
  });
  return { store, ops };
}

async function writes(label: string, state: StateStore): Promise<void> {
  const logger = createSilentLogger();
  const times: number[] = [];
  let last = { reads: 0, writes: 0, commits: 0 };
  for (let r = 0; r < RUNS; r++) {
    const { store, ops } = counting(state);
    const at = new Date(START + r * HOUR).toISOString();
    const t = performance.now();
    await writeMetricPoints(outcomes(r), { runId: `hc-bench-${r}`, at }, { state: store, logger }, RETENTION);
    times.push(performance.now() - t);
    last = ops;
  }
  row(`${label}: points + rollups, ${BOOKS} books`, fmtMs(median(times)), `(goal ≤ 2 s)`);
  // The floor: the same number of point documents in one batch, and nothing else.
  const floor: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const docs = outcomes(r).map((o) => ({
      collection: COLLECTIONS.metricPoints,
      id: `${o.isbn}:hc-floor-${r}`,
      data: {
        isbn: o.isbn,
        at: new Date(START).toISOString(),
        runId: `hc-floor-${r}`,
        version: '3',
        status: 'healthy',
      },
    }));
    const t = performance.now();
    for (let i = 0; i < docs.length; i += 500) await state.batchSet(docs.slice(i, i + 500));
    floor.push(performance.now() - t);
  }
  row(`${label}: floor, the points alone in batches`, fmtMs(median(floor)));
  row(`${label}: operations per run`, `${last.writes} writes, ${last.reads} reads, ${last.commits} commits`);
  const { store, ops } = counting(state);
  const t = performance.now();
  const at = new Date(START + (RUNS - 1) * HOUR).toISOString();
  const again = await writeMetricPoints(
    outcomes(RUNS - 1),
    { runId: `hc-bench-${RUNS - 1}`, at },
    { state: store, logger },
    RETENTION,
  );
  row(
    `${label}: a retried run`,
    fmtMs(performance.now() - t),
    `${again.rollups} rollups changed (goal 0), ${ops.writes} writes, ${ops.reads} reads`,
  );
}

/** 35 days of hourly points for one book, then its series read back in time order. */
async function reads(label: string, state: StateStore): Promise<void> {
  // A book of its own, so the runs written above do not add to its series.
  const isbn = isbnAt(BOOKS + 1);
  const points = 35 * 24;
  const docs = Array.from({ length: points }, (_, h) => ({
    collection: COLLECTIONS.metricPoints,
    id: `${isbn}:hc-series-${h}`,
    data: {
      isbn,
      at: new Date(START - h * HOUR).toISOString(),
      runId: `hc-series-${h}`,
      version: '3',
      status: 'healthy',
      rmse: 10 + (h % 7),
      mape: 8,
    },
  }));
  for (let i = 0; i < docs.length; i += 500) await state.batchSet(docs.slice(i, i + 500));
  const times: number[] = [];
  let n = 0;
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    n = (await readPoints({ state }, isbn)).length;
    times.push(performance.now() - t);
  }
  row(
    `${label}: one book's series (${n} points)`,
    fmtMs(median(times)),
    '(goal ≤ 500 ms, the page polls every 3 s)',
  );

  const models = Array.from({ length: BOOKS }, (_, i) => ({
    isbn: isbnAt(i),
    version: '3',
    rmse: 12.345,
    mape: 10.5,
    smape: 9.87,
    mase: 0.812,
    baselineRmse: 12,
    baselineMape: 14,
    status: 'healthy',
    canaryLatencyMs: 3.21,
  }));
  for (let r = 0; r < 48; r++) {
    const at = new Date(START - r * HOUR).toISOString();
    const report: HealthReport = {
      runId: `hc-fleet-${r}`,
      trigger: 'schedule',
      startedAt: at,
      finishedAt: at,
      durationMs: 1000,
      status: 'healthy',
      registry: { ok: true, latencyMs: 1 },
      models: models as HealthReport['models'],
      alerts: [],
      correlationId: `corr-${r}`,
      scope: 'fleet',
      counts: { healthy: BOOKS },
    };
    await state.set(COLLECTIONS.healthReports, report.runId, report);
  }
  const fleetTimes: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    await fleetTrend({}, { state });
    fleetTimes.push(performance.now() - t);
  }
  row(
    `${label}: fleet over 48 runs of ${BOOKS} books`,
    fmtMs(median(fleetTimes)),
    '(goal ≤ 2 s, asked once per run)',
  );
}

async function main(): Promise<void> {
  process.stdout.write(`metric series, ${BOOKS} books, medians of ${RUNS} runs\n`);
  const dir = mkdtempSync(join(tmpdir(), 'fg-bench-points-'));
  const sqlite = new SqliteStateStore(stateDbPath(dir));
  try {
    await writes('sqlite', sqlite);
    await reads('sqlite', sqlite);
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
  if (!process.argv.includes('--firestore')) return;
  const support = detectEmulatorSupport();
  if (!support.available || !support.sdkRoot) {
    row('firestore emulator', `not run: ${support.reason ?? 'unavailable'}`);
    return;
  }
  const emulator = await startEmulator('firestore', { sdkRoot: support.sdkRoot });
  const firestore = new FirestoreStateStore({
    projectId: `demo-fg-bench-points-${process.pid}`,
    emulatorHost: emulator.host,
  });
  try {
    await writes('firestore emulator', firestore);
    await reads('firestore emulator', firestore);
  } finally {
    await firestore.close();
    await emulator.stop();
  }
}

void main();
