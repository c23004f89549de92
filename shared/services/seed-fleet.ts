/**
 * `seed`: builds the embedded backend's fleet the way production grows one.
 * Synthetic weekly sales for a catalogue; three weekly pipeline runs, each
 * training one ARIMA version per book on data up to its cutoff; the newest
 * version deployed (the previous one kept deployed at 0 %), aliased
 * `production` and marked last-known-good. Seeding again with the same
 * settings is a no-op that answers from what is there.
 *
 * Where the sales file and the manifest live is the caller's business
 * (shared/wiring/seed.ts opens them in the state directory).
 */
import { createHash } from 'node:crypto';
import { COLLECTIONS } from '../contracts/collections';
import type { LastKnownGood } from '../contracts/documents/last-known-good';
import type { ModelVersion, PipelineRun, SalesSeries } from '../contracts/model';
import { ConflictError, ForecastGuardError } from '../errors';
import { catalogue, type Book } from '../fleet/catalogue';
import type { FleetManifest } from '../fleet/manifest';
import { generateFleetSales } from '../fleet/sales-generator';
import { fitMany, type FitResult } from '../forecasting/fit-pool';
import type { TrainedModel } from '../forecasting/train-model';
import { PRODUCTION_ALIAS, type ModelRegistry } from '../ports/model-registry';
import type { PipelineMonitor } from '../ports/pipeline-monitor';
import type { SalesFile } from '../ports/sales-file';
import type { ServingTarget } from '../ports/serving-target';
import type { StateStore } from '../ports/state-store';

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
/** The last registered run's cutoff: seeded versions count as validated the Monday after it. */
const LAST_CUTOFF: string = SEED_CUTOFFS[SEED_CUTOFFS.length - 1] ?? SEED_CUTOFFS[0];
/** Bumped when what seed builds changes, so old state dirs are not mistaken for current ones. */
const SEED_FORMAT = 2;

/** fleet.json in the state directory: read to answer a second seed, written once the fleet is built. */
export interface FleetManifestStore {
  /** Where the fleet lives (the state directory), for messages. */
  readonly location: string;
  read(): FleetManifest | undefined;
  write(manifest: FleetManifest): void;
}

export interface SeedPorts {
  registry: ModelRegistry;
  serving: ServingTarget;
  pipelines: PipelineMonitor;
  state: StateStore;
  manifest: FleetManifestStore;
  /** The actuals every health check reads; written before training. */
  sales: Pick<SalesFile, 'writeAll'>;
  onProgress?: (done: number, total: number, label: string) => void;
}

/** How big a fleet, from which random seed. */
export interface SeedRequest {
  books: number;
  seed: number;
}

export interface SeedSettings {
  /** Models trained at once (default: the fit pool's). */
  concurrency?: number;
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

/** Builds the fleet, or answers from the one already there when it was seeded the same way. */
export async function seedFleet(
  request: SeedRequest,
  ports: SeedPorts,
  settings: SeedSettings = {},
): Promise<SeedResult> {
  const now = settings.now ?? Date.now;
  const started = now();
  const books = catalogue(request.books);
  const titles = new Map(books.map((b) => [b.isbn, b.title]));
  const fingerprint = seedFingerprint(request.books, request.seed);
  const manifest = ports.manifest.read();
  if (manifest) {
    if (manifest.fingerprint !== fingerprint) {
      throw new ConflictError(
        `${ports.manifest.location} already holds a fleet seeded with --books ${manifest.books} --seed ${manifest.seed}; ` +
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

  const series = generateFleetSales(books, { seed: request.seed, from: '2012', to: '2024' });
  await ports.sales.writeAll(series);
  const progress = counter(ports, SEED_CUTOFFS.length * series.length + books.length);
  const models = await trainEveryCutoff(series, settings, progress);
  const registered = await registerPipelineRuns(series, models, ports);
  await recordLaterRuns(ports);
  await deployNewest(books, registered, ports, progress);

  ports.manifest.write({
    asOf: SEED_AS_OF,
    books: request.books,
    seed: request.seed,
    seededAt: new Date(now()).toISOString(),
    fingerprint,
  });
  const perBook = await summarise(ports, titles);
  return {
    books: books.length,
    versions: models.length,
    cached: false,
    durationMs: now() - started,
    perBook,
  };
}

/** One progress count across training and deploying. */
function counter(ports: SeedPorts, total: number): (label: string) => void {
  let done = 0;
  return (label) => ports.onProgress?.(++done, total, label);
}

/** One model per book per cutoff, in cutoff-major order; any failure fails the seed. */
async function trainEveryCutoff(
  series: readonly SalesSeries[],
  settings: SeedSettings,
  progress: (label: string) => void,
): Promise<TrainedModel[]> {
  const jobs = SEED_CUTOFFS.flatMap((cutoff) => series.map((s) => ({ series: s, options: { cutoff } })));
  const results = await fitMany(jobs, {
    concurrency: settings.concurrency,
    onProgress: (p) => progress(`trained ${p.result.ok ? p.result.model.isbn : 'a model'}`),
  });
  const models: TrainedModel[] = [];
  const failed: Array<Extract<FitResult, { ok: false }>> = [];
  for (const r of results) {
    if (r.ok) models.push(r.model);
    else failed.push(r);
  }
  const first = failed[0];
  if (first) {
    throw new ForecastGuardError(
      `training failed for ${failed.length} of ${results.length} models: ${first.error.name}: ${first.error.message}`,
    );
  }
  return models;
}

/** Registers in pipeline-run order so version numbers follow cutoffs, as weekly runs would. */
async function registerPipelineRuns(
  series: readonly SalesSeries[],
  models: readonly TrainedModel[],
  ports: SeedPorts,
): Promise<Map<string, ModelVersion[]>> {
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
    for (const model of models.slice(runIndex * series.length, (runIndex + 1) * series.length)) {
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
  return registered;
}

/** The runs after the last registered one: succeeded, registered nothing (see SEED_LATER_RUNS). */
async function recordLaterRuns(ports: SeedPorts): Promise<void> {
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
}

/** Each book's newest version serving 100 %, aliased production and last-known-good. */
async function deployNewest(
  books: readonly Book[],
  registered: Map<string, ModelVersion[]>,
  ports: SeedPorts,
  progress: (label: string) => void,
): Promise<void> {
  const validatedAt = mondayAfter(LAST_CUTOFF);
  for (const book of books) {
    const versions = registered.get(book.isbn) ?? [];
    const latest = versions[versions.length - 1];
    if (!latest) throw new ForecastGuardError(`seed registered no version of ${book.isbn}`);
    const previous = versions[versions.length - 2];
    // Deploy the previous version first so it stays deployed at 0 % for a fast rollback.
    if (previous) await ports.serving.setTraffic(book.isbn, { [previous.version]: 100 });
    await ports.serving.setTraffic(book.isbn, { [latest.version]: 100 });
    await ports.registry.setAlias(book.isbn, PRODUCTION_ALIAS, latest.version);
    const lkg: LastKnownGood = { isbn: book.isbn, version: latest.version, validatedAt, setBy: 'seed' };
    await ports.state.set(COLLECTIONS.lastKnownGood, book.isbn, lkg);
    progress(`deployed ${book.isbn}`);
  }
}
