/**
 * The series a health check leaves behind, over the embedded adapters: one
 * MetricPoint per scored book per run with its figures, a retried run
 * counted once in the weekly rollup, points gone from the store once their
 * TTL passes while the rollups stay, and writes in batches Firestore accepts.
 */
import { COLLECTIONS } from '../../../../shared/contracts/collections';
import {
  MetricPoint,
  MetricRollup,
  metricPointId,
  metricRollupId,
} from '../../../../shared/contracts/documents/metric-point';
import { foldPoints } from '../../../../shared/domain/history/rollup';
import type { ServingTarget } from '../../../../shared/ports/serving-target';
import type { StateStore } from '../../../../shared/ports/state-store';
import { runHealthCheck, type HealthCheckRun } from '../../../../shared/services/health-check';
import type { ModelOutcome } from '../../../../shared/services/health-check/check-model';
import { MAX_BATCH_WRITES, writeMetricPoints } from '../../../../shared/services/health-check/metric-points';
import { buildWorld, NOW, type World } from './world';

const DAY = 86_400_000;
const run = (runId: string): HealthCheckRun => ({
  runId,
  trigger: 'schedule',
  correlationId: `corr-${runId}`,
});

async function points(world: World, isbn: string): Promise<MetricPoint[]> {
  const docs = await world.state.query(COLLECTIONS.metricPoints, {
    where: [{ field: 'isbn', op: '==', value: isbn }],
    orderBy: { field: 'at', direction: 'asc' },
  });
  return docs.map((d) => MetricPoint.parse(d.data));
}

async function rollup(world: World, isbn: string, week: string): Promise<MetricRollup | undefined> {
  const doc = await world.state.get(COLLECTIONS.metricRollups, metricRollupId(isbn, week));
  return doc ? MetricRollup.parse(doc.data) : undefined;
}

describe('metric points written by the health check', () => {
  let world: World;
  beforeEach(async () => {
    world = await buildWorld();
  });
  afterEach(async () => world.close());

  it('writes one point per book with its figures, version, status and expiry', async () => {
    const [broken, healthy] = world.isbns as [string, string];
    const version = await world.serveBroken(broken, 2, 30);
    const result = await runHealthCheck(run('hc-1'), world.deps, world.settings());
    const all = await world.state.query(COLLECTIONS.metricPoints);
    expect(all.map((d) => d.id).sort()).toEqual(world.isbns.map((i) => metricPointId(i, 'hc-1')).sort());

    const [bad] = await points(world, broken);
    const reported = result.models.find((m) => m.isbn === broken)!;
    expect(bad).toMatchObject({
      isbn: broken,
      runId: 'hc-1',
      at: result.report.finishedAt,
      version,
      // Development's rules make a breach a warning: degraded.
      status: 'degraded',
      rmse: reported.rmse,
      mape: reported.mape,
      smape: reported.smape,
      expireAt: new Date(Date.parse(result.report.finishedAt) + 35 * DAY).toISOString(),
    });
    // The broken version forecasts 2 × actual + 30: it over-forecasts by mean(actual) + 30 copies a week.
    expect(bad!.bias).toBeGreaterThan(30);
    expect(bad!.psi).toEqual(expect.any(Number));
    const [good] = await points(world, healthy);
    expect(good).toMatchObject({ version: '1', status: 'healthy', rmse: 0, mape: 0, bias: 0 });
    // The run's result carries them too; the report does not (5,000 books' figures must fit one document).
    expect(result.models.find((m) => m.isbn === broken)).toMatchObject({ bias: bad!.bias, psi: bad!.psi });
    expect(result.report.models.find((m) => m.isbn === broken)).not.toHaveProperty('bias');
    // The report counts every book it checked.
    expect(result.report.counts).toEqual({ healthy: 2, degraded: 1 });
    expect(result.report.scope).toBe('fleet');
  });

  it('counts a book whose versions all have 0 % traffic as unhealthy, with no point (no version was scored)', async () => {
    const [dark] = world.isbns as [string];
    const serving = Object.assign(Object.create(world.serving) as ServingTarget, {
      listServing: async () =>
        (await world.serving.listServing()).map((s) =>
          s.isbn === dark
            ? { ...s, deployments: s.deployments.map((d) => ({ ...d, trafficPercent: 0 })) }
            : s,
        ),
    });
    const result = await runHealthCheck(run('hc-dark'), { ...world.deps, serving }, world.settings());
    expect(result.report.counts).toEqual({ healthy: 2, unhealthy: 1 });
    expect(await points(world, dark)).toEqual([]);
    expect(await world.state.query(COLLECTIONS.metricPoints)).toHaveLength(2);
  });

  it('folds a retried run into the weekly rollup once', async () => {
    const isbn = world.isbns[0]!;
    await world.serveBroken(isbn, 1.5, 10);
    await runHealthCheck(run('hc-1'), world.deps, world.settings());
    // The run died after its points and before its report: the retry runs again under the same id.
    await world.state.delete(COLLECTIONS.healthReports, 'hc-1');
    world.clock.set('2025-01-01T09:05:00.000Z');
    await runHealthCheck(run('hc-1'), world.deps, world.settings());
    world.clock.set('2025-01-01T10:00:00.000Z');
    await runHealthCheck(run('hc-2'), world.deps, world.settings());

    const stored = await points(world, isbn);
    expect(stored.map((p) => p.runId)).toEqual(['hc-1', 'hc-2']);
    const week = await rollup(world, isbn, '2024-12-30');
    expect(week).toMatchObject({ points: 2, runIds: ['hc-1', 'hc-2'], statuses: { degraded: 2 } });
    // The retry overwrote the first point (new time, same figures); the fold counted it once.
    expect(week?.rmse).toEqual(foldPoints(stored)?.rmse);
    expect(week?.expireAt).toBe(new Date(Date.parse('2025-01-06T00:00:00.000Z') + 730 * DAY).toISOString());
  });

  it('stops returning points after their retention; the weekly rollups stay', async () => {
    const isbn = world.isbns[0]!;
    await runHealthCheck(run('hc-1'), world.deps, world.settings({}, { FG_METRIC_RETENTION: '2d' }));
    expect(await points(world, isbn)).toHaveLength(1);
    world.clock.set(new Date(Date.parse(NOW) + 2 * DAY + 60_000).toISOString());
    expect(await points(world, isbn)).toEqual([]);
    expect(await world.state.get(COLLECTIONS.metricPoints, metricPointId(isbn, 'hc-1'))).toBeUndefined();
    expect(await rollup(world, isbn, '2024-12-30')).toMatchObject({ points: 1 });
  });

  it('writes a run of 1,201 books in batches of at most 500', async () => {
    const sizes: number[] = [];
    const counting: StateStore = Object.assign(Object.create(world.state) as StateStore, {
      batchSet: async (writes: Parameters<StateStore['batchSet']>[0]) => {
        sizes.push(writes.length);
        return world.state.batchSet(writes);
      },
    });
    const outcomes: ModelOutcome[] = Array.from({ length: 1201 }, (_, i) => ({
      isbn: isbnAt(i),
      version: '1',
      status: 'healthy',
      findings: [],
      evaluated: [],
      notes: [],
      psi: 0.05,
    }));
    // A book with nothing deployed was not scored: no point.
    outcomes.push({ isbn: isbnAt(5000), status: 'healthy', findings: [], evaluated: [], notes: [] });
    const written = await writeMetricPoints(
      outcomes,
      { runId: 'hc-big', at: NOW },
      { state: counting, logger: world.logs.logger },
      { pointsMs: DAY, rollupsMs: DAY, concurrency: 8 },
    );
    expect(written).toEqual({ points: 1201, rollups: 1201 });
    expect(sizes).toEqual([MAX_BATCH_WRITES, MAX_BATCH_WRITES, 201]);
    expect(await world.state.query(COLLECTIONS.metricRollups)).toHaveLength(1201);
  });
});

/** A valid ISBN-13 for index `i` (978 prefix, computed check digit). */
function isbnAt(i: number): string {
  const body = `978${String(i).padStart(9, '0')}`;
  const sum = [...body].reduce((s, d, k) => s + Number(d) * (k % 2 === 0 ? 1 : 3), 0);
  return body + String((10 - (sum % 10)) % 10);
}
