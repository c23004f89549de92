/**
 * One embedded backend world for tests, built straight from the SQLite
 * adapters in a fresh temp dir: the fleet database (registry, serving,
 * pipeline runs), the state store, the queue with the real topology and any
 * tap subscriptions a test reads, and one `close` that shuts them all and
 * removes the dir. Tests seed it through the ports. The state store runs on
 * the given clock; the queue keeps the system clock, because its pull waits
 * are measured on it and a test's fixed clock never moves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fleetDbPath, openFleetDb } from '../../shared/adapters/local/fleet-db';
import { SqliteEventBus } from '../../shared/adapters/local/sqlite-event-bus';
import { SqliteModelRegistry } from '../../shared/adapters/local/sqlite-model-registry';
import { SqlitePipelineMonitor } from '../../shared/adapters/local/sqlite-pipeline-monitor';
import { SqliteServingTarget } from '../../shared/adapters/local/sqlite-serving-target';
import type { SqliteDatabase } from '../../shared/adapters/local/sqlite';
import { SqliteStateStore, stateDbPath } from '../../shared/adapters/local/sqlite-state-store';
import { systemClock, type Clock } from '../../shared/ports/clock';
import type { EventBus, ReceivedMessage, SubscriptionSpec } from '../../shared/ports/event-bus';
import type { StateStore } from '../../shared/ports/state-store';
import { ensureTopology } from '../../shared/wiring/topology-setup';

/**
 * The embedded queue's file name, as shared/wiring/backend.ts names it (QUEUE_DB_FILE); not
 * imported from there, because that module loads the Google clients and a unit test should not.
 */
const QUEUE_DB_FILE = 'queue.sqlite';

/** The settings every tap gets: a test drains it itself, so only the names matter. */
const TAP_DELIVERY = {
  ackDeadlineSeconds: 10,
  maxDeliveryAttempts: 5,
  minBackoffSeconds: 1,
  maxBackoffSeconds: 10,
};

export interface EmbeddedWorldOptions<S extends StateStore, B extends EventBus> {
  /** Names the temp dir (`<prefix>XXXXXX`), so a kept dir says which test made it. */
  prefix?: string;
  /** The clock of the fleet database's adapters and the state store. Default: the system clock. */
  clock?: Clock;
  /** Tap subscriptions to create after the topology: subscription name → topic. */
  taps?: Record<string, SubscriptionSpec['topic']>;
  /** Another StateStore and EventBus in place of the SQLite ones (emulator runs); closed with the world. */
  ports?: (dir: string) => { state: S; bus: B };
}

export interface EmbeddedWorld<S extends StateStore = SqliteStateStore, B extends EventBus = SqliteEventBus> {
  dir: string;
  clock: Clock;
  db: SqliteDatabase;
  registry: SqliteModelRegistry;
  serving: SqliteServingTarget;
  pipelines: SqlitePipelineMonitor;
  state: S;
  bus: B;
  /** Pulls and acks everything waiting on `subscription`, batch after batch until one comes back empty. */
  drain(subscription: string, waitMs?: number): Promise<ReceivedMessage[]>;
  close(): Promise<void>;
}

function sqlitePorts(clock: Clock) {
  return (dir: string) => ({
    state: new SqliteStateStore(stateDbPath(dir), { clock }),
    bus: SqliteEventBus.open(join(dir, QUEUE_DB_FILE)),
  });
}

/** A fresh embedded world in a temp dir; see the file comment. */
export async function embeddedWorld(
  options?: EmbeddedWorldOptions<SqliteStateStore, SqliteEventBus>,
): Promise<EmbeddedWorld>;
export async function embeddedWorld<S extends StateStore, B extends EventBus>(
  options: EmbeddedWorldOptions<S, B> & { ports: (dir: string) => { state: S; bus: B } },
): Promise<EmbeddedWorld<S, B>>;
export async function embeddedWorld(
  options: EmbeddedWorldOptions<StateStore, EventBus> = {},
): Promise<EmbeddedWorld<StateStore, EventBus>> {
  const dir = mkdtempSync(join(tmpdir(), options.prefix ?? 'fg-world-'));
  const clock = options.clock ?? systemClock;
  const { state, bus } = (options.ports ?? sqlitePorts(clock))(dir);
  const db = openFleetDb(fleetDbPath(dir));
  await ensureTopology(bus);
  for (const [name, topic] of Object.entries(options.taps ?? {})) {
    await bus.ensureSubscription({ name, topic, ...TAP_DELIVERY });
  }
  return {
    dir,
    clock,
    db,
    registry: new SqliteModelRegistry(db, { clock }),
    serving: new SqliteServingTarget(db, { clock }),
    pipelines: new SqlitePipelineMonitor(db, { clock }),
    state,
    bus,
    drain: (subscription, waitMs = 50) => drainAll(bus, subscription, waitMs),
    close: async () => {
      await bus.close();
      await state.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function drainAll(bus: EventBus, subscription: string, waitMs: number): Promise<ReceivedMessage[]> {
  const out: ReceivedMessage[] = [];
  for (;;) {
    const batch = await bus.pull(subscription, 100, waitMs);
    if (batch.length === 0) return out;
    await bus.ack(
      subscription,
      batch.map((m) => m.ackId),
    );
    out.push(...batch);
  }
}
