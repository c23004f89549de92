/**
 * The metric series on Google's Firestore emulator, as on Google Cloud: the
 * points of two runs written in batches and read back in time order (the
 * query behind the trend and the anomaly detector), a retried run folded
 * into the weekly rollup once under Firestore's transactions, and points no
 * longer returned once `expireAt` has passed (the store's TTL filter, until
 * the TTL policy deletes them). Each case gets its own Firestore project.
 */
import { FirestoreStateStore } from '../../../shared/adapters/gcp/firestore-state-store';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import { MetricRollup, metricRollupId } from '../../../shared/contracts/documents/metric-point';
import { createSilentLogger } from '../../../shared/logging/capture';
import type { ModelOutcome } from '../../../shared/services/health-check/check-model';
import { writeMetricPoints } from '../../../shared/services/health-check/metric-points';
import { readPoints } from '../../../shared/services/history';
import { describeOnEmulators, requireEmulatorHosts, uniqueProjectId } from '../../helpers/emulators';

const BOOKS = ['9780722532935', '9780141439518', '9780061120084'];
const DAY = 86_400_000;

function outcomes(rmse: number): ModelOutcome[] {
  return BOOKS.map((isbn, i) => ({
    isbn,
    version: '3',
    status: 'healthy',
    health: {
      isbn,
      version: '3',
      rmse: rmse + i,
      mape: 10,
      baselineRmse: 12,
      baselineMape: 14,
      status: 'healthy',
    },
    bias: -2,
    psi: 0.08,
    findings: [],
    evaluated: [],
    notes: [],
  }));
}

describeOnEmulators('metric points on FirestoreStateStore', () => {
  let now = Date.parse('2025-01-07T09:00:00.000Z');
  const clock = { now: () => new Date(now), sleep: async () => undefined };
  let store: FirestoreStateStore;
  const logger = createSilentLogger();
  const retention = { pointsMs: 2 * DAY, rollupsMs: 730 * DAY, concurrency: 4 };

  beforeEach(() => {
    now = Date.parse('2025-01-07T09:00:00.000Z');
    store = new FirestoreStateStore({
      projectId: uniqueProjectId('demo-fg-points'),
      emulatorHost: requireEmulatorHosts().firestore,
      clock,
    });
  });
  afterEach(async () => store.close());

  it('reads a book back in time order and folds a retried run once', async () => {
    const deps = { state: store, logger };
    await writeMetricPoints(outcomes(20), { runId: 'hc-2', at: '2025-01-07T10:00:00.000Z' }, deps, retention);
    await writeMetricPoints(outcomes(10), { runId: 'hc-1', at: '2025-01-07T09:00:00.000Z' }, deps, retention);
    const retried = await writeMetricPoints(
      outcomes(10),
      { runId: 'hc-1', at: '2025-01-07T09:00:00.000Z' },
      deps,
      retention,
    );
    expect(retried).toEqual({ points: 3, rollups: 0 });

    const series = await readPoints({ state: store }, BOOKS[0]!);
    expect(series.map((p) => [p.runId, p.rmse, p.bias, p.psi])).toEqual([
      ['hc-1', 10, -2, 0.08],
      ['hc-2', 20, -2, 0.08],
    ]);
    const doc = await store.get(COLLECTIONS.metricRollups, metricRollupId(BOOKS[0]!, '2025-01-06'));
    expect(MetricRollup.parse(doc?.data)).toMatchObject({
      points: 2,
      runIds: ['hc-2', 'hc-1'],
      rmse: { mean: 15, min: 10, max: 20, n: 2 },
    });
  });

  it('stops returning points after their expireAt; the rollup stays', async () => {
    await writeMetricPoints(
      outcomes(10),
      { runId: 'hc-1', at: '2025-01-07T09:00:00.000Z' },
      { state: store, logger },
      retention,
    );
    expect(await readPoints({ state: store }, BOOKS[1]!)).toHaveLength(1);
    now += 2 * DAY + 1000;
    expect(await readPoints({ state: store }, BOOKS[1]!)).toEqual([]);
    const doc = await store.get(COLLECTIONS.metricRollups, metricRollupId(BOOKS[1]!, '2025-01-06'));
    expect(doc?.data).toMatchObject({ points: 1 });
  });
});
