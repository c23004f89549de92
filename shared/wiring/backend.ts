/**
 * The one wiring module: turns a loaded Config into the ports every service
 * drives. Functions, the CLI and the local stack all build their backend
 * here, so "which adapter" is decided in exactly one place.
 */
import { join } from 'node:path';
import type { Config } from '../config';
import { BackendUnavailableError, ConfigError } from '../errors';
import { FirestoreStateStore } from '../adapters/gcp/firestore-state-store';
import { PubSubEventBus } from '../adapters/gcp/pubsub-event-bus';
import { CsvSalesData } from '../adapters/local/csv-sales-data';
import { fleetDbPath, openFleetDb } from '../adapters/local/fleet-db';
import { SqliteEventBus } from '../adapters/local/sqlite-event-bus';
import { SqliteModelRegistry } from '../adapters/local/sqlite-model-registry';
import { SqlitePipelineMonitor } from '../adapters/local/sqlite-pipeline-monitor';
import { SqliteServingTarget } from '../adapters/local/sqlite-serving-target';
import { SqliteStateStore, stateDbPath } from '../adapters/local/sqlite-state-store';
import type { SqliteDatabase } from '../adapters/local/sqlite';
import { systemClock, type Clock } from '../ports/clock';
import type { EventBus } from '../ports/event-bus';
import type { ModelRegistry } from '../ports/model-registry';
import type { PipelineMonitor } from '../ports/pipeline-monitor';
import type { SalesData } from '../ports/sales-data';
import type { ServingTarget } from '../ports/serving-target';
import type { StateStore } from '../ports/state-store';
import { fleetClock } from './fleet-clock';

/** File names inside FG_STATE_DIR for the embedded backend. */
export const QUEUE_DB_FILE = 'queue.sqlite';
export const SALES_CSV_FILE = 'sales.csv';

export interface Backend {
  config: Config;
  clock: Clock;
  state: StateStore;
  bus: EventBus;
  registry: ModelRegistry;
  serving: ServingTarget;
  pipelines: PipelineMonitor;
  sales: SalesData;
  /** The embedded registry, when FG_REGISTRY=local (demo commands need its extras). */
  embeddedRegistry?: SqliteModelRegistry;
  close(): Promise<void>;
}

export interface OpenBackendOptions {
  /** Overrides the clock (tests, drills); otherwise the fleet clock on the embedded backend. */
  clock?: Clock;
}

function requireProject(config: Config): string {
  const projectId = config.gcp.projectId;
  if (!projectId)
    throw new ConfigError('GOOGLE_CLOUD_PROJECT is required when FG_BACKEND=gcp', 'GOOGLE_CLOUD_PROJECT');
  return projectId;
}

/** Builds every port from the config. Throws BackendUnavailableError when a backend cannot be opened. */
export function openBackend(config: Config, options: OpenBackendOptions = {}): Backend {
  const clock = options.clock ?? (config.backend === 'local' ? fleetClock(config.stateDir) : systemClock);
  const closers: Array<() => Promise<void> | void> = [];
  try {
    let state: StateStore;
    let bus: EventBus;
    if (config.backend === 'gcp') {
      const projectId = requireProject(config);
      state = new FirestoreStateStore({ projectId, clock });
      bus = new PubSubEventBus({ projectId, clock });
    } else {
      state = new SqliteStateStore(stateDbPath(config.stateDir), { clock });
      bus = SqliteEventBus.open(join(config.stateDir, QUEUE_DB_FILE), { clock });
    }
    closers.push(
      () => state.close(),
      () => bus.close(),
    );

    if (config.registry !== 'local') {
      throw new ConfigError(
        `FG_REGISTRY=${config.registry} is not wired yet in this build; use FG_REGISTRY=local`,
        'FG_REGISTRY',
      );
    }
    const fleetDb: SqliteDatabase = openFleetDb(fleetDbPath(config.stateDir));
    closers.push(() => void fleetDb.close());
    const registry = new SqliteModelRegistry(fleetDb, { clock });
    const serving = new SqliteServingTarget(fleetDb, { clock });
    const pipelines = new SqlitePipelineMonitor(fleetDb, { clock });
    const sales = new CsvSalesData(join(config.stateDir, SALES_CSV_FILE));

    return {
      config,
      clock,
      state,
      bus,
      registry,
      serving,
      pipelines,
      sales,
      embeddedRegistry: registry,
      close: async () => {
        for (const close of closers.reverse()) await close();
      },
    };
  } catch (err) {
    for (const close of closers.reverse()) void close();
    if (err instanceof ConfigError) throw err;
    throw new BackendUnavailableError(
      `could not open the ${config.backend} backend: ${(err as Error).message}`,
      config.backend,
      {
        cause: err,
      },
    );
  }
}
