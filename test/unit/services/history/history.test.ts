/**
 * The history views over an embedded world whose health checks ran at
 * different times: a book's trend (points, older weeks from the rollups,
 * threshold lines per version, rollback and version-change markers), two
 * versions compared on the same weeks, and the fleet's statuses per run with
 * its worst movers.
 */
import { COLLECTIONS } from '../../../../shared/contracts/collections';
import type { LastKnownGood } from '../../../../shared/contracts/documents/last-known-good';
import { metricRollupId, type MetricRollup } from '../../../../shared/contracts/documents/metric-point';
import type { RollbackRecord } from '../../../../shared/contracts/documents/rollback';
import { DEFAULT_THRESHOLDS } from '../../../../shared/domain/thresholds';
import { NotFoundError, ValidationError } from '../../../../shared/errors';
import { runHealthCheck, type HealthCheckRun } from '../../../../shared/services/health-check';
import {
  bookTrend,
  compareBookVersions,
  fleetTrend,
  type HistoryPorts,
} from '../../../../shared/services/history';
import { buildWorld, type World } from '../health-check/world';

const SETTINGS = { environment: 'development' as const, thresholdOverrides: {} };
let seq = 0;

describe('history views', () => {
  let world: World;
  let ports: HistoryPorts;
  let isbn: string;

  /** A whole-fleet check at `at` (or one of `isbns`). */
  async function checkAt(at: string, isbns?: string[]): Promise<void> {
    world.clock.set(at);
    seq += 1;
    const run: HealthCheckRun = {
      runId: `hc-h-${seq}`,
      trigger: 'schedule',
      correlationId: `corr-h-${seq}`,
      ...(isbns ? { isbns } : {}),
    };
    await runHealthCheck(run, world.deps, world.settings());
  }

  function rollbackRecord(overrides: Partial<RollbackRecord>): RollbackRecord {
    return {
      rollbackId: 'rb-1',
      requestId: 'req-1',
      isbn,
      from: '2',
      to: '1',
      status: 'succeeded',
      verified: true,
      durationMs: 120,
      requestedBy: 'oncall@example.com',
      reason: 'live error spiked',
      at: '2025-01-01T12:30:00.000Z',
      ...overrides,
    };
  }

  beforeAll(async () => {
    world = await buildWorld();
    ports = {
      state: world.state,
      registry: world.registry,
      serving: world.serving,
      sales: world.sales,
      clock: world.clock,
    };
    isbn = world.isbns[0]!;
    // A rollup of a week whose points have expired.
    const old: MetricRollup = {
      isbn,
      week: '2024-12-16',
      points: 168,
      versions: ['1'],
      statuses: { healthy: 168 },
      rmse: { mean: 3, min: 1, max: 6, n: 168 },
      mape: { mean: 4, min: 2, max: 9, n: 168 },
    };
    await world.state.set(COLLECTIONS.metricRollups, metricRollupId(isbn, old.week), old);
    await checkAt('2025-01-01T09:00:00.000Z');
    await checkAt('2025-01-01T10:00:00.000Z');
    await world.serveBroken(isbn, 2, 30); // version 2, over-forecasting
    await checkAt('2025-01-01T11:00:00.000Z');
    await checkAt('2025-01-01T12:00:00.000Z', [isbn]); // a check of this book alone
    await world.serving.setTraffic(isbn, { '1': 100 });
    await world.state.set(COLLECTIONS.rollbackRecords, `rb-1:${isbn}`, rollbackRecord({}));
    // A rollback that had nothing to do is no marker.
    await world.state.set(
      COLLECTIONS.rollbackRecords,
      `rb-0:${isbn}`,
      rollbackRecord({ rollbackId: 'rb-0', status: 'skipped', at: '2025-01-01T10:30:00.000Z' }),
    );
    await checkAt('2025-01-01T13:00:00.000Z');
  }, 60_000);
  afterAll(async () => world.close());

  describe('bookTrend', () => {
    it('gives one point per check, oldest first, and the older weeks from the rollups', async () => {
      const trend = await bookTrend({ isbn }, ports, SETTINGS);
      expect(trend.points.map((p) => [p.at.slice(11, 16), p.version, p.status])).toEqual([
        ['09:00', '1', 'healthy'],
        ['10:00', '1', 'healthy'],
        ['11:00', '2', 'degraded'],
        ['12:00', '2', 'degraded'],
        ['13:00', '1', 'healthy'],
      ]);
      expect(trend.points[2]!.rmse).toBeGreaterThan(0);
      expect(trend.points[2]!.bias).toBeGreaterThan(30);
      // The week of the points (2024-12-30) is drawn from them; only the earlier week comes from the rollups.
      expect(trend.weeks.map((w) => w.week)).toEqual(['2024-12-16']);
      expect(trend.weeks[0]).not.toHaveProperty('runIds');
    });

    it('marks the rollback and both version changes, in time order', async () => {
      const trend = await bookTrend({ isbn }, ports, SETTINGS);
      expect(trend.markers.map((m) => [m.kind, m.at.slice(11, 16), m.to])).toEqual([
        ['version-change', '11:00', '2'],
        ['rollback', '12:30', '1'],
        ['version-change', '13:00', '1'],
      ]);
      expect(trend.markers[1]!.detail).toBe(
        'rollback succeeded v2 → v1 by oncall@example.com: live error spiked',
      );
    });

    it("draws each version's limits from its own baseline", async () => {
      const trend = await bookTrend({ isbn }, ports, SETTINGS);
      const t = DEFAULT_THRESHOLDS.development;
      expect(trend.thresholds).toMatchObject({ rmseMax: t.rmseMax, mapeMax: t.mapeMax });
      expect(Object.keys(trend.versions).sort()).toEqual(['1', '2']);
      expect(trend.versions['1']).toEqual({
        baseline: { rmse: 12, mape: 14 },
        limits: {
          rmseMax: t.rmseMax,
          mapeMax: t.mapeMax,
          rmseSpike: expect.closeTo(12 * (1 + (t.rmseSpikePct ?? NaN) / 100), 3),
          mapeIncrease: expect.closeTo(14 * (1 + (t.mapeIncreasePct ?? NaN) / 100), 3),
        },
      });
    });

    it('refuses a bad ISBN, naming it', async () => {
      await expect(bookTrend({ isbn: '978-0-00-000000-1' }, ports, SETTINGS)).rejects.toThrow(
        ValidationError,
      );
    });
  });

  describe('compareBookVersions', () => {
    it('compares the serving version with the one served before it, on the same weeks', async () => {
      const c = await compareBookVersions({ isbn }, ports);
      expect(c.sides.map((s) => [s.version, s.role])).toEqual([
        ['1', 'serving'],
        ['2', 'served before'],
      ]);
      expect(c.registered).toEqual(['1', '2']);
      expect(c.weeks).toHaveLength(26);
      const [a, b] = c.sides;
      // Both answered for the weeks after 2024-11-30: four weeks of actuals to 2024-12-28.
      expect(a.forecast.filter((v) => v !== null)).toHaveLength(4);
      expect(b.forecast.filter((v) => v !== null)).toHaveLength(4);
      expect(a.sharedWeeks).toEqual({ weeks: 4, rmse: 0, mape: 0, bias: 0 });
      expect(b.sharedWeeks!.bias).toBeGreaterThan(30);
      expect(b.holdout).toEqual({ rmse: 12, mape: 14 });
      expect(a.live.points).toBe(3);
      expect(b.live).toMatchObject({ points: 2, latest: { status: 'degraded' } });
      expect(b.live.meanRmse).toBeCloseTo(b.live.latest!.rmse!, 3);
    });

    it('takes the last-known-good version when another serves', async () => {
      const lkg: LastKnownGood = {
        isbn,
        version: '2',
        validatedAt: '2025-01-01T00:00:00.000Z',
        setBy: 'test',
      };
      await world.state.set(COLLECTIONS.lastKnownGood, isbn, lkg);
      try {
        const c = await compareBookVersions({ isbn }, ports);
        expect(c.sides[1]).toMatchObject({ version: '2', role: 'last known good' });
      } finally {
        await world.state.delete(COLLECTIONS.lastKnownGood, isbn);
      }
    });

    it('compares the versions asked for, and refuses one that is not registered', async () => {
      const c = await compareBookVersions({ isbn, a: '2', b: '1' }, ports);
      expect(c.sides.map((s) => [s.version, s.role])).toEqual([
        ['2', 'asked for'],
        ['1', 'asked for'],
      ]);
      await expect(compareBookVersions({ isbn, b: '9' }, ports)).rejects.toThrow(
        /b: version "9" is not registered for this book/,
      );
    });

    it('says there is nothing to compare for a book with one version', async () => {
      const single = world.isbns[1]!;
      await expect(compareBookVersions({ isbn: single }, ports)).rejects.toThrow(NotFoundError);
      await expect(compareBookVersions({ isbn: single }, ports)).rejects.toThrow(
        /only version 1 is registered/,
      );
    });
  });

  describe('fleetTrend', () => {
    it("counts each whole-fleet run's statuses, leaving out the run of one book", async () => {
      const t = await fleetTrend({}, ports);
      expect(t.runs.map((r) => [r.at.slice(11, 16), r.counts])).toEqual([
        ['09:00', { healthy: 3 }],
        ['10:00', { healthy: 3 }],
        ['11:00', { healthy: 2, degraded: 1 }],
        ['13:00', { healthy: 3 }],
      ]);
      // Back on version 1, the book is where it started: no mover from the first run to the last.
      expect(t.movers).toEqual([]);
      expect(t.moversWindow).toEqual({ from: t.runs[0]!.at, to: t.runs[3]!.at });
    });

    it('names the degraded book the worst mover over a window that ends at its worst', async () => {
      // End the window at the degraded run: the reports after 11:30 go (this test runs last).
      const reports = await world.state.query(COLLECTIONS.healthReports);
      const late = reports.filter((r) => String(r.data.startedAt) > '2025-01-01T11:30:00.000Z');
      for (const r of late) await world.state.delete(COLLECTIONS.healthReports, r.id);
      const t = await fleetTrend({ runs: 10 }, ports);
      expect(t.runs).toHaveLength(3);
      expect(t.movers).toHaveLength(1);
      expect(t.movers[0]).toMatchObject({ isbn, fromVersion: '1', toVersion: '2', mapeBefore: 0 });
      expect(t.movers[0]!.mapeRise).toBeGreaterThan(10);
      expect(t.movers[0]!.rmseRisePct).toBeNull(); // from an RMSE of 0
    });

    it('refuses a window of fewer than two or more than 200 runs, naming the field', async () => {
      await expect(fleetTrend({ runs: 1 }, ports)).rejects.toThrow(
        /runs: must be a whole number from 2 to 200, got 1/,
      );
      await expect(fleetTrend({ runs: 201 }, ports)).rejects.toThrow(ValidationError);
    });
  });
});
