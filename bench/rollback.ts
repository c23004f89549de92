/**
 * Rollback figures (issue 4): the time to roll back 1 book and 500 books
 * (leases, backup, intents, switch, verify with a canary, records, events)
 * on the embedded backend and with the StateStore on Google's Firestore
 * emulator, beside the floor: the same number of StateStore documents
 * written with one `batchSet` and nothing else. Medians of `--runs` runs;
 * each run flips every book between its two versions, so every run switches.
 * The product owner's target: 500 models well under 2 minutes.
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
import { applyRollback, type RollbackResult } from '../shared/services/rollback';
import { openBackend, type Backend } from '../shared/wiring/backend';
import { ensureTopology } from '../shared/wiring/topology-setup';
import { fmtMs, median, numberFlag, row } from './stats';

const RUNS = numberFlag('runs', 5);
const BOOKS = numberFlag('books', 500);
const CONCURRENCY = numberFlag('concurrency', 16);
const EMULATORS = !process.argv.includes('--no-emulators');

/** A StateStore that counts the documents written through it (committed transaction attempts only). */
function counting(store: StateStore): { store: StateStore; writes: () => number; reset: () => void } {
  let writes = 0;
  const wrapped: StateStore = {
    get: (c, id) => store.get(c, id),
    query: (c, q) => store.query(c, q),
    create: (c, id, d) => ((writes += 1), store.create(c, id, d)),
    set: (c, id, d) => ((writes += 1), store.set(c, id, d)),
    delete: (c, id) => ((writes += 1), store.delete(c, id)),
    batchSet: (w) => ((writes += w.length), store.batchSet(w)),
    runTransaction: async (fn) => {
      let attempt = 0;
      const result = await store.runTransaction((tx: Transaction) => {
        attempt = 0;
        return fn({
          get: (c, id) => tx.get(c, id),
          create: (c, id, d) => ((attempt += 1), tx.create(c, id, d)),
          set: (c, id, d) => ((attempt += 1), tx.set(c, id, d)),
          delete: (c, id) => ((attempt += 1), tx.delete(c, id)),
        });
      });
      writes += attempt;
      return result;
    },
    close: () => store.close(),
  };
  return { store: wrapped, writes: () => writes, reset: () => (writes = 0) };
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

interface Figures {
  rollbackMs: number[];
  floorMs: number[];
  writes: number;
  perBookMs: number[];
}

async function measure(
  backend: Backend,
  raw: StateStore,
  isbns: string[],
  scope: 'one' | 'all',
  label: string,
): Promise<Figures> {
  const { store, writes, reset } = counting(raw);
  const ports = {
    state: store,
    registry: backend.registry,
    serving: backend.serving,
    bus: backend.bus,
    clock: backend.clock,
    logger: createSilentLogger(),
  };
  const settings = { holder: `bench@local:${process.pid}`, options: { concurrency: CONCURRENCY } };
  const figures: Figures = { rollbackMs: [], floorMs: [], writes: 0, perBookMs: [] };
  for (let run = 0; run < RUNS; run++) {
    reset();
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
  return figures;
}

function report(label: string, books: number, f: Figures): void {
  const rollback = median(f.rollbackMs);
  const floor = median(f.floorMs);
  row(
    `${label}: ${books} book${books === 1 ? '' : 's'}`,
    `rollback ${fmtMs(rollback).padStart(9)}`,
    `floor ${fmtMs(floor).padStart(9)} (${f.writes} docs batched)`,
    `ratio ${(rollback / Math.max(floor, 0.001)).toFixed(1).padStart(6)}×`,
    `switch+verify per book median ${fmtMs(median(f.perBookMs))}`,
  );
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
