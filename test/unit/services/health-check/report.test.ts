import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStateStore, stateDbPath } from '../../../../shared/adapters/local/sqlite-state-store';
import { COLLECTIONS } from '../../../../shared/contracts/collections';
import type { HealthReport, ModelHealth } from '../../../../shared/contracts/documents/health-report';
import { createCapturingLogger } from '../../../../shared/logging/capture';
import { firestoreSize } from '../../../../shared/ports/state-store';
import {
  fitReportToBudget,
  readPreviousReport,
  writeReport,
} from '../../../../shared/services/health-check/report';
import { loadConfig } from '../../../../shared/config';
import { healthCheckSettings } from '../../../../shared/wiring/health-check';
import { isbnFor } from '../../../builders/model';

function model(n: number, status: ModelHealth['status'] = 'healthy'): ModelHealth {
  return {
    isbn: isbnFor(n),
    version: '3',
    rmse: 10.123,
    mape: 12.5,
    baselineRmse: 9.8,
    baselineMape: 11.2,
    status,
  };
}

function report(runId: string, startedAt: string, overrides: Partial<HealthReport> = {}): HealthReport {
  return {
    runId,
    trigger: 'schedule',
    startedAt,
    finishedAt: startedAt,
    durationMs: 10,
    status: 'healthy',
    registry: { ok: true, latencyMs: 1 },
    models: [],
    alerts: [],
    correlationId: `corr-${runId}`,
    ...overrides,
  };
}

describe('fitReportToBudget', () => {
  it('keeps everything when it fits', () => {
    const fitted = fitReportToBudget(
      [{ kind: 'data_stale', severity: 'warning' }],
      [model(1), model(2)],
      100_000,
    );
    expect(fitted).toMatchObject({ omittedAlerts: 0, omittedModels: 0 });
    expect(fitted.models).toHaveLength(2);
  });

  it('keeps alerts (criticals first), then unhealthy and degraded models, then healthy ones in ISBN order', () => {
    const models = [model(5), model(4, 'degraded'), model(3), model(2, 'unhealthy'), model(1)];
    const alerts = [
      { kind: 'data_drift' as const, severity: 'warning' as const, isbn: isbnFor(4) },
      { kind: 'rmse_spike' as const, severity: 'critical' as const, isbn: isbnFor(2) },
    ];
    const perModel = firestoreSize(model(1));
    const perAlert = firestoreSize(alerts[1]);
    const fitted = fitReportToBudget(alerts, models, 2 * perAlert + 3 * perModel + 5);
    expect(fitted.alerts.map((a) => a.kind)).toEqual(['rmse_spike', 'data_drift']);
    expect(fitted.models.map((m) => m.isbn)).toEqual([isbnFor(2), isbnFor(4), isbnFor(1)]);
    expect(fitted).toMatchObject({ omittedAlerts: 0, omittedModels: 2 });
  });

  it('keeps all of 5,000 models’ figures, under one Firestore document (1 MiB), at the default budget', () => {
    const models = Array.from({ length: 5000 }, (_, i) => ({
      ...model(i),
      smape: 12,
      mase: 0.9,
      canaryLatencyMs: 0.123,
    }));
    const fitted = fitReportToBudget([], models, healthCheckSettings(loadConfig({})).reportBudgetBytes);
    expect(fitted.omittedModels).toBe(0);
    expect(firestoreSize({ models: fitted.models })).toBeLessThan(1_048_576 - 40_000);
  });

  it('counts sizes as Firestore does', () => {
    expect(firestoreSize('abc')).toBe(4);
    expect(firestoreSize(1.5)).toBe(8);
    expect(firestoreSize(null)).toBe(1);
    expect(firestoreSize({ ab: [1, 'x'] })).toBe(3 + 8 + 2);
  });
});

describe('readPreviousReport / writeReport', () => {
  let dir: string;
  let state: SqliteStateStore;
  // Reports expire: the store decides what is visible by its clock, so it reads this one, not today's date.
  let nowMs: number;
  const clock = { now: () => new Date(nowMs), sleep: async () => undefined };
  beforeEach(() => {
    nowMs = Date.parse('2025-01-01T12:00:00.000Z');
    dir = mkdtempSync(join(tmpdir(), 'fg-health-report-'));
    state = new SqliteStateStore(stateDbPath(dir), { clock });
  });
  afterEach(async () => {
    await state.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the latest report by start time other than this run’s own', async () => {
    await writeReport(state, report('hc-a', '2025-01-01T08:00:00.000Z'));
    await writeReport(state, report('hc-c', '2025-01-01T10:00:00.000Z'));
    await writeReport(state, report('hc-b', '2025-01-01T09:00:00.000Z'));
    const { logger } = createCapturingLogger();
    expect((await readPreviousReport(state, 'hc-new', logger))?.runId).toBe('hc-c');
    expect((await readPreviousReport(state, 'hc-c', logger))?.runId).toBe('hc-b');
  });

  it('ignores, with a warning naming the field, a previous report that no longer parses', async () => {
    await state.set(COLLECTIONS.healthReports, 'hc-bad', {
      ...report('hc-bad', '2025-01-01T08:00:00.000Z'),
      status: 'fine',
    });
    const logs = createCapturingLogger();
    expect(await readPreviousReport(state, 'hc-new', logs.logger)).toBeUndefined();
    expect(logs.messages()[0]).toMatch(/previous report ignored: HealthReport hc-bad is invalid: status/);
  });

  it('writes expireAt 30 days after the run finished, and the store hides the report from then on', async () => {
    await writeReport(
      state,
      report('hc-a', '2025-01-01T08:00:00.000Z', { finishedAt: '2025-01-01T08:00:05.000Z' }),
    );
    expect((await state.get(COLLECTIONS.healthReports, 'hc-a'))?.data).toMatchObject({
      runId: 'hc-a',
      expireAt: '2025-01-31T08:00:05.000Z',
    });
    const { logger } = createCapturingLogger();
    nowMs = Date.parse('2025-01-31T08:00:04.999Z');
    expect((await readPreviousReport(state, 'hc-new', logger))?.runId).toBe('hc-a');
    nowMs = Date.parse('2025-01-31T08:00:05.000Z');
    expect(await state.get(COLLECTIONS.healthReports, 'hc-a')).toBeUndefined();
    expect(await readPreviousReport(state, 'hc-new', logger)).toBeUndefined();
  });

  it('refuses to write an invalid report, naming the field', async () => {
    await expect(writeReport(state, report('hc-x', 'yesterday'))).rejects.toThrow(/startedAt/);
    expect(await state.get(COLLECTIONS.healthReports, 'hc-x')).toBeUndefined();
  });
});
