/**
 * The metric-anomaly step end to end on a seeded embedded fleet (4 books), in
 * process through `forecast-guard health run`: each book's MetricPoints hold
 * the history a weekly health check would have written over the 40 weeks
 * before the served version (replayed with the real ARIMA,
 * shared/fleet/metric-history.ts, three hourly points per week). Healthy
 * books raise no `metric_anomaly`; a shift injected into one book's latest
 * points raises one warning on `alerts`, for that book only. The step seeds
 * each book's kept history (metric-observations) from those points on its
 * first judgment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/main';
import { SqliteEventBus } from '../../../shared/adapters/local/sqlite-event-bus';
import { loadConfig } from '../../../shared/config';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import { metricPointId, type MetricPoint } from '../../../shared/contracts/documents/metric-point';
import { Alert } from '../../../shared/contracts/messages/alert';
import { addWeeks } from '../../../shared/domain/series/weeks';
import { catalogue } from '../../../shared/fleet/catalogue';
import { replayMetricHistory } from '../../../shared/fleet/metric-history';
import { generateSales } from '../../../shared/fleet/sales-generator';
import { SEED_CUTOFFS } from '../../../shared/services/seed-fleet';
import { openBackend, QUEUE_DB_FILE, SALES_CSV_FILE } from '../../../shared/wiring/backend';
import { seedEmbeddedFleet } from '../../../shared/wiring/seed';
import { ensureTopology } from '../../../shared/wiring/topology-setup';

const ALCHEMIST = '9780722532935';
const TAP = 'test-metric-anomaly-alerts-tap';
const SERVED_CUTOFF = SEED_CUTOFFS[SEED_CUTOFFS.length - 1]!;
const BOOKS = catalogue(4);

/** Three hourly points per replayed week, on the Monday after it, as the hourly runs would have written them. */
function historyPoints(
  isbn: string,
  shift: { lastWeeks: number; factor: number } | undefined,
): MetricPoint[] {
  const book = BOOKS.find((b) => b.isbn === isbn)!;
  const observations = replayMetricHistory(generateSales(book, { seed: 42 }), {
    firstCutoff: addWeeks(SERVED_CUTOFF, -40),
    lastWeek: SERVED_CUTOFF,
  });
  return observations.flatMap((o, i) => {
    const f = shift && i >= observations.length - shift.lastWeeks ? shift.factor : 1;
    return [0, 1, 2].map((h) => ({
      isbn,
      at: new Date(Date.parse(`${o.week}T00:00:00Z`) + (48 + h) * 3_600_000).toISOString(),
      runId: `hc-history-${o.week}-${h}`,
      version: o.version.replaceAll('-', ''),
      status: 'healthy' as const,
      mape: Math.round(o.mape * f * 1000) / 1000,
      rmse: Math.round(o.rmse * f * 1000) / 1000,
      smape: Math.round(o.smape * 1000) / 1000,
    }));
  });
}

describe('metric_anomaly through the health check (embedded fleet)', () => {
  let stateDir: string;
  let env: Record<string, string>;
  let bus: SqliteEventBus;

  async function withPorts<T>(fn: (b: ReturnType<typeof openBackend>) => Promise<T>): Promise<T> {
    const backend = openBackend(loadConfig(env));
    try {
      return await fn(backend);
    } finally {
      await backend.close();
    }
  }

  async function writeHistory(isbn: string, shift?: { lastWeeks: number; factor: number }): Promise<number> {
    const points = historyPoints(isbn, shift);
    await withPorts((b) =>
      b.state.batchSet(
        points.map((p) => ({
          collection: COLLECTIONS.metricPoints,
          id: metricPointId(isbn, p.runId),
          data: p,
        })),
      ),
    );
    return points.length;
  }

  async function healthRun() {
    let stdout = '';
    const code = await main(['health', 'run', '--json'], {
      env,
      streams: { stdout: (s) => void (stdout += s), stderr: () => undefined },
    });
    return {
      code,
      doc: JSON.parse(stdout) as {
        alerts: Array<{ kind: string; isbn?: string }>;
        models: Array<{ isbn: string; status: string }>;
      },
    };
  }

  async function drain(): Promise<Alert[]> {
    const out: Alert[] = [];
    for (;;) {
      const msgs = await bus.pull(TAP, 100, 100);
      if (msgs.length === 0) return out;
      await bus.ack(
        TAP,
        msgs.map((m) => m.ackId),
      );
      for (const m of msgs) out.push(Alert.parse(JSON.parse(m.data.toString('utf8'))));
    }
  }

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-metric-anomaly-'));
    env = { FG_STATE_DIR: stateDir, FG_LOG_LEVEL: 'error' };
    const backend = openBackend(loadConfig(env));
    await seedEmbeddedFleet(
      { stateDir, salesCsv: join(stateDir, SALES_CSV_FILE), books: 4, seed: 42 },
      backend,
    );
    await ensureTopology(backend.bus);
    await backend.close();
    bus = SqliteEventBus.open(join(stateDir, QUEUE_DB_FILE));
    await bus.ensureSubscription({
      name: TAP,
      topic: 'alerts',
      ackDeadlineSeconds: 10,
      maxDeliveryAttempts: 5,
      minBackoffSeconds: 1,
      maxBackoffSeconds: 10,
    });
  }, 120_000);

  afterAll(async () => {
    await bus.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('raises no metric_anomaly on the healthy seeded books with their written history', async () => {
    for (const book of BOOKS) expect(await writeHistory(book.isbn)).toBeGreaterThanOrEqual(3 * 24);
    const res = await healthRun();
    expect(res.doc.alerts.filter((a) => a.kind === 'metric_anomaly')).toEqual([]);
    expect((await drain()).filter((a) => a.kind === 'metric_anomaly')).toEqual([]);
  }, 120_000);

  it('raises one metric_anomaly warning on alerts for the book whose latest points quadrupled, and for no other', async () => {
    await writeHistory(ALCHEMIST, { lastWeeks: 2, factor: 4 });
    // Nothing changed in the books' figures since the last run, which the step takes to mean "already
    // judged"; without the earlier reports this run judges every book afresh, as the first run did. The
    // first run also seeded each book's kept history (metric-observations) from its points, and the step
    // reads points only to seed: without those documents, this run seeds again, from the shifted points.
    await withPorts(async (b) => {
      for (const collection of [COLLECTIONS.healthReports, COLLECTIONS.metricObservations])
        for (const doc of await b.state.query(collection)) await b.state.delete(collection, doc.id);
    });
    const res = await healthRun();
    expect(res.doc.alerts.filter((a) => a.kind === 'metric_anomaly')).toEqual([
      expect.objectContaining({ kind: 'metric_anomaly', isbn: ALCHEMIST }),
    ]);
    expect(res.doc.models.find((m) => m.isbn === ALCHEMIST)?.status).toBe('degraded');
    const published = (await drain()).filter((a) => a.kind === 'metric_anomaly');
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      kind: 'metric_anomaly',
      severity: 'warning',
      status: 'firing',
      isbn: ALCHEMIST,
      modelVersion: '3',
      source: 'health-check',
      details: { method: 'mad', metrics: { mape: expect.objectContaining({ baselineObservations: 26 }) } },
    });
    expect(published[0]!.summary).toMatch(
      /^Metric anomaly on 9780722532935 v3: MAPE [\d.]+ % is above its usual/,
    );
  }, 120_000);
});
