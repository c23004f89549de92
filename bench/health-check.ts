/**
 * Health-check figures (issue 5): time and peak memory of one health check
 * for 500 and 5,000 served models, on the embedded backend and with the
 * StateStore and EventBus on Google's emulators (Firestore, Pub/Sub), beside
 * the floor: the same reads (endpoints, registry versions, actuals, the
 * prediction per book, the previous report) with nothing else. Medians of
 * `--runs` runs; memory is the peak of `process.memoryUsage()` sampled every
 * 5 ms during a run. Figures only; nothing passes or fails.
 *
 *   npx tsx bench/health-check.ts [--runs 3] [--skip-500] [--skip-5000] [--no-emulators]
 *
 * 500 models are seeded with `seedFleet` (real ARIMA versions; if seeding
 * fails, the synthetic fleet below, and the output says so); 5,000 are built
 * through the ports with cheap synthetic forecasts and three years of weekly
 * actuals, as seedFleet's catalogue stops at 500.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FirestoreStateStore } from '../shared/adapters/gcp/firestore-state-store';
import { PubSubEventBus } from '../shared/adapters/gcp/pubsub-event-bus';
import { detectEmulatorSupport, startEmulator, type RunningEmulator } from '../shared/adapters/gcp/emulators';
import { loadConfig } from '../shared/config';
import { COLLECTIONS } from '../shared/contracts/collections';
import type { SalesSeries } from '../shared/contracts/model';
import { isbn13CheckDigit } from '../shared/domain/isbn';
import { liveForecastSteps } from '../shared/domain/health/live-accuracy';
import { mulberry32 } from '../shared/fleet/prng';
import { toSalesRows, writeSalesCsv } from '../shared/fleet/sales-csv';
import { trainingDataHash } from '../shared/domain/series/data-hash';
import { addWeeks } from '../shared/domain/series/weeks';
import { createSilentLogger } from '../shared/logging/capture';
import type { Clock } from '../shared/ports/clock';
import { PRODUCTION_ALIAS } from '../shared/ports/model-registry';
import { forEachBounded, runHealthCheck, type HealthCheckDeps } from '../shared/services/health-check';
import { healthCheckSettings } from '../shared/wiring/health-check';
import { servedVersion } from '../shared/services/health-check/check-model';
import { SEED_AS_OF } from '../shared/services/seed-fleet';
import { seedEmbeddedFleet } from '../shared/wiring/seed';
import { openBackend, SALES_CSV_FILE, type Backend } from '../shared/wiring/backend';
import { ensureTopology } from '../shared/wiring/topology-setup';
import { fmtMs, median, row } from './stats';

const argv = process.argv.slice(2);
const runsAt = argv.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(argv[runsAt + 1]) : 3;
const TRAINED_THROUGH = '2024-11-30';
const LAST_WEEK = '2024-12-28';
const MB = 1024 * 1024;

interface Measure {
  ms: number;
  rssMb: number;
  heapMb: number;
  alerts?: number;
}

/** Runs `fn` once, sampling memory every 5 ms. */
async function measure(fn: () => Promise<number | void>): Promise<Measure> {
  let rss = process.memoryUsage().rss;
  let heap = process.memoryUsage().heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  }, 5);
  const started = performance.now();
  const alerts = await fn();
  const ms = performance.now() - started;
  clearInterval(timer);
  const m = process.memoryUsage();
  return {
    ms,
    rssMb: Math.max(rss, m.rss) / MB,
    heapMb: Math.max(heap, m.heapUsed) / MB,
    ...(typeof alerts === 'number' ? { alerts } : {}),
  };
}

async function medianOf(fn: () => Promise<number | void>): Promise<Measure> {
  const all: Measure[] = [];
  for (let i = 0; i < RUNS; i++) all.push(await measure(fn));
  return {
    ms: median(all.map((m) => m.ms)),
    rssMb: Math.max(...all.map((m) => m.rssMb)),
    heapMb: Math.max(...all.map((m) => m.heapMb)),
    alerts: median(all.map((m) => m.alerts ?? 0)),
  };
}

/** The world's clock: the seeded date, running in real time from now. */
function worldClock(): Clock {
  const offset = Date.parse(SEED_AS_OF) - Date.now();
  return { now: () => new Date(Date.now() + offset), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
}

let runNo = 0;
async function healthRun(deps: HealthCheckDeps, backend: Backend): Promise<number> {
  const result = await runHealthCheck(
    { runId: `hc-bench-${process.pid}-${++runNo}`, trigger: 'manual', correlationId: `corr-bench-${runNo}` },
    deps,
    healthCheckSettings(backend.config),
  );
  return result.alerts.length;
}

/** The floor: the reads a health check cannot avoid, at the same concurrency, and nothing else. */
async function floorRun(deps: HealthCheckDeps, backend: Backend): Promise<void> {
  const served = await deps.serving.listServing();
  await deps.state.query(COLLECTIONS.healthReports, {
    orderBy: { field: 'startedAt', direction: 'desc' },
    limit: 2,
  });
  await forEachBounded(served, backend.config.alerting.healthConcurrency, async (state) => {
    const version = servedVersion(state)!;
    const [meta, series] = await Promise.all([
      deps.registry.getVersion(state.isbn, version),
      deps.sales.getSeries(state.isbn),
    ]);
    const steps = liveForecastSteps(meta!.trainedThrough, series?.points.at(-1)?.weekEnding);
    await deps.serving.predict(state.isbn, [{ steps }], { version });
  });
}

/** A recent successful training run (so the pipeline is not stale) and the topics to publish on. */
async function recordRecentRun(backend: Backend): Promise<void> {
  await ensureTopology(backend.bus);
  const now = backend.clock.now().getTime();
  await backend.pipelines.recordRun({
    id: `bench-${now}`,
    pipelineName: 'arima-weekly-training',
    state: 'PIPELINE_STATE_SUCCEEDED',
    startTime: new Date(now - 3_600_000).toISOString(),
    endTime: new Date(now - 600_000).toISOString(),
  });
}

/** 500 books seeded as `forecast-guard seed` does; the synthetic fleet if seeding fails (the figure says which). */
async function seeded500(): Promise<{ dir: string; backend: Backend }> {
  const dir = mkdtempSync(join(tmpdir(), 'fg-bench-health-500-'));
  const backend = openBackend(loadConfig({ FG_STATE_DIR: dir }), { clock: worldClock() });
  const t = performance.now();
  try {
    await seedEmbeddedFleet(
      { stateDir: dir, salesCsv: join(dir, SALES_CSV_FILE), books: 500, seed: 42 },
      backend,
    );
  } catch (err) {
    row('setup: seedFleet 500 books FAILED', (err as Error).message.slice(0, 120));
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
    return synthetic(500);
  }
  row('setup: seedFleet 500 books (x3 ARIMA versions)', fmtMs(performance.now() - t));
  await recordRecentRun(backend);
  return { dir, backend };
}

/** 5,000 books through the ports: three years of seasonal weekly sales, a forecast that follows them. */
async function synthetic(books: number): Promise<{ dir: string; backend: Backend }> {
  const dir = mkdtempSync(join(tmpdir(), `fg-bench-health-${books}-`));
  const backend = openBackend(loadConfig({ FG_STATE_DIR: dir }), { clock: worldClock() });
  const t = performance.now();
  const rnd = mulberry32(7).next;
  const weeks = Array.from({ length: 156 }, (_, i) => addWeeks(LAST_WEEK, i - 155));
  const series: SalesSeries[] = [];
  for (let b = 0; b < books; b++) {
    const first12 = `979${String(100_000_000 + b).padStart(9, '0')}`;
    const isbn = first12 + String(isbn13CheckDigit(first12));
    const level = 20 + rnd() * 280;
    const shape = (w: string) => level * (w.slice(5, 7) === '12' ? 1.6 : w.slice(5, 7) === '11' ? 1.2 : 1);
    const points = weeks.map((w) => ({
      weekEnding: w,
      volume: Math.max(0, Math.round(shape(w) * (0.85 + 0.3 * rnd()))),
    }));
    series.push({ isbn, title: `Synthetic ${b}`, points });
    const mean = Array.from({ length: 104 }, (_, i) => shape(addWeeks(TRAINED_THROUGH, i + 1)));
    const v = await backend.registry.registerVersion({
      isbn,
      createdAt: '2024-12-02T06:00:00.000Z',
      metrics: { rmse: level * 0.12, mape: 12, holdoutWeeks: 32 },
      dataHash: trainingDataHash(isbn, points, TRAINED_THROUGH),
      trainedThrough: TRAINED_THROUGH,
      forecast: { mean, lower: mean.map((m) => m * 0.7), upper: mean.map((m) => m * 1.3) },
    });
    await backend.serving.setTraffic(isbn, { [v.version]: 100 });
    await backend.registry.setAlias(isbn, PRODUCTION_ALIAS, v.version);
  }
  await writeSalesCsv(join(dir, SALES_CSV_FILE), toSalesRows(series));
  row(
    `setup: ${books.toLocaleString('en-GB')} books through the ports (156 weeks each)`,
    fmtMs(performance.now() - t),
  );
  await recordRecentRun(backend);
  return { dir, backend };
}

function print(label: string, m: Measure, floor?: Measure): void {
  row(
    label,
    fmtMs(m.ms).padStart(9),
    `RSS ${m.rssMb.toFixed(0).padStart(4)} MB`,
    `heap ${m.heapMb.toFixed(0).padStart(4)} MB`,
    floor ? `${(m.ms / floor.ms).toFixed(1).padStart(5)}x floor` : '          ',
    m.alerts !== undefined && floor ? `${m.alerts} alerts` : '',
  );
}

async function scenario(models: number, world: { dir: string; backend: Backend }, emulators?: Emulators) {
  const { backend } = world;
  const embedded: HealthCheckDeps = { ...backend, logger: createSilentLogger() };
  await healthRun(embedded, backend); // warm caches (CSV parse, forecasts), as an hourly function instance would be
  const floor = await medianOf(() => floorRun(embedded, backend));
  const check = await medianOf(() => healthRun(embedded, backend));
  const n = models.toLocaleString('en-GB');
  print(`${n} models: floor, embedded`, floor);
  print(`${n} models: health check, embedded`, check, floor);
  if (!emulators) return;
  const projectId = `demo-fg-bench-${process.pid}-${models}`;
  const state = new FirestoreStateStore({
    projectId,
    clock: backend.clock,
    emulatorHost: emulators.firestore,
  });
  const bus = new PubSubEventBus({ projectId, clock: backend.clock, emulatorHost: emulators.pubsub });
  await ensureTopology(bus);
  const onEmulators: HealthCheckDeps = { ...embedded, state, bus };
  await healthRun(onEmulators, backend);
  const floorE = await medianOf(() => floorRun(onEmulators, backend));
  const checkE = await medianOf(() => healthRun(onEmulators, backend));
  print(`${n} models: floor, state on emulator`, floorE);
  print(`${n} models: health check, emulators`, checkE, floorE);
  await bus.close();
  await state.close();
}

interface Emulators {
  pubsub: string;
  firestore: string;
  stop(): Promise<void>;
}

async function startEmulators(): Promise<Emulators | undefined> {
  if (argv.includes('--no-emulators')) return undefined;
  // `gcloud info` can time out on a loaded machine, which reads as "not installed": ask twice.
  let support = detectEmulatorSupport();
  if (!support.available) support = detectEmulatorSupport();
  if (!support.available) {
    process.stdout.write(`  (emulator figures skipped: ${support.reason})\n`);
    return undefined;
  }
  const running: RunningEmulator[] = await Promise.all([
    startEmulator('pubsub', { sdkRoot: support.sdkRoot! }),
    startEmulator('firestore', { sdkRoot: support.sdkRoot! }),
  ]);
  return {
    pubsub: running[0]!.host,
    firestore: running[1]!.host,
    stop: async () => void (await Promise.all(running.map((r) => r.stop()))),
  };
}

async function main(): Promise<void> {
  process.stdout.write(
    `health check, median of ${RUNS} runs after one warm-up run, concurrency ${loadConfig({}).alerting.healthConcurrency}; memory: peak over the runs\n` +
      '  floor = the same reads (endpoints, versions, actuals, one prediction per book, the previous report), nothing else;\n' +
      '  emulators = StateStore on the Firestore emulator, EventBus on the Pub/Sub emulator, the rest embedded\n',
  );
  const emulators = await startEmulators();
  try {
    for (const models of [500, 5000]) {
      if (argv.includes(`--skip-${models}`)) continue;
      const world = models === 500 ? await seeded500() : await synthetic(models);
      try {
        await scenario(models, world, emulators);
      } finally {
        await world.backend.close();
        rmSync(world.dir, { recursive: true, force: true });
      }
    }
  } finally {
    await emulators?.stop();
  }
}

void main().catch((err: unknown) => {
  process.stderr.write(`bench/health-check.ts failed: ${String(err)}\n`);
  process.exitCode = 1;
});
