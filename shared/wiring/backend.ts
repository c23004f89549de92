/**
 * The one wiring module: turns a loaded Config into the ports every service
 * drives. Functions, the CLI and the local stack all build their backend
 * here, so "which adapter" is decided in exactly one place.
 */
import { join } from 'node:path';
import type { Config } from '../config';
import { BackendUnavailableError, ConfigError } from '../errors';
import { openSalesData } from '../adapters/sales/open-sales-data';
import { fleetDbPath, openFleetDb } from '../adapters/local/fleet-db';
import { SqliteEventBus } from '../adapters/local/sqlite-event-bus';
import { SqliteModelRegistry } from '../adapters/local/sqlite-model-registry';
import { SqlitePipelineMonitor } from '../adapters/local/sqlite-pipeline-monitor';
import { SqliteServingTarget } from '../adapters/local/sqlite-serving-target';
import { SqliteStateStore, stateDbPath } from '../adapters/local/sqlite-state-store';
import { MlflowModelRegistry } from '../adapters/mlflow/mlflow-model-registry';
import { NoServingTarget } from '../adapters/no-serving-target';
import type { SqliteDatabase } from '../adapters/local/sqlite';
import { systemClock, type Clock } from '../ports/clock';
import type { EventBus } from '../ports/event-bus';
import type { ModelRegistry } from '../ports/model-registry';
import type { PipelineMonitor } from '../ports/pipeline-monitor';
import type { ScheduleMonitor } from '../ports/schedule-monitor';
import type { SalesData } from '../ports/sales-data';
import type { ServingTarget } from '../ports/serving-target';
import type { StateStore } from '../ports/state-store';
import { fleetClock } from './fleet-clock';
import { openScheduleMonitor } from './schedule-monitor';
import type * as VertexWorld from './vertex-world';
import type * as GcpStateBus from './gcp-state-bus';

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
  /** The scheduler's jobs (shared/wiring/schedule-monitor.ts); absent where there is none to read. */
  schedules?: ScheduleMonitor;
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

/**
 * `forecast-guard up --emulators`: Firestore and Pub/Sub are Google's
 * emulators while the model world (and its clock) stays the embedded one.
 */
function emulatedWithLocalRegistry(config: Config): boolean {
  return (
    config.registry === 'local' && Boolean(config.gcp.emulators.pubsub || config.gcp.emulators.firestore)
  );
}

interface ModelWorld {
  registry: ModelRegistry;
  serving: ServingTarget;
  pipelines: PipelineMonitor;
  embeddedRegistry?: SqliteModelRegistry;
}

/**
 * Registry, serving and pipelines. Serving is Vertex AI endpoints whenever the
 * system runs on Google Cloud or the registry is Vertex; the embedded serving
 * target answers from forecasts stored in its own registry, so it pairs only
 * with FG_REGISTRY=local. MLflow versions are served from Vertex endpoints;
 * FG_REGISTRY=mlflow on one machine is the registry alone: serving is unknown
 * (NoServingTarget), so `adopt` and `versions` work and commands that need
 * serving refuse, naming what to set.
 */
function openModelWorld(
  config: Config,
  clock: Clock,
  closers: Array<() => Promise<void> | void>,
): ModelWorld {
  const onVertex =
    (config.backend === 'gcp' && !emulatedWithLocalRegistry(config)) ||
    config.registry === 'vertex' ||
    mlflowServedFromVertex(config);
  if (!onVertex) {
    const fleetDb: SqliteDatabase = openFleetDb(fleetDbPath(config.stateDir));
    closers.push(() => void fleetDb.close());
    if (config.registry === 'mlflow') return registryAlone(config, fleetDb, clock);
    const registry = new SqliteModelRegistry(fleetDb, { clock });
    return {
      registry,
      serving: new SqliteServingTarget(fleetDb, { clock }),
      pipelines: new SqlitePipelineMonitor(fleetDb, { clock }),
      embeddedRegistry: registry,
    };
  }
  const where = { projectId: requireProject(config), location: config.gcp.region };
  // Required here, not imported at the top: see vertex-world.ts (a second of CPU per process saved).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { openVertexWorld } = require('./vertex-world') as typeof VertexWorld;
  return openVertexWorld(config, where, closers);
}

/**
 * FG_REGISTRY=mlflow with GOOGLE_CLOUD_PROJECT on one machine: the
 * publisher's fleet attached from a laptop — MLflow's versions, the project's
 * Vertex AI endpoints, forecast-guard's own state in SQLite. Without a
 * project, serving is unknown (registryAlone).
 */
function mlflowServedFromVertex(config: Config): boolean {
  return config.registry === 'mlflow' && config.gcp.projectId !== undefined;
}

/** MLflow without Vertex AI: its versions, no serving target, pipeline runs recorded on this machine. */
function registryAlone(config: Config, fleetDb: SqliteDatabase, clock: Clock): ModelWorld {
  if (!config.mlflow)
    throw new ConfigError('MLFLOW_TRACKING_URI is required when FG_REGISTRY=mlflow', 'MLFLOW_TRACKING_URI');
  return {
    registry: new MlflowModelRegistry({
      trackingUri: config.mlflow.trackingUri,
      token: config.mlflow.token,
      pipelineTrainStart: config.pipeline.trainStart,
    }),
    serving: new NoServingTarget('FG_REGISTRY=mlflow without GOOGLE_CLOUD_PROJECT (or FG_BACKEND=gcp)'),
    pipelines: new SqlitePipelineMonitor(fleetDb, { clock }),
  };
}

/** Builds every port from the config. Throws BackendUnavailableError when a backend cannot be opened. */
export function openBackend(config: Config, options: OpenBackendOptions = {}): Backend {
  const embeddedWorld = config.backend === 'local' || emulatedWithLocalRegistry(config);
  const clock = options.clock ?? (embeddedWorld ? fleetClock(config.stateDir) : systemClock);
  const closers: Array<() => Promise<void> | void> = [];
  try {
    let state: StateStore;
    let bus: EventBus;
    if (config.backend === 'gcp') {
      const projectId = requireProject(config);
      // Required here, not imported at the top: see gcp-state-bus.ts (the embedded backend never loads them).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { openGcpStateAndBus } = require('./gcp-state-bus') as typeof GcpStateBus;
      ({ state, bus } = openGcpStateAndBus({ projectId, clock, emulators: config.gcp.emulators }));
    } else {
      state = new SqliteStateStore(stateDbPath(config.stateDir), { clock });
      bus = SqliteEventBus.open(join(config.stateDir, QUEUE_DB_FILE), { clock });
    }
    closers.push(
      () => state.close(),
      () => bus.close(),
    );

    const model = openModelWorld(config, clock, closers);
    const sales = openSalesData(config, { clock });
    const schedules = openScheduleMonitor(config);
    if (schedules) closers.push(() => schedules.close());

    return {
      config,
      clock,
      state,
      bus,
      ...model,
      sales,
      ...(schedules ? { schedules } : {}),
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
