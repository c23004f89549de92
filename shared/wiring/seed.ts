/**
 * The embedded fleet's files: which ones `seed` owns in FG_STATE_DIR, where
 * its manifest and sales file live, and the seed use case run against them.
 * The service (shared/services/seed-fleet.ts) only sees ports; the file
 * names are decided here, beside the backend that opens the same files.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CsvSalesFile } from '../adapters/local/csv-sales-file';
import { FLEET_DB_FILE } from '../adapters/local/fleet-db';
import { STATE_DB_FILE } from '../adapters/local/sqlite-state-store';
import type { FleetManifest } from '../fleet/manifest';
import { seedFleet, type FleetManifestStore, type SeedPorts, type SeedResult } from '../services/seed-fleet';
import { QUEUE_DB_FILE, SALES_CSV_FILE } from './backend';
import { FLEET_MANIFEST_FILE, readFleetManifest } from './fleet-clock';

/** Files seed writes into the state directory; `--force` removes them first. */
export const SEEDED_FILES = [
  FLEET_DB_FILE,
  STATE_DB_FILE,
  QUEUE_DB_FILE,
  SALES_CSV_FILE,
  FLEET_MANIFEST_FILE,
];

/** Removes what seed wrote (and SQLite's -wal/-shm companions), so the next seed starts afresh. */
export function clearSeededState(stateDir: string): void {
  for (const f of SEEDED_FILES) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(stateDir, f + suffix), { force: true });
  }
}

/** True once a fleet was seeded in `stateDir` (its manifest is written last). */
export function isSeeded(stateDir: string): boolean {
  return existsSync(join(stateDir, FLEET_MANIFEST_FILE));
}

/** The embedded backend's sales file in `stateDir`. */
export function embeddedSalesFile(stateDir: string, path = join(stateDir, SALES_CSV_FILE)): CsvSalesFile {
  return new CsvSalesFile(path);
}

/** fleet.json in `stateDir`. */
export function manifestStore(stateDir: string): FleetManifestStore {
  return {
    location: stateDir,
    read: () => readFleetManifest(stateDir),
    write: (manifest: FleetManifest) => {
      mkdirSync(stateDir, { recursive: true });
      writeFileSync(join(stateDir, FLEET_MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
    },
  };
}

export interface EmbeddedSeedOptions {
  stateDir: string;
  /** Default: sales.csv in `stateDir`, where the embedded backend reads its actuals. */
  salesCsv?: string;
  books: number;
  seed: number;
  concurrency?: number;
  onProgress?: (done: number, total: number, label: string) => void;
  now?: () => number;
}

/** Seeds the embedded fleet in `options.stateDir` through the backend's registry, serving, pipelines and state. */
export function seedEmbeddedFleet(
  options: EmbeddedSeedOptions,
  ports: Pick<SeedPorts, 'registry' | 'serving' | 'pipelines' | 'state'>,
): Promise<SeedResult> {
  return seedFleet(
    { books: options.books, seed: options.seed },
    {
      registry: ports.registry,
      serving: ports.serving,
      pipelines: ports.pipelines,
      state: ports.state,
      manifest: manifestStore(options.stateDir),
      sales: embeddedSalesFile(options.stateDir, options.salesCsv),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    },
    {
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      ...(options.now ? { now: options.now } : {}),
    },
  );
}
