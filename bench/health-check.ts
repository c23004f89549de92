/**
 * Health-check figures (issue 15): peak memory and time of one health check
 * for 500, 5,000 and 20,000 served models, beside its floor.
 *
 *   npx tsx bench/health-check.ts [--runs 3] [--sizes 500,5000,20000] [--no-emulators]
 *
 * Peak RSS never shrinks back within a process, so each figure comes from a
 * FRESH child process per size and backend: a first child builds the world on
 * disk (500 books seeded with `seedFleet`'s real ARIMA versions, or the
 * synthetic fleet if seeding fails; 5,000 and 20,000 built through the ports
 * with cheap synthetic forecasts and three years of weekly actuals, as
 * seedFleet's catalogue stops at 500), then one child per backend opens it,
 * notes its RSS with the world open (the baseline the check adds to: node,
 * tsx's CommonJS hook, the adapters), runs one warm-up check (the cold one,
 * as a new function instance does) and `--runs` more, sampling
 * `process.memoryUsage()` every 5 ms, and only then times the floor. The
 * child runs with the node flags the health-check function is deployed with
 * (V8's old-space cap, topology `heapMb`); a second child without them shows
 * what the cap does. Backends: embedded at every size; StateStore on the
 * Firestore emulator and EventBus on the Pub/Sub emulator (the rest
 * embedded) at 500 and 5,000 only, as 20,000 books' writes through the
 * emulators take minutes and add nothing the 5,000 figure does not say.
 *
 * The floor: the READS a check cannot avoid (endpoints, the previous report,
 * per slice the actuals in one read, per book its version and one
 * prediction, at the same concurrency), then the WRITES it cannot avoid
 * since it keeps a metric series (a point and a rollup per book, the report:
 * documents of a point's size, 500 to a batch), and nothing else. Also
 * printed: the check over the reads alone (the floor before the series
 * existed), and its writing steps over the batched writes. Times are
 * medians; peak RSS is the maximum over the cold run and the timed runs.
 * Figures beside goals go to `npm run bench`'s closing table.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { createLogger } from '../shared/logging/logger';
import type { Clock } from '../shared/ports/clock';
import { PRODUCTION_ALIAS } from '../shared/ports/model-registry';
import { forEachBounded, runHealthCheck, type HealthCheckDeps } from '../shared/services/health-check';
import { healthCheckSettings } from '../shared/wiring/health-check';
import { servedVersion } from '../shared/services/health-check/check-model';
import { MAX_BATCH_WRITES } from '../shared/services/health-check/metric-points';
import { sliceSizeOf } from '../shared/services/health-check/slices';
import { SEED_AS_OF } from '../shared/services/seed-fleet';
import { functionSpec, nodeFlagsOf } from '../shared/topology';
import { seedEmbeddedFleet } from '../shared/wiring/seed';
import { openBackend, SALES_CSV_FILE, type Backend } from '../shared/wiring/backend';
import { ensureTopology } from '../shared/wiring/topology-setup';
import type * as FirestoreSdk from '../shared/adapters/gcp/firestore-state-store';
import type * as PubSubSdk from '../shared/adapters/gcp/pubsub-event-bus';
import { fmtMs, goal, median, numberFlag, row } from './stats';

const argv = process.argv.slice(2);
const RUNS = numberFlag('runs', 3);
const TRAINED_THROUGH = '2024-11-30';
const LAST_WEEK = '2024-12-28';
const MB = 1024 * 1024;
const RSS_GOAL_MB = 300;
const RATIO_GOAL = 1.5;
/** The node flags the health-check function is deployed with (topology `heapMb`, NODE_OPTIONS on Google Cloud). */
const DEPLOYED_FLAGS = nodeFlagsOf(functionSpec('health-check'));
/** The size the time goal is judged at (the issue's row). */
const RATIO_AT = 5000;
/** The check's steps that write (metric points and rollups, the report): the reads floor has none of them. */
const WRITE_STEPS = new Set(['metric points', 'report write', 'publish']);
/** Sizes the emulator backend runs at. */
const EMULATOR_SIZES = new Set([500, 5000]);

/** The world's clock: the seeded date, running in real time from now. */
function worldClock(): Clock {
  const offset = Date.parse(SEED_AS_OF) - Date.now();
  return { now: () => new Date(Date.now() + offset), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
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
async function seeded500(dir: string): Promise<Backend> {
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
    return synthetic(500, dir);
  }
  row('setup: seedFleet 500 books (x3 ARIMA versions)', fmtMs(performance.now() - t));
  await recordRecentRun(backend);
  return backend;
}

/** `books` books through the ports: three years of seasonal weekly sales, a forecast that follows them. */
async function synthetic(books: number, dir: string): Promise<Backend> {
  mkdirSync(dir, { recursive: true });
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
  return backend;
}

/** What one measuring child reports. */
interface Figures {
  books: number;
  backend: string;
  baselineRssMb: number;
  peakRssMb: number;
  peakHeapMb: number;
  coldMs: number;
  checkMs: number;
  readFloorMs: number;
  /** The documents a check must write (a point and a rollup per book, the report), batched, nothing else. */
  writeFloorMs: number;
  /** Median time of each step of the check (its log lines), in step order. */
  steps: Array<[string, number]>;
  alerts: number;
}

/** Each step's durations over the timed runs, from the check's own step log lines. */
const stepTimes = new Map<string, number[]>();
let recordSteps = false;
const stepLogger = createLogger({
  component: 'bench',
  level: 'info',
  write: (line) => {
    if (!recordSteps || !line.includes('"step"')) return;
    const entry = JSON.parse(line) as { step?: string; durationMs?: number };
    if (entry.step === undefined || entry.durationMs === undefined) return;
    const name = entry.step.replace(/^health check: /, '');
    stepTimes.set(name, [...(stepTimes.get(name) ?? []), entry.durationMs]);
  },
});

let runNo = 0;
async function healthRun(deps: HealthCheckDeps, backend: Backend): Promise<number> {
  const result = await runHealthCheck(
    { runId: `hc-bench-${process.pid}-${++runNo}`, trigger: 'manual', correlationId: `corr-bench-${runNo}` },
    deps,
    healthCheckSettings(backend.config),
  );
  return result.alerts.length;
}

/** The reads a health check cannot avoid, sliced and bounded as it reads them, and nothing else. */
async function readFloor(deps: HealthCheckDeps, backend: Backend): Promise<void> {
  const settings = healthCheckSettings(backend.config);
  const served = await deps.serving.listServing();
  await deps.state.query(COLLECTIONS.healthReports, {
    orderBy: { field: 'startedAt', direction: 'desc' },
    limit: 2,
  });
  const size = sliceSizeOf(settings);
  for (let from = 0; from < served.length; from += size) {
    const slice = served.slice(from, from + size);
    const actuals = deps.sales.getSeriesFor
      ? await deps.sales.getSeriesFor(slice.map((s) => s.isbn))
      : undefined;
    await forEachBounded(slice, settings.concurrency, async (state) => {
      const version = servedVersion(state) ?? '';
      const [meta, series] = await Promise.all([
        deps.registry.getVersion(state.isbn, version),
        actuals ? actuals.get(state.isbn) : deps.sales.getSeries(state.isbn),
      ]);
      const steps = meta ? liveForecastSteps(meta.trainedThrough, series?.points.at(-1)?.weekEnding) : 1;
      await deps.serving.predict(state.isbn, [{ steps }]);
    });
  }
}

/**
 * The writes a health check cannot avoid since issue 14 (a MetricPoint and
 * its weekly MetricRollup per book, then the report), as documents of a
 * point's size in batches of 500 (Firestore's most per commit), and nothing
 * else: no reads of the rollups, no transactions, no validation.
 */
async function writeFloor(deps: HealthCheckDeps, books: number, run: number): Promise<void> {
  const at = new Date().toISOString();
  const docs = Array.from({ length: 2 * books + 1 }, (_, i) => ({
    collection: 'bench-floor',
    id: `run${run}-${i}`,
    data: {
      isbn: `book-${i % books}`,
      at,
      runId: `run${run}`,
      version: '3',
      status: 'healthy',
      rmse: 12.5,
      mape: 14.25,
      smape: 13.9,
      mase: 0.91,
      bias: -0.4,
      psi: 0.03,
      expireAt: at,
    },
  }));
  for (let i = 0; i < docs.length; i += MAX_BATCH_WRITES)
    await deps.state.batchSet(docs.slice(i, i + MAX_BATCH_WRITES));
}

/** Runs `fn` `runs` times; the median wall time. */
async function medianMs(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const all: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    all.push(performance.now() - t);
  }
  return median(all);
}

/** The deps of one backend over the world: embedded, or state and bus on the emulators. */
async function depsFor(
  backend: Backend,
  which: string,
): Promise<{ deps: HealthCheckDeps; close(): Promise<void> }> {
  const embedded: HealthCheckDeps = { ...backend, logger: stepLogger };
  if (which === 'embedded') return { deps: embedded, close: async () => undefined };
  // Required here: the Google clients would add their code to every embedded child's baseline RSS.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { FirestoreStateStore } =
    require('../shared/adapters/gcp/firestore-state-store') as typeof FirestoreSdk;
  const { PubSubEventBus } = require('../shared/adapters/gcp/pubsub-event-bus') as typeof PubSubSdk;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const projectId = `demo-fg-bench-${process.pid}`;
  const state = new FirestoreStateStore({ projectId, clock: backend.clock, emulatorHost: flag('firestore') });
  const bus = new PubSubEventBus({ projectId, clock: backend.clock, emulatorHost: flag('pubsub') });
  await ensureTopology(bus);
  return {
    deps: { ...embedded, state, bus },
    close: async () => {
      await bus.close();
      await state.close();
    },
  };
}

function flag(name: string): string {
  const i = argv.indexOf(`--${name}`);
  const value = i >= 0 ? argv[i + 1] : undefined;
  if (value === undefined) throw new Error(`bench/health-check.ts: --${name} is required here`);
  return value;
}

/** Child: opens the world, measures the check's memory (fresh process), then the times and floors. */
async function measureChild(): Promise<Figures> {
  const which = flag('backend');
  const backend = openBackend(loadConfig({ FG_STATE_DIR: flag('dir') }), { clock: worldClock() });
  const { deps, close } = await depsFor(backend, which);
  const baseline = process.memoryUsage().rss;
  let rss = baseline;
  let heap = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  }, 5);
  const t = performance.now();
  const alerts = await healthRun(deps, backend); // the cold run: caches filled, as a new function instance
  const coldMs = performance.now() - t;
  recordSteps = true;
  const checkMs = await medianMs(RUNS, () => healthRun(deps, backend));
  recordSteps = false;
  clearInterval(sampler);
  rss = Math.max(rss, process.memoryUsage().rss);
  const books = (await deps.serving.listServing()).map((s) => s.isbn);
  await readFloor(deps, backend); // warm, as the check's timed runs are
  const readFloorMs = await medianMs(RUNS, () => readFloor(deps, backend));
  let floorRun = 0;
  const writeFloorMs = await medianMs(RUNS, () => writeFloor(deps, books.length, ++floorRun));
  await close();
  await backend.close();
  return {
    ...{ books: books.length, backend: which, baselineRssMb: baseline / MB, peakRssMb: rss / MB },
    ...{ peakHeapMb: heap / MB, coldMs, checkMs, readFloorMs, writeFloorMs, alerts },
    steps: [...stepTimes].map(([name, ms]) => [name, median(ms)]),
  };
}

/** Child: builds the world of `--books` books in `--dir`. */
async function buildChild(): Promise<void> {
  const books = Number(flag('books'));
  const dir = flag('dir');
  const world = books === 500 ? await seeded500(dir) : await synthetic(books, dir);
  await world.close();
  process.stdout.write(`${JSON.stringify({ built: books })}\n`);
}

/** Runs this file as a child with `args`; its last stdout line (JSON for a measuring child). */
function child(args: string[], nodeFlags: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    // A capped child may die of its cap: V8's dump is summed up in one line, not printed.
    const quiet = nodeFlags.length > 0;
    // tsx's CommonJS hook, not `--import tsx`: the ESM loader runs in a worker thread of its own
    // (25–45 MB of RSS no deployed function has); compiled with tsc, as deployed, the same
    // modules take 6 MB less than under the CommonJS hook.
    const proc = spawn(process.execPath, [...nodeFlags, '--require', 'tsx/cjs', __filename, ...args], {
      stdio: ['ignore', 'pipe', quiet ? 'pipe' : 'inherit'],
    });
    let out = '';
    let err = '';
    proc.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    proc.stderr?.on('data', (chunk: Buffer) => {
      err = (err + chunk.toString('utf8')).slice(-4096);
    });
    proc.on('error', reject);
    proc.on('close', (code) => {
      const lines = out.trimEnd().split('\n');
      // Rows a child prints (setup times) are passed through; the JSON line is the answer.
      for (const line of lines.slice(0, -1)) process.stdout.write(`${line}\n`);
      if (code === 0) resolve(lines.at(-1) ?? '');
      else if (/heap out of memory/.test(err))
        reject(new Error('out of memory: it needs more heap than the cap'));
      else
        reject(
          new Error(
            `child ${args.join(' ')} exited ${code}${err ? `: ${err.trim().split('\n').at(-1)}` : ''}`,
          ),
        );
    });
  });
}

function report(f: Figures): void {
  const n = `${f.books.toLocaleString('en-GB')} models, ${f.backend}`;
  const rssMet = f.peakRssMb <= RSS_GOAL_MB;
  goal(`health check, ${n}: peak RSS`, `${f.peakRssMb.toFixed(0)} MB`, `≤ ${RSS_GOAL_MB} MB`, rssMet);
  row(`${n}: RSS with the world open, before the check`, `${f.baselineRssMb.toFixed(0)} MB`);
  row(`${n}: peak heap used`, `${f.peakHeapMb.toFixed(0)} MB`);
  row(`${n}: first (cold) check`, fmtMs(f.coldMs), `${f.alerts} alerts`);
  row(`${n}: health check (median)`, fmtMs(f.checkMs));
  const floorMs = f.readFloorMs + f.writeFloorMs;
  row(
    `${n}: floor`,
    fmtMs(floorMs),
    `(the reads ${fmtMs(f.readFloorMs)}, the writes batched ${fmtMs(f.writeFloorMs)})`,
  );
  // Where the time goes: the steps as the check logs them.
  row(`${n}: steps`, f.steps.map(([name, ms]) => `${name} ${fmtMs(ms)}`).join(', '));
  const ratio = f.checkMs / floorMs;
  const text = `${ratio.toFixed(2)}×`;
  if (f.books === RATIO_AT)
    goal(`health check, ${n}: time ÷ floor`, text, `≤ ${RATIO_GOAL}×`, ratio <= RATIO_GOAL);
  else row(`${n}: time ÷ floor`, text);
  const writes = f.steps.filter(([name]) => WRITE_STEPS.has(name)).reduce((sum, [, ms]) => sum + ms, 0);
  row(
    `${n}: time ÷ the reads alone`,
    `${(f.checkMs / f.readFloorMs).toFixed(2)}×`,
    `(the issue's floor, from before the check wrote metric points); less its writes ${((f.checkMs - writes) / f.readFloorMs).toFixed(2)}×`,
  );
  row(
    `${n}: its writing steps ÷ the writes batched`,
    `${(writes / Math.max(f.writeFloorMs, 0.001)).toFixed(2)}×`,
    `(${[...WRITE_STEPS].join(', ')}: ${fmtMs(writes)})`,
  );
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
  if (!support.available || support.sdkRoot === undefined) {
    process.stdout.write(`  (emulator figures skipped: ${support.reason ?? 'no SDK root'})\n`);
    return undefined;
  }
  const sdkRoot = support.sdkRoot;
  const running: RunningEmulator[] = await Promise.all([
    startEmulator('pubsub', { sdkRoot }),
    startEmulator('firestore', { sdkRoot }),
  ]);
  const [pubsub, firestore] = running.map((r) => r.host);
  return {
    pubsub: pubsub ?? '',
    firestore: firestore ?? '',
    stop: async () => void (await Promise.all(running.map((r) => r.stop()))),
  };
}

/**
 * What V8's cap does: the same check with no `--max-old-space-size`.
 * Uncapped, V8 lets the heap grow to several times what is live before it
 * collects (the heap-growing factor is up to 4); capped as deployed, the
 * peak is what the check holds, plus the baseline and the typed arrays
 * outside the heap. A run that needs more than its cap dies, and the row
 * says so.
 */
async function uncapped(label: string, args: string[]): Promise<void> {
  const what = `${label}, V8 uncapped: peak RSS`;
  try {
    const f = JSON.parse(await child(args)) as Figures;
    row(
      what,
      `${f.peakRssMb.toFixed(0)} MB`,
      `(heap used at most ${f.peakHeapMb.toFixed(0)} MB; check ${fmtMs(f.checkMs)})`,
    );
  } catch (err) {
    row(what, `failed: ${(err as Error).message}`);
  }
}

async function oneSize(books: number, emulators: Emulators | undefined): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `fg-bench-health-${books}-`));
  try {
    await child(['--child', 'build', '--books', String(books), '--dir', dir]);
    const common = ['--child', 'measure', '--dir', dir, '--runs', String(RUNS)];
    const n = books.toLocaleString('en-GB');
    const embedded = [...common, '--backend', 'embedded'];
    report(JSON.parse(await child(embedded, DEPLOYED_FLAGS)) as Figures);
    await uncapped(`${n} models, embedded`, embedded);
    if (emulators && EMULATOR_SIZES.has(books)) {
      const hosts = ['--firestore', emulators.firestore, '--pubsub', emulators.pubsub];
      const onEmulators = [...common, '--backend', 'emulators', ...hosts];
      report(JSON.parse(await child(onEmulators, DEPLOYED_FLAGS)) as Figures);
      await uncapped(`${n} models, emulators`, onEmulators);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const sizes = argv.includes('--sizes') ? flag('sizes').split(',').map(Number) : [500, 5000, 20000];
  const config = loadConfig({});
  process.stdout.write(
    `health check, median of ${RUNS} runs after one cold run, concurrency ${config.alerting.healthConcurrency}, slices of ${config.alerting.healthSlice}; ` +
      `each size × backend in a fresh process (peak RSS never shrinks back), with the function's node flags as deployed (${DEPLOYED_FLAGS.join(' ') || 'none'}), then without them\n` +
      '  floor = the reads a check cannot avoid (endpoints, previous report, actuals per slice, version + one prediction per book)\n' +
      '          + the writes it cannot avoid (a metric point and a rollup per book, the report), batched 500 at a time;\n' +
      '  emulators = StateStore on the Firestore emulator, EventBus on the Pub/Sub emulator, the rest embedded\n',
  );
  const emulators = await startEmulators();
  try {
    for (const books of sizes) await oneSize(books, emulators);
  } finally {
    await emulators?.stop();
  }
}

const role = argv.includes('--child') ? flag('child') : 'parent';
const done =
  role === 'measure'
    ? measureChild().then((f) => void process.stdout.write(`${JSON.stringify(f)}\n`))
    : role === 'build'
      ? buildChild()
      : main();
void done.catch((err: unknown) => {
  process.stderr.write(`bench/health-check.ts (${role}) failed: ${String(err)}\n`);
  process.exitCode = 1;
});
