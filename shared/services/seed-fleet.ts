/**
 * `seed`: builds the embedded backend's fleet the way production grows one.
 * Synthetic weekly sales for a catalogue; three weekly pipeline runs, each
 * training one ARIMA version per book on data up to its cutoff; the newest
 * version deployed (the previous one kept deployed at 0 %), aliased
 * `production` and marked last-known-good. Seeding again with the same
 * settings is a no-op that answers from what is there.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COLLECTIONS } from '../contracts/collections';
import type { LastKnownGood } from '../contracts/documents/last-known-good';
import type { ModelVersion, PipelineRun } from '../contracts/model';
import { ConflictError, ForecastGuardError } from '../errors';
import { catalogue } from '../fleet/catalogue';
import { generateFleetSales } from '../fleet/sales-generator';
import { toSalesRows, writeSalesCsv } from '../fleet/sales-csv';
import { fitMany } from '../forecasting/fit-pool';
import { PRODUCTION_ALIAS, type ModelRegistry } from '../ports/model-registry';
import type { PipelineMonitor } from '../ports/pipeline-monitor';
import type { ServingTarget } from '../ports/serving-target';
import type { StateStore } from '../ports/state-store';
import { FLEET_MANIFEST_FILE, readFleetManifest, type FleetManifest } from '../wiring/fleet-clock';

/** The weekly pipeline's last three runs before the data ends (Saturdays). */
export const SEED_CUTOFFS = ['2024-10-05', '2024-11-02', '2024-11-30'] as const;
/** The synthetic world stands just after its last week of actuals (Saturday 2024-12-28). */
export const SEED_AS_OF = '2025-01-01T09:00:00.000Z';
export const SEED_PIPELINE_NAME = 'arima-weekly-training';
/**
 * Weekly runs after the last registered one, up to the world's date. They
 * succeeded but registered nothing: their candidates did not beat the
 * serving versions (the pipeline's own gate). Without them a fresh fleet
 * would look as if training had stopped a month ago.
 */
export const SEED_LATER_RUNS = ['2024-12-07', '2024-12-14', '2024-12-21', '2024-12-28'] as const;
/** Bumped when what seed builds changes, so old state dirs are not mistaken for current ones. */
const SEED_FORMAT = 2;

export interface SeedPorts {
  registry: ModelRegistry;
  serving: ServingTarget;
  pipelines: PipelineMonitor;
  state: StateStore;
}

export interface SeedOptions {
  stateDir: string;
  salesCsv: string;
  books: number;
  seed: number;
  concurrency?: number;
  onProgress?: (done: number, total: number, label: string) => void;
  now?: () => number;
}

export interface SeededBook {
  isbn: string;
  title: string;
  serving: string;
  rmse: number;
  mape: number;
}

export interface SeedResult {
  books: number;
  versions: number;
  cached: boolean;
  durationMs: number;
  perBook: SeededBook[];
}

export function seedFingerprint(books: number, seed: number): string {
  const text = JSON.stringify({ SEED_FORMAT, books, seed, SEED_CUTOFFS, SEED_AS_OF });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function mondayAfter(saturday: string): string {
  return new Date(Date.parse(`${saturday}T00:00:00Z`) + 2 * 86_400_000 + 6 * 3_600_000).toISOString();
}

/** Files seed writes into the state directory; `--force` removes them first. */
export const SEEDED_FILES = [
  'fleet.sqlite',
  'state.sqlite',
  'queue.sqlite',
  'sales.csv',
  FLEET_MANIFEST_FILE,
];

export function clearSeededState(stateDir: string): void {
  for (const f of SEEDED_FILES) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(stateDir, f + suffix), { force: true });
  }
}

async function summarise(ports: SeedPorts, titles: Map<string, string>): Promise<SeededBook[]> {
  const out: SeededBook[] = [];
  for (const isbn of await ports.registry.listModels()) {
    const serving = await ports.registry.getAlias(isbn, PRODUCTION_ALIAS);
    const version = serving ? await ports.registry.getVersion(isbn, serving) : undefined;
    if (!version) continue;
    out.push({
      isbn,
      title: titles.get(isbn) ?? '',
      serving: version.version,
      rmse: version.metrics.rmse,
      mape: version.metrics.mape,
    });
  }
  return out;
}

export async function seedFleet(options: SeedOptions, ports: SeedPorts): Promise<SeedResult> {
  const now = options.now ?? Date.now;
  const started = now();
  const books = catalogue(options.books);
  const titles = new Map(books.map((b) => [b.isbn, b.title]));
  const fingerprint = seedFingerprint(options.books, options.seed);
  const manifest = readFleetManifest(options.stateDir);
  if (manifest) {
    if (manifest.fingerprint !== fingerprint) {
      throw new ConflictError(
        `${options.stateDir} already holds a fleet seeded with --books ${manifest.books} --seed ${manifest.seed}; ` +
          'use --force to replace it, or another FG_STATE_DIR',
      );
    }
    const perBook = await summarise(ports, titles);
    return {
      books: perBook.length,
      versions: perBook.length * SEED_CUTOFFS.length,
      cached: true,
      durationMs: now() - started,
      perBook,
    };
  }

  mkdirSync(options.stateDir, { recursive: true });
  const series = generateFleetSales(books, { seed: options.seed, from: '2012', to: '2024' });
  await writeSalesCsv(options.salesCsv, toSalesRows(series));

  const jobs = SEED_CUTOFFS.flatMap((cutoff) => series.map((s) => ({ series: s, options: { cutoff } })));
  const total = jobs.length + books.length;
  let done = 0;
  const results = await fitMany(jobs, {
    concurrency: options.concurrency,
    onProgress: (p) =>
      options.onProgress?.(++done, total, `trained ${p.result.ok ? p.result.model.isbn : 'a model'}`),
  });
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) {
    throw new ForecastGuardError(
      `training failed for ${failed.length} of ${results.length} models: ${failed[0]!.error!.name}: ${failed[0]!.error!.message}`,
    );
  }

  // Register in pipeline-run order so version numbers follow cutoffs, as weekly runs would.
  const registered = new Map<string, ModelVersion[]>();
  for (const [runIndex, cutoff] of SEED_CUTOFFS.entries()) {
    const runId = `${SEED_PIPELINE_NAME}-${cutoff.replaceAll('-', '')}`;
    const createdAt = mondayAfter(cutoff);
    const run: PipelineRun = {
      id: runId,
      pipelineName: SEED_PIPELINE_NAME,
      state: 'PIPELINE_STATE_SUCCEEDED',
      startTime: createdAt,
      endTime: new Date(Date.parse(createdAt) + 40 * 60_000).toISOString(),
      registered: [],
    };
    for (let i = 0; i < series.length; i++) {
      const model = results[runIndex * series.length + i]!.model!;
      const version = await ports.registry.registerVersion({
        isbn: model.isbn,
        createdAt,
        metrics: model.metrics,
        params: { ...model.params },
        dataHash: model.dataHash,
        trainedThrough: model.trainedThrough,
        pipelineRunId: runId,
        labels: { pipeline: SEED_PIPELINE_NAME },
        forecast: model.forecast,
      });
      registered.set(model.isbn, [...(registered.get(model.isbn) ?? []), version]);
      run.registered.push({ isbn: model.isbn, version: version.version });
    }
    await ports.pipelines.recordRun(run);
  }

  for (const cutoff of SEED_LATER_RUNS) {
    const startTime = mondayAfter(cutoff);
    await ports.pipelines.recordRun({
      id: `${SEED_PIPELINE_NAME}-${cutoff.replaceAll('-', '')}`,
      pipelineName: SEED_PIPELINE_NAME,
      state: 'PIPELINE_STATE_SUCCEEDED',
      startTime,
      endTime: new Date(Date.parse(startTime) + 40 * 60_000).toISOString(),
      registered: [],
    });
  }

  const validatedAt = mondayAfter(SEED_CUTOFFS[SEED_CUTOFFS.length - 1]!);
  for (const book of books) {
    const versions = registered.get(book.isbn)!;
    const latest = versions[versions.length - 1]!;
    const previous = versions[versions.length - 2];
    // Deploy the previous version first so it stays deployed at 0 % for a fast rollback.
    if (previous) await ports.serving.setTraffic(book.isbn, { [previous.version]: 100 });
    await ports.serving.setTraffic(book.isbn, { [latest.version]: 100 });
    await ports.registry.setAlias(book.isbn, PRODUCTION_ALIAS, latest.version);
    const lkg: LastKnownGood = { isbn: book.isbn, version: latest.version, validatedAt, setBy: 'seed' };
    await ports.state.set(COLLECTIONS.lastKnownGood, book.isbn, lkg);
    options.onProgress?.(++done, total, `deployed ${book.isbn}`);
  }

  const written: FleetManifest = {
    asOf: SEED_AS_OF,
    books: options.books,
    seed: options.seed,
    seededAt: new Date(now()).toISOString(),
    fingerprint,
  };
  writeFileSync(join(options.stateDir, FLEET_MANIFEST_FILE), JSON.stringify(written, null, 2) + '\n');
  const perBook = await summarise(ports, titles);
  return {
    books: books.length,
    versions: results.length,
    cached: false,
    durationMs: now() - started,
    perBook,
  };
}

export function isSeeded(stateDir: string): boolean {
  return existsSync(join(stateDir, FLEET_MANIFEST_FILE));
}
