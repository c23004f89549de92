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
import {
  MetricObservations,
  type MetricObservationEntry,
} from '../../../../shared/contracts/documents/metric-observations';
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
  history: 60,
  seedPointsRead: 5000,
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

  it('seeds from at most seedPointsRead points: too little history judges the condition cleared, without firing', async () => {
    await writeHistory(state, A, [...HEALTHY, 45, 48]);
    const res = await anomalyCheck(
      [outcome(health(A, 46))],
      undefined,
      RUN,
      { state, clock },
      { ...settings, seedPointsRead: 10 },
    );
    // 10 points are 5 observations: fewer than minHistory before the test window.
    expect(res).toEqual({ findings: [], evaluated: [`metric_anomaly|${A}`], notes: [] });
  });

  it('notes an unreadable history and leaves the condition unjudged (carried)', async () => {
    const broken = {
      get: () => Promise.reject(new Error('deadline exceeded')),
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

/** Counts the calls a step makes, per method, over a real store. */
function counting(inner: StateStore) {
  const calls = { get: 0, set: 0, query: 0, other: 0 };
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (prop === 'get' || prop === 'set' || prop === 'query') calls[prop]++;
        else calls.other++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls };
}

/** A kept history of weekly observations, oldest first, as the step would have written it. */
function entries(mapes: readonly number[], version = '2'): MetricObservationEntry[] {
  return mapes.map((mape, week) => ({
    at: new Date(NOW.getTime() - (mapes.length - week) * 7 * 86_400_000).toISOString(),
    runId: `hc-week-${week}`,
    version,
    mape,
    rmse: 10,
  }));
}

async function keep(state: StateStore, isbn: string, observations: MetricObservationEntry[]): Promise<void> {
  await state.set(COLLECTIONS.metricObservations, isbn, { isbn, updatedAt: NOW.toISOString(), observations });
}

async function kept(state: StateStore, isbn: string): Promise<MetricObservations | undefined> {
  const doc = await state.get(COLLECTIONS.metricObservations, isbn);
  return doc ? MetricObservations.parse(doc.data) : undefined;
}

describe('anomalyCheck keeps its own history (metric-observations)', () => {
  let dir: string;
  let state: SqliteStateStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fg-anomaly-history-'));
    state = new SqliteStateStore(join(dir, 'state.sqlite'), { clock });
  });
  afterEach(async () => {
    await state.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('costs one get and one set per judged book, and no query, once the history is kept', async () => {
    await keep(state, A, entries([...HEALTHY, 45, 48]));
    await keep(state, B, entries(HEALTHY));
    // Points that would tell another story: the step must not read them any more.
    await writeHistory(state, B, [...HEALTHY, 45, 48]);
    const { store, calls } = counting(state);
    const res = await anomalyCheck(
      [outcome(health(A, 46)), outcome(health(B, 47))],
      undefined,
      RUN,
      { state: store, clock },
      settings,
    );
    expect(calls).toEqual({ get: 2, set: 2, query: 0, other: 0 });
    expect(res.findings.map((f) => f.isbn)).toEqual([A]);
    const a = await kept(state, A);
    expect(a?.observations).toHaveLength(HEALTHY.length + 3);
    expect(a?.observations.at(-1)).toEqual({
      at: NOW.toISOString(),
      runId: RUN,
      version: '3',
      mape: 46,
      rmse: 10,
      smape: 46,
    });
  });

  it('seeds a book without a history from its MetricPoints once, then never reads them again', async () => {
    await writeHistory(state, A, [...HEALTHY, 45, 48]);
    const first = counting(state);
    const res = await anomalyCheck(
      [outcome(health(A, 46))],
      undefined,
      RUN,
      { state: first.store, clock },
      settings,
    );
    expect(first.calls).toEqual({ get: 1, set: 1, query: 1, other: 0 });
    expect(res.findings).toHaveLength(1);
    const seeded = await kept(state, A);
    // 44 points (two a week) fold into 22 observations, then this run's.
    expect(seeded?.seededFromPoints).toBe(44);
    expect(seeded?.observations.map((o) => o.mape)).toEqual([...HEALTHY, 45, 48, 46]);
    expect(seeded?.observations.slice(0, 2).map((o) => o.runId)).toEqual(['hc-0-0', 'hc-1-0']);

    const later = counting(state);
    await anomalyCheck(
      [outcome(health(A, 50))],
      undefined,
      'hc-later',
      { state: later.store, clock },
      settings,
    );
    expect(later.calls).toEqual({ get: 1, set: 1, query: 0, other: 0 });
    const after = await kept(state, A);
    expect(after?.observations.map((o) => o.mape).slice(-3)).toEqual([48, 46, 50]);
    expect(after?.seededFromPoints).toBe(44);
  });

  it('a retried run judges the same history and does not append its observation twice', async () => {
    await keep(state, A, entries([...HEALTHY, 45, 48]));
    const once = await anomalyCheck([outcome(health(A, 46))], undefined, RUN, { state, clock }, settings);
    const twice = await anomalyCheck([outcome(health(A, 46))], undefined, RUN, { state, clock }, settings);
    expect(twice).toEqual(once);
    const doc = await kept(state, A);
    expect(doc?.observations).toHaveLength(HEALTHY.length + 3);
    expect(doc?.observations.filter((o) => o.runId === RUN)).toHaveLength(1);
    // A retry that measured other figures replaces its entry rather than adding one.
    await anomalyCheck([outcome(health(A, 47))], undefined, RUN, { state, clock }, settings);
    const replaced = await kept(state, A);
    expect(replaced?.observations.map((o) => o.mape).slice(-3)).toEqual([45, 48, 47]);
  });

  it('keeps at most `history` observations, the newest, whether seeded or appended', async () => {
    await writeHistory(state, A, [...HEALTHY, 45, 48]);
    const bounded = { ...settings, history: 11 };
    await anomalyCheck([outcome(health(A, 46))], undefined, RUN, { state, clock }, bounded);
    const seeded = await kept(state, A);
    expect(seeded?.observations.map((o) => o.mape)).toEqual([...HEALTHY.slice(-8), 45, 48, 46]);
    for (let i = 0; i < 5; i++)
      await anomalyCheck([outcome(health(A, 20 + i))], undefined, `hc-next-${i}`, { state, clock }, bounded);
    const trimmed = await kept(state, A);
    expect(trimmed?.observations).toHaveLength(11);
    expect(trimmed?.observations.map((o) => o.mape).slice(-6)).toEqual([46, 20, 21, 22, 23, 24]);
  });

  it('seeds again, with a note naming the field, over a kept history it cannot read', async () => {
    await writeHistory(state, A, [...HEALTHY, 45, 48]);
    await state.set(COLLECTIONS.metricObservations, A, {
      isbn: A,
      updatedAt: NOW.toISOString(),
      observations: [{ at: 'yesterday', runId: 'hc-x', version: '3', mape: 15 }],
    });
    const res = await anomalyCheck([outcome(health(A, 46))], undefined, RUN, { state, clock }, settings);
    expect(res.notes).toEqual([
      '9780722532935: kept metric history malformed at observations.0.at (must be an ISO 8601 date-time in UTC, e.g. 2024-05-01T10:00:00Z); seeded again from 44 MetricPoints',
    ]);
    expect(res.findings.map((f) => f.isbn)).toEqual([A]);
    expect((await kept(state, A))?.observations).toHaveLength(HEALTHY.length + 3);
  });

  it('notes a history it could not write, and keeps the verdict', async () => {
    await keep(state, A, entries([...HEALTHY, 45, 48]));
    const readOnly = new Proxy(state, {
      get(target, prop, receiver) {
        if (prop === 'set') return () => Promise.reject(new Error('permission denied'));
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const res = await anomalyCheck(
      [outcome(health(A, 46))],
      undefined,
      RUN,
      { state: readOnly, clock },
      settings,
    );
    expect(res.findings.map((f) => f.isbn)).toEqual([A]);
    expect(res.notes).toEqual([
      expect.stringMatching(/^9780722532935: metric observation not kept.*permission denied/),
    ]);
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

    // The step keeps its own history from here on (metric-observations): two healthy observations
    // later (versions at 14 % and 15 %), the median of the last three is back within the band.
    await world.serveBroken(isbn!, 1.14, 0);
    await run(3);
    // One healthy observation: the last three are 61, 60, 14, median 60, still anomalous.
    expect(await anomalies()).not.toContain(`resolved:${isbn}`);
    await world.serveBroken(isbn!, 1.15, 0);
    await run(4);
    expect(await anomalies()).toEqual([`resolved:${isbn}`]);
  });
});
