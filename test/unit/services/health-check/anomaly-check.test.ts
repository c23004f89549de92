/**
 * The health check's metric-anomaly step over a real (SQLite) state store:
 * which books it judges, what it reads, and what it yields.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStateStore } from '../../../../shared/adapters/local/sqlite-state-store';
import { COLLECTIONS } from '../../../../shared/contracts/collections';
import type { HealthReport, ModelHealth } from '../../../../shared/contracts/documents/health-report';
import { metricPointId, type MetricPoint } from '../../../../shared/contracts/documents/metric-point';
import { DEFAULT_ANOMALY_OPTIONS } from '../../../../shared/domain/anomaly/detector';
import type { Clock } from '../../../../shared/ports/clock';
import type { StateStore } from '../../../../shared/ports/state-store';
import { anomalyCheck } from '../../../../shared/services/health-check/anomaly-check';
import type { ModelOutcome } from '../../../../shared/services/health-check/check-model';
import type { AnomalySettings } from '../../../../shared/services/health-check/settings';
import { runHealthCheck } from '../../../../shared/services/health-check/run-health-check';
import { buildWorld, type World } from './world';

const A = '9780722532935';
const B = '9780241003008';
const NOW = new Date('2025-01-01T09:00:00.000Z');
const clock: Clock = { now: () => NOW, sleep: async () => undefined };
const RUN = 'hc-now';
/** A healthy weekly MAPE around 15 %: ±20 % wobble, no trend. */
const HEALTHY = [15, 17, 13, 16, 14, 18, 15, 12, 16, 15, 17, 14, 13, 16, 15, 18, 14, 16, 13, 15];

const settings: AnomalySettings = {
  enabled: true,
  metrics: ['mape'],
  detector: { ...DEFAULT_ANOMALY_OPTIONS },
  pointsRead: 5000,
  concurrency: 2,
};

function health(isbn: string, mape: number, version = '3'): ModelHealth {
  return { isbn, version, rmse: 10, mape, smape: mape, baselineRmse: 9, baselineMape: 14, status: 'healthy' };
}
const outcome = (h: ModelHealth): ModelOutcome => ({
  isbn: h.isbn,
  version: h.version,
  status: 'healthy',
  health: h,
  findings: [],
  evaluated: [],
  notes: [],
});

/** Two hourly points per weekly observation, oldest first, a week apart. */
async function writeHistory(state: StateStore, isbn: string, mapes: readonly number[]): Promise<void> {
  const writes = mapes.flatMap((mape, week) =>
    [0, 1].map((h) => {
      const at = new Date(NOW.getTime() - (mapes.length - week) * 7 * 86_400_000 + h * 3_600_000);
      const point: MetricPoint = {
        isbn,
        at: at.toISOString(),
        runId: `hc-${week}-${h}`,
        version: '2',
        status: 'healthy',
        mape,
        rmse: 10,
      };
      return { collection: COLLECTIONS.metricPoints, id: metricPointId(isbn, point.runId), data: point };
    }),
  );
  await state.batchSet(writes);
}

function previousReport(models: ModelHealth[]): HealthReport {
  return {
    runId: 'hc-before',
    trigger: 'schedule',
    startedAt: NOW.toISOString(),
    finishedAt: NOW.toISOString(),
    durationMs: 1,
    status: 'healthy',
    registry: { ok: true, latencyMs: 1 },
    models,
    alerts: [],
    correlationId: 'corr-before',
  };
}

describe('anomalyCheck', () => {
  let dir: string;
  let state: SqliteStateStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fg-anomaly-check-'));
    state = new SqliteStateStore(join(dir, 'state.sqlite'), { clock });
  });
  afterEach(async () => {
    await state.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fires for the book whose MAPE tripled and judges, without firing, the healthy one', async () => {
    await writeHistory(state, A, [...HEALTHY, 45, 48]);
    await writeHistory(state, B, HEALTHY);
    const res = await anomalyCheck(
      [outcome(health(A, 46)), outcome(health(B, 15))],
      undefined,
      RUN,
      { state, clock },
      settings,
    );
    expect(res.evaluated.sort()).toEqual([`metric_anomaly|${A}`, `metric_anomaly|${B}`].sort());
    expect(res.findings).toHaveLength(1);
    expect(res.findings[0]).toMatchObject({
      kind: 'metric_anomaly',
      severity: 'warning',
      isbn: A,
      modelVersion: '3',
      details: { method: 'mad', metrics: { mape: { value: 46, center: 15 } } },
    });
    expect(res.notes).toEqual([]);
  });

  it('marks the book it fires for as degraded, and leaves the others as they were', async () => {
    await writeHistory(state, A, [...HEALTHY, 45, 48]);
    await writeHistory(state, B, HEALTHY);
    const [a, b] = [outcome(health(A, 46)), outcome(health(B, 15))];
    await anomalyCheck([a, b], undefined, RUN, { state, clock }, settings);
    expect([a.status, a.health?.status]).toEqual(['degraded', 'degraded']);
    expect([b.status, b.health?.status]).toEqual(['healthy', 'healthy']);
  });

  it('does not judge a book whose figures equal the previous report: the same observation, already judged', async () => {
    await writeHistory(state, A, [...HEALTHY, 45, 48]);
    const same = health(A, 46);
    const res = await anomalyCheck([outcome(same)], previousReport([same]), RUN, { state, clock }, settings);
    expect(res).toEqual({ findings: [], evaluated: [], notes: [] });
    // Another version answering is a new observation even with the same MAPE.
    const other = await anomalyCheck(
      [outcome(health(A, 46, '4'))],
      previousReport([same]),
      RUN,
      { state, clock },
      settings,
    );
    expect(other.evaluated).toEqual([`metric_anomaly|${A}`]);
  });

  it('reads at most pointsRead points: too little history judges the condition cleared, without firing', async () => {
    await writeHistory(state, A, [...HEALTHY, 45, 48]);
    const res = await anomalyCheck(
      [outcome(health(A, 46))],
      undefined,
      RUN,
      { state, clock },
      { ...settings, pointsRead: 10 },
    );
    // 10 points are 5 observations: fewer than minHistory before the test window.
    expect(res).toEqual({ findings: [], evaluated: [`metric_anomaly|${A}`], notes: [] });
  });

  it('notes an unreadable history and leaves the condition unjudged (carried)', async () => {
    const broken = {
      query: () => Promise.reject(new Error('deadline exceeded')),
    } as unknown as StateStore;
    const res = await anomalyCheck(
      [outcome(health(A, 46))],
      undefined,
      RUN,
      { state: broken, clock },
      settings,
    );
    expect(res.evaluated).toEqual([]);
    expect(res.notes).toEqual([
      expect.stringMatching(/^9780722532935: metric history unreadable.*deadline exceeded/),
    ]);
  });

  it('does nothing when turned off (FG_ANOMALY_METRICS=none)', async () => {
    await writeHistory(state, A, [...HEALTHY, 45, 48]);
    const res = await anomalyCheck(
      [outcome(health(A, 46))],
      undefined,
      RUN,
      { state, clock },
      { ...settings, enabled: false, metrics: [] },
    );
    expect(res).toEqual({ findings: [], evaluated: [], notes: [] });
  });
});

describe('metric_anomaly through runHealthCheck: fires, is carried, resolves', () => {
  let world: World;
  beforeAll(async () => {
    world = await buildWorld(2);
  }, 60_000);
  afterAll(async () => world.close());

  const anomalies = async () =>
    (await world.published())
      .map((p) => p.alert)
      .filter((a) => a.kind === 'metric_anomaly')
      .map((a) => `${a.status}:${a.isbn}`);
  const run = (n: number) =>
    runHealthCheck(
      { runId: `hc-anomaly-${n}`, trigger: 'schedule', correlationId: `corr-anomaly-${n}` },
      world.deps,
      world.settings(),
    );

  it('resolves once the recent observations are back within the band', async () => {
    const [isbn] = world.isbns;
    // Twenty healthy weeks at about 15 %, then two at 60 %; this run's version forecasts 1.6 × actual: 60 %.
    await writeHistory(world.state, isbn!, [...HEALTHY, 60, 61]);
    await world.serveBroken(isbn!, 1.6, 0);
    await run(1);
    expect(await anomalies()).toEqual([`firing:${isbn}`]);

    // The next hourly run sees the same figures: nothing is judged again, nothing is published, the report keeps it.
    const again = await run(2);
    expect(await anomalies()).toEqual([]);
    expect(again.report.alerts).toEqual(
      expect.arrayContaining([{ kind: 'metric_anomaly', severity: 'warning', isbn }]),
    );

    // Two healthy weeks later (their points written as the trends step would) and a version at 14 %: resolved.
    await writeHistory(world.state, isbn!, [...HEALTHY, 60, 61, 60, 15, 16]);
    await world.serveBroken(isbn!, 1.14, 0);
    await run(3);
    expect(await anomalies()).toEqual([`resolved:${isbn}`]);
  });
});
