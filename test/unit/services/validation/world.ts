/**
 * A small embedded world for the validation and deploy service tests, built
 * through the ports only: SQLite registry, serving target, state store and
 * queue in a temp dir, an in-memory SalesData (so a test can hand it dirty
 * rows the CSV adapter would refuse), a fixed clock, and taps on the topics
 * the services publish to.
 */
import type { SqliteEventBus } from '../../../../shared/adapters/local/sqlite-event-bus';
import type { SqliteModelRegistry } from '../../../../shared/adapters/local/sqlite-model-registry';
import type { SqliteServingTarget } from '../../../../shared/adapters/local/sqlite-serving-target';
import type { SqliteStateStore } from '../../../../shared/adapters/local/sqlite-state-store';
import { COLLECTIONS } from '../../../../shared/contracts/collections';
import type { SalesPoint, SalesSeries, StoredForecast } from '../../../../shared/contracts/model';
import type { Environment } from '../../../../shared/contracts/primitives';
import { mulberry32 } from '../../../../shared/fleet/prng';
import { trainingDataHash } from '../../../../shared/domain/series/data-hash';
import { addWeeks } from '../../../../shared/domain/series/weeks';
import { createLogger } from '../../../../shared/logging/logger';
import type { Clock, IdGenerator } from '../../../../shared/ports/clock';
import type { ServingTarget } from '../../../../shared/ports/serving-target';
import type { SalesData } from '../../../../shared/ports/sales-data';
import { PRODUCTION_ALIAS } from '../../../../shared/ports/model-registry';
import type {
  ValidationDeps,
  ValidationPorts,
  ValidationSettings,
} from '../../../../shared/services/validation/deps';
import { aForecast, nextIsbn } from '../../../builders/model';
import { embeddedWorld } from '../../../helpers/embedded-world';

export const TRAINED_THROUGH = '2024-11-30';
export const NOW = '2025-01-01T09:00:00.000Z';

/** In-memory sales; `points` may hold anything a dirty feed could. */
export class MemorySales implements SalesData {
  readonly series = new Map<string, SalesSeries>();
  async listIsbns() {
    return [...this.series.keys()];
  }
  async getSeries(isbn: string) {
    const s = this.series.get(isbn);
    return s && { ...s, points: s.points.slice() };
  }
  async isbnsIn() {
    return [...this.series.keys()].sort();
  }
}

/**
 * Weekly sales ending on `through`: a slowly wandering level (a random walk
 * on the log scale, as ARIMA(0,1,1) assumes), a Christmas bump and noise,
 * the level pulled back towards `level` so a test's forecast stays plausible.
 */
export function salesHistory(weeks: number, through = TRAINED_THROUGH, seed = 1, level = 100): SalesPoint[] {
  const rand = mulberry32(seed);
  let log = 0;
  return Array.from({ length: weeks }, (_, i) => {
    log = 0.97 * log + 0.06 * rand.normal();
    const weekEnding = addWeeks(through, i - weeks + 1);
    const december = weekEnding.slice(5, 7) === '12' ? 1.8 : 1;
    return {
      weekEnding,
      volume: Math.max(0, Math.round(level * december * Math.exp(log + 0.1 * rand.normal()))),
    };
  });
}

// Seeds by order, not by ISBN (ISBNs are random per process), so every run sees the same sales.
let nextSeed = 1;

export interface World {
  dir: string;
  registry: SqliteModelRegistry;
  serving: SqliteServingTarget;
  state: SqliteStateStore;
  bus: SqliteEventBus;
  sales: MemorySales;
  clock: Clock;
  ids: IdGenerator;
  deps(over?: Partial<ValidationDeps>): ValidationDeps;
  /** The ports half of `deps`. */
  ports(over?: Partial<ValidationPorts>): ValidationPorts;
  /** The settings half of `deps`. */
  settings(over?: Partial<ValidationSettings>): ValidationSettings;
  /** Registers a version of `isbn` (a new book when absent) trained through TRAINED_THROUGH. */
  addVersion(
    isbn: string,
    over?: {
      forecast?: StoredForecast;
      rmse?: number;
      mape?: number;
      trainedThrough?: string;
      dataHash?: string;
    },
  ): Promise<string>;
  /** A book with sales, versions 1..n, the last serving 100 % (the one before at 0 %), aliased and last-known-good. */
  aBook(versions?: number): Promise<string>;
  /** Messages published to `topic` since the last call. */
  drain(topic: string): Promise<Array<{ data: unknown; attributes: Record<string, string> }>>;
  close(): Promise<void>;
}

const TAPPED = ['alerts', 'rollback-requests', 'model-lifecycle', 'model-deployments'] as const;

export async function openWorld(): Promise<World> {
  const clock: Clock = { now: () => new Date(NOW), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
  let n = 0;
  const ids: IdGenerator = { next: (prefix) => `${prefix ?? 'id'}-${++n}` };
  const embedded = await embeddedWorld({
    prefix: 'fg-validation-unit-',
    clock,
    taps: Object.fromEntries(TAPPED.map((topic) => [`tap-${topic}`, topic])),
  });
  const { dir, registry, serving, state, bus } = embedded;
  const sales = new MemorySales();
  const logger = createLogger({ component: 'test', level: 'error', write: () => undefined });
  const world: World = {
    dir,
    registry,
    serving,
    state,
    bus,
    sales,
    clock,
    ids,
    deps: (over = {}) => ({ ...world.ports(over), ...world.settings(over) }),
    ports: (over = {}) => ({
      registry,
      serving: serving as ServingTarget,
      sales,
      state,
      bus,
      clock,
      ids,
      logger,
      ...over,
    }),
    settings: (over = {}) => ({
      environment: 'production' as Environment,
      ...over,
      // One grid round (104 predictions) keeps these tests quick; a test about the 1,000 floor asks for it.
      options: { minPredictions: 0, ...over.options },
    }),
    async addVersion(isbn, over = {}) {
      const trainedThrough = over.trainedThrough ?? TRAINED_THROUGH;
      const points = sales.series.get(isbn)?.points ?? [];
      const v = await registry.registerVersion({
        isbn,
        metrics: { rmse: over.rmse ?? 12, mape: over.mape ?? 14 },
        params: { order: { p: 0, d: 1, q: 1 }, transform: 'log1p-seasonal-profile' },
        dataHash: over.dataHash ?? trainingDataHash(isbn, points, trainedThrough),
        trainedThrough,
        forecast: over.forecast ?? aForecast({ level: 110, trend: 0 }),
      });
      return v.version;
    },
    async aBook(versions = 2) {
      const isbn = nextIsbn();
      sales.series.set(isbn, {
        isbn,
        title: `Book ${isbn}`,
        points: salesHistory(160, TRAINED_THROUGH, nextSeed++),
      });
      const ids: string[] = [];
      for (let i = 0; i < versions; i++) ids.push(await world.addVersion(isbn));
      if (ids.length > 1) await serving.setTraffic(isbn, { [ids.at(-2)!]: 100 });
      await serving.setTraffic(isbn, { [ids.at(-1)!]: 100 });
      await registry.setAlias(isbn, PRODUCTION_ALIAS, ids.at(-1)!);
      await state.set(COLLECTIONS.lastKnownGood, isbn, {
        isbn,
        version: ids.at(-1)!,
        validatedAt: NOW,
        setBy: 'test',
      });
      return isbn;
    },
    async drain(topic) {
      const msgs = await bus.pull(`tap-${topic}`, 100, 50);
      if (msgs.length)
        await bus.ack(
          `tap-${topic}`,
          msgs.map((m) => m.ackId),
        );
      return msgs.map((m) => ({ data: JSON.parse(m.data.toString('utf8')), attributes: m.attributes }));
    },
    close: embedded.close,
  };
  return world;
}

/** A ServingTarget that counts calls and the most in flight at once (each call yields before answering). */
export function countingServing(
  inner: ServingTarget,
): ServingTarget & { calls: number; maxInFlight: number } {
  let inFlight = 0;
  const out = {
    calls: 0,
    maxInFlight: 0,
    getServing: (isbn: string) => inner.getServing(isbn),
    listServing: () => inner.listServing(),
    setTraffic: (isbn: string, split: Record<string, number>) => inner.setTraffic(isbn, split),
    undeploy: (isbn: string, version: string) => inner.undeploy(isbn, version),
    async predict(isbn: string, instances: unknown[], options?: { version?: string }) {
      out.calls++;
      inFlight++;
      out.maxInFlight = Math.max(out.maxInFlight, inFlight);
      try {
        await new Promise((r) => setImmediate(r));
        return await inner.predict(isbn, instances, options);
      } finally {
        inFlight--;
      }
    },
  };
  return out;
}
