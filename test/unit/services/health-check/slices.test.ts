/**
 * The health check streams the fleet in slices (FG_HEALTH_SLICE): the ports
 * record which book each read is for, and the test checks that no read of a
 * slice starts before every read of the slice before it has finished, that
 * at most `concurrency` books have reads open at once, and that the run's
 * findings, alerts, results and report are the same whatever the slice size.
 */
import { loadConfig } from '../../../../shared/config';
import type { HealthReport } from '../../../../shared/contracts/documents/health-report';
import type { SalesData } from '../../../../shared/ports/sales-data';
import type { HealthCheckDeps, HealthCheckResult } from '../../../../shared/services/health-check';
import { runHealthCheck } from '../../../../shared/services/health-check';
import { healthCheckSettings } from '../../../../shared/wiring/health-check';
import { buildWorld, type World } from './world';

const BOOKS = 20;
const CONCURRENCY = 3;

interface Read {
  /** The books one read was for: one, or a slice's for a `getSeriesFor`. */
  isbns: string[];
  port: 'sales-slice' | 'sales' | 'registry' | 'serving';
  started: number;
  ended?: number;
}

/** Wraps the reads of actuals, versions and predictions so each records its books and when it ran. */
function recording(deps: HealthCheckDeps): { deps: HealthCheckDeps; reads: Read[]; served: string[] } {
  const reads: Read[] = [];
  const served: string[] = [];
  let tick = 0;
  const track = async <T>(isbns: string[], port: Read['port'], call: () => Promise<T>): Promise<T> => {
    const read: Read = { isbns, port, started: ++tick };
    reads.push(read);
    try {
      return await call();
    } finally {
      read.ended = ++tick;
    }
  };
  const { sales, registry, serving } = deps;
  const getSeriesFor = sales.getSeriesFor?.bind(sales);
  return {
    reads,
    served,
    deps: {
      ...deps,
      monotonic: () => 0, // latencies of 0 ms: runs compare equal
      sales: Object.assign(Object.create(sales) as typeof sales, {
        getSeries: (isbn: string) => track([isbn], 'sales', () => sales.getSeries(isbn)),
        ...(getSeriesFor
          ? {
              getSeriesFor: (isbns: readonly string[]) =>
                track([...isbns], 'sales-slice', () => getSeriesFor(isbns)),
            }
          : {}),
      }),
      registry: Object.assign(Object.create(registry) as typeof registry, {
        getVersion: (isbn: string, version: string) =>
          track([isbn], 'registry', () => registry.getVersion(isbn, version)),
      }),
      serving: Object.assign(Object.create(serving) as typeof serving, {
        listServing: async () => {
          const states = await serving.listServing();
          served.push(...states.map((s) => s.isbn));
          return states;
        },
        predict: (...args: Parameters<typeof serving.predict>) =>
          track([args[0]], 'serving', () => serving.predict(...args)),
      }),
    },
  };
}

/** Each read is for one slice's books, and every read of an earlier slice ended before it started. */
function expectSliceAfterSlice(reads: readonly Read[], sliceOf: ReadonlyMap<string, number>): void {
  const slicesOf = (read: Read) => new Set(read.isbns.map((isbn) => sliceOf.get(isbn) ?? -1));
  for (const read of reads) {
    expect(slicesOf(read).size).toBe(1);
    const [slice = -1] = slicesOf(read);
    const unfinished = reads.filter(
      (r) => Math.max(...slicesOf(r)) < slice && (r.ended ?? Infinity) > read.started,
    );
    expect(unfinished).toEqual([]);
  }
}

/** A fresh world of BOOKS books, three of them serving a broken forecast, checked once with `sliceSize`. */
async function runWith(
  sliceSize: number,
): Promise<{ world: World; result: HealthCheckResult; reads: Read[]; served: string[] }> {
  const world = await buildWorld(BOOKS);
  for (const isbn of world.isbns.slice(2, 5)) await world.serveBroken(isbn);
  const rec = recording(world.deps);
  const result = await runHealthCheck(
    { runId: 'hc-slices', trigger: 'manual', correlationId: 'corr-slices' },
    rec.deps,
    world.settings({ sliceSize, concurrency: CONCURRENCY }, { FG_ENVIRONMENT: 'production' }),
  );
  return { world, result, reads: rec.reads, served: rec.served };
}

/** What must not depend on the slicing: everything but wall-clock durations. */
function comparable(result: HealthCheckResult): unknown {
  // The registry ping is timed by performance.now, not the run's monotonic clock.
  const report: Partial<HealthReport> = {
    ...result.report,
    registry: { ok: result.report.registry.ok, latencyMs: 0 },
  };
  delete report.durationMs;
  return {
    status: result.status,
    models: result.models,
    alerts: result.alerts.map((a) => ({ ...a, alertId: undefined })),
    report,
  };
}

describe('health check in slices', () => {
  const worlds: World[] = [];
  afterAll(async () => {
    for (const w of worlds) await w.close();
  });

  it.each([1, 7, BOOKS])(
    'with slices of %p books, no read spans two slices and at most `concurrency` books are open at once',
    async (sliceSize) => {
      const { world, reads, served } = await runWith(sliceSize);
      worlds.push(world);
      expect([...served].sort()).toEqual([...world.isbns].sort());
      const sliceOf = new Map(served.map((isbn, i) => [isbn, Math.floor(i / sliceSize)]));
      // The actuals of each slice in one read of exactly that slice's books (all are served here).
      const sliceReads = reads.filter((r) => r.port === 'sales-slice');
      expect(sliceReads.map((r) => r.isbns)).toEqual(
        Array.from({ length: Math.ceil(BOOKS / sliceSize) }, (_, k) =>
          served.slice(k * sliceSize, (k + 1) * sliceSize),
        ),
      );
      expect(reads.filter((r) => r.port === 'sales')).toEqual([]);
      expectSliceAfterSlice(reads, sliceOf);
      // Books with a version or prediction read in flight at each moment: never more than the concurrency.
      const perBook = reads.filter((r) => r.port !== 'sales-slice');
      let peak = 0;
      for (const read of perBook) {
        const open = new Set(
          perBook
            .filter((r) => r.started <= read.started && (r.ended ?? Infinity) > read.started)
            .flatMap((r) => r.isbns),
        );
        peak = Math.max(peak, open.size);
      }
      expect(peak).toBeGreaterThan(0);
      expect(peak).toBeLessThanOrEqual(Math.min(CONCURRENCY, sliceSize));
    },
  );

  it.each([
    [
      'has no slice read',
      (sales: SalesData): SalesData => ({
        listIsbns: () => sales.listIsbns(),
        getSeries: (isbn) => sales.getSeries(isbn),
        isbnsIn: (source) => sales.isbnsIn(source),
      }),
    ],
    [
      'fails a slice read',
      (sales: SalesData): SalesData =>
        Object.assign(Object.create(sales) as SalesData, {
          getSeriesFor: () => Promise.reject(new Error('connection reset')),
        }),
    ],
  ])('reads book by book, slice after slice, when the sales adapter %s', async (_, adapt) => {
    const world = await buildWorld(5);
    worlds.push(world);
    const rec = recording({ ...world.deps, sales: adapt(world.sales) });
    const result = await runHealthCheck(
      { runId: 'hc-per-book', trigger: 'manual', correlationId: 'corr-per-book' },
      rec.deps,
      world.settings({ sliceSize: 2, concurrency: 2 }),
    );
    expect(result.status).toBe('healthy');
    expect(result.models.every((m) => m.rmse === 0 && m.notes.length === 0)).toBe(true);
    const perBook = rec.reads.filter((r) => r.port === 'sales');
    expect(perBook.map((r) => r.isbns[0]).sort()).toEqual([...world.isbns].sort());
    expectSliceAfterSlice(
      rec.reads.filter((r) => r.port !== 'sales-slice'),
      new Map(rec.served.map((isbn, i) => [isbn, Math.floor(i / 2)])),
    );
  });

  it('finds, publishes and reports the same with slices of 1, 7 and the whole fleet', async () => {
    const whole = await runWith(BOOKS);
    const ones = await runWith(1);
    const sevens = await runWith(7);
    worlds.push(whole.world, ones.world, sevens.world);
    // The fleet has something to find: the three broken books fire.
    expect(whole.result.alerts.length).toBeGreaterThanOrEqual(3);
    expect(whole.result.status).toBe('unhealthy');
    expect(whole.result.models).toHaveLength(BOOKS);
    expect(comparable(ones.result)).toEqual(comparable(whole.result));
    expect(comparable(sevens.result)).toEqual(comparable(whole.result));
  });
});

describe('FG_HEALTH_SLICE', () => {
  it('sets the slice size, 500 by default', () => {
    expect(healthCheckSettings(loadConfig({})).sliceSize).toBe(500);
    expect(healthCheckSettings(loadConfig({ FG_HEALTH_SLICE: '7' })).sliceSize).toBe(7);
  });

  it('refuses a slice of no books, naming the variable and the value', () => {
    expect(() => loadConfig({ FG_HEALTH_SLICE: '0' })).toThrow(/FG_HEALTH_SLICE/);
    expect(() => loadConfig({ FG_HEALTH_SLICE: 'many' })).toThrow(
      /FG_HEALTH_SLICE.*many|many.*FG_HEALTH_SLICE/,
    );
  });
});
