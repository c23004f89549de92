/**
 * Rollback figures (issue 4): the time to roll back 1 book and 500 books
 * (leases, backup, intents, switch, verify with a canary, records, events)
 * on the embedded backend and with the StateStore on Google's Firestore
 * emulator, beside the floor: the same number of StateStore documents
 * written with one `batchSet` and nothing else. Medians of `--runs` runs;
 * each run flips every book between its two versions, so every run switches.
 * The product owner's target: 500 models well under 2 minutes; issue 15's
 * goal: a 500-book run within 5× its floor (a goal row each, for the closing
 * table of `npm run bench`). Beside it: the per-book floor (every book's
 * switch, verification and event with no StateStore: what batching cannot
 * remove), and the profile of the last run — StateStore round trips,
 * serving/registry calls and bus messages, per phase (docs/rollback.md).
 * Figures only; nothing passes or fails.
 *
 *   npx tsx bench/rollback.ts [--runs 5] [--books 500] [--concurrency 16] [--no-emulators]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectEmulatorSupport, startEmulator, type RunningEmulator } from '../shared/adapters/gcp/emulators';
import { FirestoreStateStore } from '../shared/adapters/gcp/firestore-state-store';
import { loadConfig } from '../shared/config';
import { COLLECTIONS } from '../shared/contracts/collections';
import type { LastKnownGood } from '../shared/contracts/documents/last-known-good';
import { isbn13CheckDigit } from '../shared/domain/isbn';
import { createSilentLogger } from '../shared/logging/capture';
import { PRODUCTION_ALIAS } from '../shared/ports/model-registry';
import type { DocData, StateStore, Transaction } from '../shared/ports/state-store';
import type { RollbackRecord } from '../shared/contracts/documents/rollback';
import {
  applyRollback,
  type RollbackDeps,
  type RollbackProgress,
  type RollbackResult,
} from '../shared/services/rollback';
import { mapLimit } from '../shared/services/rollback/deps';
import { lifecycleEventFor } from '../shared/services/rollback/events';
import { switchAndVerify } from '../shared/services/rollback/switch-book';
import { openBackend, type Backend } from '../shared/wiring/backend';
import { ensureTopology } from '../shared/wiring/topology-setup';
import { fmtMs, goal, median, numberFlag, row } from './stats';

const RUNS = numberFlag('runs', 5);
const BOOKS = numberFlag('books', 500);
const CONCURRENCY = numberFlag('concurrency', 16);
const EMULATORS = !process.argv.includes('--no-emulators');

/** StateStore calls of one phase of a run: how many of each, and the time spent in them (summed). */
interface PhaseCalls {
  transactions: number;
  /** Documents read in transactions, and how many of those reads were one batched read (`getAll`). */
  txGets: number;
  txGetAlls: number;
  gets: number;
  queries: number;
  singleWrites: number;
  batchSets: number;
  /** Documents written (committed transaction attempts only). */
  writes: number;
  /** Sum of the durations of this phase's StateStore calls (they overlap under concurrency). */
  busyMs: number;
  /** Calls to the serving target and registry (reads, switches, canaries), and their summed time. */
  servingCalls: number;
  servingMs: number;
  /** Messages published (lifecycle events, alerts), and their summed time. */
  busCalls: number;
  busMs: number;
}

function noCalls(): PhaseCalls {
  return {
    transactions: 0,
    txGets: 0,
    txGetAlls: 0,
    gets: 0,
    queries: 0,
    singleWrites: 0,
    batchSets: 0,
    writes: 0,
    busyMs: 0,
    servingCalls: 0,
    servingMs: 0,
    busCalls: 0,
    busMs: 0,
  };
}

/**
 * A StateStore that counts the calls and documents written through it, per
 * phase of the run (`phase` is switched by the run's progress events).
 */
function counting(store: StateStore): {
  store: StateStore;
  writes: () => number;
  reset: () => void;
  enter: (phase: string) => void;
  phases: () => Map<string, PhaseCalls & { wallMs: number }>;
  timedPort: <P extends object>(port: P, kind: 'serving' | 'bus') => P;
} {
  let phases = new Map<string, PhaseCalls & { wallMs: number }>();
  let current = '';
  let since = performance.now();
  const enter = (phase: string) => {
    const now = performance.now();
    if (current !== '') at(current).wallMs += now - since;
    current = phase;
    since = now;
  };
  const at = (phase: string) => {
    let calls = phases.get(phase);
    if (!calls) phases.set(phase, (calls = { ...noCalls(), wallMs: 0 }));
    return calls;
  };
  const timed = async <R>(count: (c: PhaseCalls) => void, call: () => Promise<R>): Promise<R> => {
    const calls = at(current);
    count(calls);
    const started = performance.now();
    try {
      return await call();
    } finally {
      calls.busyMs += performance.now() - started;
    }
  };
  const wrapped: StateStore = {
    get: (c, id) =>
      timed(
        (k) => (k.gets += 1),
        () => store.get(c, id),
      ),
    query: (c, q) =>
      timed(
        (k) => (k.queries += 1),
        () => store.query(c, q),
      ),
    create: (c, id, d) =>
      timed(
        (k) => ((k.singleWrites += 1), (k.writes += 1)),
        () => store.create(c, id, d),
      ),
    set: (c, id, d) =>
      timed(
        (k) => ((k.singleWrites += 1), (k.writes += 1)),
        () => store.set(c, id, d),
      ),
    delete: (c, id) =>
      timed(
        (k) => ((k.singleWrites += 1), (k.writes += 1)),
        () => store.delete(c, id),
      ),
    batchSet: (w) =>
      timed(
        (k) => ((k.batchSets += 1), (k.writes += w.length)),
        () => store.batchSet(w),
      ),
    runTransaction: (fn) => {
      const calls = at(current);
      let attempt = 0;
      return timed(
        (k) => (k.transactions += 1),
        async () => {
          const result = await store.runTransaction((tx: Transaction) => {
            attempt = 0;
            return fn({
              get: (c, id) => ((calls.txGets += 1), tx.get(c, id)),
              getAll: (refs) => ((calls.txGets += refs.length), (calls.txGetAlls += 1), tx.getAll(refs)),
              create: (c, id, d) => ((attempt += 1), tx.create(c, id, d)),
              set: (c, id, d) => ((attempt += 1), tx.set(c, id, d)),
              delete: (c, id) => ((attempt += 1), tx.delete(c, id)),
            });
          });
          calls.writes += attempt;
          return result;
        },
      );
    },
    close: () => store.close(),
  };
  const total = () => [...phases.values()].reduce((n, p) => n + p.writes, 0);
  const reset = () => {
    phases = new Map();
    current = '';
    since = performance.now();
  };
  // Every method of a port timed into the phase's serving or bus figures.
  const timedPort = <P extends object>(port: P, kind: 'serving' | 'bus'): P =>
    new Proxy(port, {
      get(target, name, receiver) {
        const value: unknown = Reflect.get(target, name, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const calls = at(current);
          const started = performance.now();
          const done = () => {
            const ms = performance.now() - started;
            if (kind === 'serving') {
              calls.servingCalls += 1;
              calls.servingMs += ms;
            } else {
              calls.busCalls += 1;
              calls.busMs += ms;
            }
          };
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (result instanceof Promise) return result.finally(done);
          done();
          return result;
        };
      },
    });
  return { store: wrapped, writes: total, reset, enter, phases: () => phases, timedPort };
}

/**
 * The phase a progress event starts: leases until every book is leased, then
 * reads and planning, the backup, the intents, and switch+finish per book.
 */
function phaseOf(progress: RollbackProgress, books: number, current: string): string {
  if (progress.phase === 'leased') return progress.done >= books ? 'read+plan+backup' : 'leases';
  if (progress.phase === 'backed-up') return 'intents';
  if (progress.phase === 'intent') return 'switch+finish';
  return current;
}

function isbnAt(n: number): string {
  const first12 = `978${String(100_000_000 + n).padStart(9, '0')}`;
  return first12 + String(isbn13CheckDigit(first12));
}

/** `books` books with versions 1 and 2: 2 serving with the alias, 1 deployed at 0 %, last-known-good 2. */
async function seed(backend: Backend, state: StateStore, books: number): Promise<string[]> {
  const isbns = Array.from({ length: books }, (_, i) => isbnAt(i));
  const mean = Array.from({ length: 8 }, (_, w) => 100 - w);
  const forecast = { mean, lower: mean.map((m) => m - 10), upper: mean.map((m) => m + 10) };
  for (const isbn of isbns) {
    for (let v = 0; v < 2; v++) {
      await backend.registry.registerVersion({
        isbn,
        metrics: { rmse: 40, mape: 12 },
        dataHash: 'sha256:bench',
        trainedThrough: '2024-04-27',
        forecast,
      });
    }
    await backend.serving.setTraffic(isbn, { '1': 100 });
    await backend.serving.setTraffic(isbn, { '2': 100 });
    await backend.registry.setAlias(isbn, PRODUCTION_ALIAS, '2');
  }
  const lkg = isbns.map((isbn) => {
    const data: LastKnownGood = {
      isbn,
      version: '2',
      validatedAt: '2024-05-01T00:00:00.000Z',
      setBy: 'bench',
    };
    return { collection: COLLECTIONS.lastKnownGood, id: isbn, data: data as unknown as DocData };
  });
  await state.batchSet(lkg);
  return isbns;
}

/**
 * What bounds a run that no batching of state writes can remove: every
 * book's switch and verification against the serving target and registry
 * (`switchAndVerify`, as a run calls it, `concurrency` at a time) and its
 * lifecycle event published, with no StateStore at all. Two passes (to the
 * other version and back), timed each; the books end as they began.
 */
async function perBookFloor(ports: RollbackDeps, isbns: string[]): Promise<number[]> {
  const times: number[] = [];
  for (const [from, to] of [
    ['2', '1'],
    ['1', '2'],
  ] as const) {
    const desired = { productionAlias: to, split: [{ version: to, trafficPercent: 100 }], exact: false };
    const started = performance.now();
    await mapLimit(isbns, CONCURRENCY, async (isbn) => {
      const check = await switchAndVerify(ports, isbn, desired, 4);
      if (!check.ok) throw new Error(`per-book floor: ISBN ${isbn} did not verify: ${check.detail}`);
      const at = new Date().toISOString();
      const record = { isbn, rollbackId: 'rb-floor', status: 'succeeded', from, to, at } as RollbackRecord;
      const event = lifecycleEventFor(record, 'bench-floor');
      if (event)
        await ports.bus.publish('model-lifecycle', { data: event, attributes: { type: event.type } });
    });
    times.push(performance.now() - started);
  }
  return times;
}

interface Figures {
  rollbackMs: number[];
  floorMs: number[];
  writes: number;
  perBookMs: number[];
  /** The per-book floor (`perBookFloor`), when measured. */
  perBookFloorMs: number[];
  /** StateStore calls per phase of the last run. */
  profile: Map<string, PhaseCalls & { wallMs: number }>;
}

async function measure(
  backend: Backend,
  raw: StateStore,
  isbns: string[],
  scope: 'one' | 'all',
  label: string,
): Promise<Figures> {
  const { store, writes, reset, enter, phases, timedPort } = counting(raw);
  let phase = '';
  const ports = {
    state: store,
    registry: timedPort(backend.registry, 'serving'),
    serving: timedPort(backend.serving, 'serving'),
    bus: timedPort(backend.bus, 'bus'),
    clock: backend.clock,
    logger: createSilentLogger(),
    onProgress: (p: RollbackProgress) => {
      const next = phaseOf(p, scope === 'one' ? 1 : isbns.length, phase);
      if (next !== phase) enter((phase = next));
    },
  };
  const settings = { holder: `bench@local:${process.pid}`, options: { concurrency: CONCURRENCY } };
  const figures: Figures = {
    rollbackMs: [],
    floorMs: [],
    writes: 0,
    perBookMs: [],
    perBookFloorMs: [],
    profile: new Map(),
  };
  for (let run = 0; run < RUNS; run++) {
    reset();
    enter((phase = 'claim'));
    const request =
      scope === 'one'
        ? { scope: { isbns: [isbns[0]!] }, target: { kind: 'previous' as const } }
        : { scope: { all: true as const }, target: { kind: 'previous' as const } };
    const started = performance.now();
    const result = (await applyRollback(
      {
        requestId: `bench-${label}-${scope}-${Date.now()}-${run}`,
        reason: 'bench',
        requestedBy: 'bench',
        correlationId: `bench-${run}`,
        ...request,
      },
      ports,
      settings,
    )) as RollbackResult;
    figures.rollbackMs.push(performance.now() - started);
    enter('');
    figures.profile = phases();
    const bad = result.results.filter((r) => r.status !== 'succeeded');
    if (bad.length > 0)
      throw new Error(`bench run ${run}: ${bad.length} books did not succeed: ${JSON.stringify(bad[0])}`);
    figures.perBookMs.push(...result.results.map((r) => r.durationMs));
    figures.writes = writes();

    // The floor: as many documents of a similar size, one batchSet, nothing else.
    const docs = Array.from({ length: figures.writes }, (_, i) => ({
      collection: 'bench-floor',
      id: `run${run}-${i}`,
      data: { isbn: isbns[i % isbns.length]!, at: new Date().toISOString(), pad: 'x'.repeat(200) },
    }));
    const floorStarted = performance.now();
    await raw.batchSet(docs);
    figures.floorMs.push(performance.now() - floorStarted);
  }
  if (scope === 'all') {
    const raw = { ...ports, registry: backend.registry, serving: backend.serving, bus: backend.bus };
    figures.perBookFloorMs = await perBookFloor({ ...raw, ...settings }, isbns);
  }
  return figures;
}

/** The issue-15 goal: a run's time within this many floors. */
const GOAL_RATIO = 5;

function report(label: string, books: number, f: Figures): void {
  const rollback = median(f.rollbackMs);
  const floor = median(f.floorMs);
  const ratio = rollback / Math.max(floor, 0.001);
  const cells = [
    `rollback ${fmtMs(rollback).padStart(9)}`,
    `floor ${fmtMs(floor).padStart(9)} (${f.writes} docs batched)`,
    `switch+verify per book median ${fmtMs(median(f.perBookMs))}`,
  ];
  if (books === 1) {
    row(`${label}: 1 book`, `ratio ${ratio.toFixed(1).padStart(6)}×`, ...cells);
    return;
  }
  // Only the fleet-sized run has a goal: one book is bound by its own round trips, not by batching.
  row(
    `${label}: ${books} books, time ÷ floor`,
    `${ratio.toFixed(1)}×`,
    `goal ≤ ${GOAL_RATIO}×`,
    ratio <= GOAL_RATIO ? 'met' : 'MISSED',
    ...cells,
  );
  if (f.perBookFloorMs.length > 0) {
    // What bounds the ratio above once state writes are batched: listed in the closing table, with no pass line.
    const perBook = median(f.perBookFloorMs);
    goal(
      `${label}: ${books} books, time ÷ per-book floor`,
      `${(rollback / Math.max(perBook, 0.001)).toFixed(1)}×`,
      `none: per-book floor ${fmtMs(perBook)} (switch+verify and event of every book, no StateStore)`,
    );
  }
  printProfile(f.profile);
}

/** StateStore round trips and time per phase of the last run (wall time; busy = summed call time). */
function printProfile(profile: Figures['profile']): void {
  for (const [phase, c] of profile) {
    if (phase === '') continue;
    process.stdout.write(
      `      ${phase.padEnd(17)} wall ${fmtMs(c.wallMs).padStart(9)}  tx ${String(c.transactions).padStart(4)} (${c.txGets} docs read, ${c.txGetAlls} batched reads)  get ${String(c.gets).padStart(4)}  query ${c.queries}  single writes ${String(c.singleWrites).padStart(4)}  batchSet ${c.batchSets}  docs ${String(c.writes).padStart(4)}  busy ${fmtMs(c.busyMs)}  serving+registry ${c.servingCalls} calls ${fmtMs(c.servingMs)}  bus ${c.busCalls} msgs ${fmtMs(c.busMs)}\n`,
    );
  }
}

async function bench(label: string, makeState: (backend: Backend) => StateStore): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fg-bench-rollback-'));
  const backend = openBackend(loadConfig({ FG_STATE_DIR: dir, FG_LOG_LEVEL: 'error' }));
  const state = makeState(backend);
  try {
    await ensureTopology(backend.bus);
    const seeded = performance.now();
    const isbns = await seed(backend, state, BOOKS);
    process.stdout.write(`  (${label}: seeded ${BOOKS} books in ${fmtMs(performance.now() - seeded)})\n`);
    report(label, 1, await measure(backend, state, isbns, 'one', label));
    report(label, BOOKS, await measure(backend, state, isbns, 'all', label));
  } finally {
    if (state !== backend.state) await state.close();
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  process.stdout.write(
    `rollback bench: medians of ${RUNS} runs, concurrency ${CONCURRENCY}; floor = the same number of StateStore documents in one batchSet\n`,
  );
  await bench('embedded (SQLite)', (backend) => backend.state);
  if (!EMULATORS) return;
  const support = detectEmulatorSupport();
  if (!support.available || !support.sdkRoot) {
    process.stdout.write(`  Firestore emulator skipped: ${support.reason}\n`);
    return;
  }
  let firestore: RunningEmulator | undefined;
  try {
    firestore = await startEmulator('firestore', { sdkRoot: support.sdkRoot });
    const projectId = `demo-fg-bench-${process.pid}`;
    const emulatorHost = firestore.host;
    await bench(
      'StateStore on Firestore emulator',
      () => new FirestoreStateStore({ projectId, emulatorHost }),
    );
  } finally {
    await firestore?.stop();
  }
  process.stdout.write('  target: 500 models well under 2 minutes (120 s)\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/rollback.ts failed: ${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
