/**
 * A small embedded world for health-check service tests, built through the
 * ports on a temp dir: three catalogue books with realistic weekly sales to
 * 2024-12-28, one version each trained through 2024-11-30 whose forecast for
 * the live weeks is the actual sales (a model doing as well as it can), a
 * recent successful pipeline run, and a tap on `alerts`.
 */
import { join } from 'node:path';
import { CsvSalesData } from '../../../../shared/adapters/local/csv-sales-data';
import type { SqliteEventBus } from '../../../../shared/adapters/local/sqlite-event-bus';
import type { SqliteModelRegistry } from '../../../../shared/adapters/local/sqlite-model-registry';
import type { SqlitePipelineMonitor } from '../../../../shared/adapters/local/sqlite-pipeline-monitor';
import type { SqliteServingTarget } from '../../../../shared/adapters/local/sqlite-serving-target';
import type { SqliteStateStore } from '../../../../shared/adapters/local/sqlite-state-store';
import type { Alert } from '../../../../shared/contracts/messages/alert';
import type { SalesSeries, StoredForecast } from '../../../../shared/contracts/model';
import { catalogue } from '../../../../shared/fleet/catalogue';
import { generateSales } from '../../../../shared/fleet/sales-generator';
import { toSalesRows, writeSalesCsv } from '../../../../shared/fleet/sales-csv';
import { trainingDataHash } from '../../../../shared/domain/series/data-hash';
import { addWeeks } from '../../../../shared/domain/series/weeks';
import { createCapturingLogger, type CapturedLogs } from '../../../../shared/logging/capture';
import type { Clock } from '../../../../shared/ports/clock';
import type { HealthCheckDeps, HealthCheckSettings } from '../../../../shared/services/health-check';
import { healthCheckSettings } from '../../../../shared/wiring/health-check';
import { loadConfig } from '../../../../shared/config';
import { embeddedWorld } from '../../../helpers/embedded-world';

export const TRAINED_THROUGH = '2024-11-30';
export const NOW = '2025-01-01T09:00:00.000Z';
const TAP = 'test-health-alerts-tap';

export interface World {
  dir: string;
  clock: Clock & { set(iso: string): void };
  logs: CapturedLogs;
  registry: SqliteModelRegistry;
  serving: SqliteServingTarget;
  pipelines: SqlitePipelineMonitor;
  state: SqliteStateStore;
  bus: SqliteEventBus;
  sales: CsvSalesData;
  series: SalesSeries[];
  isbns: string[];
  deps: HealthCheckDeps;
  settings(overrides?: Partial<HealthCheckSettings>, env?: Record<string, string>): HealthCheckSettings;
  /** Registers a copy of the book's version 1 whose live forecast is `factor` × actual + `plus`, and serves it. */
  serveBroken(isbn: string, factor?: number, plus?: number): Promise<string>;
  /** Alerts published since the last call, with their attributes. */
  published(): Promise<Array<{ alert: Alert; attributes: Record<string, string> }>>;
  close(): Promise<void>;
}

function forecastFrom(series: SalesSeries, factor: number, plus: number): StoredForecast {
  const byWeek = new Map(series.points.map((p) => [p.weekEnding, p.volume]));
  const mean = Array.from({ length: 52 }, (_, i) => {
    const actual = byWeek.get(addWeeks(TRAINED_THROUGH, i + 1)) ?? 100;
    return actual * factor + plus;
  });
  return { mean, lower: mean.map((m) => m * 0.8), upper: mean.map((m) => m * 1.2) };
}

export async function buildWorld(books = 3): Promise<World> {
  let now = Date.parse(NOW);
  const clock = {
    now: () => new Date(now),
    sleep: async () => undefined,
    set: (iso: string) => void (now = Date.parse(iso)),
  };
  const world = await embeddedWorld({ prefix: 'fg-health-', clock, taps: { [TAP]: 'alerts' } });
  const { dir, registry, serving, pipelines, state, bus } = world;
  const series = catalogue(books).map((b) => generateSales(b, { seed: 42, from: '2018', to: '2024' }));
  const csv = join(dir, 'sales.csv');
  await writeSalesCsv(csv, toSalesRows(series));
  const sales = new CsvSalesData(csv);
  for (const s of series) {
    const v = await registry.registerVersion({
      isbn: s.isbn,
      createdAt: '2024-12-02T06:00:00.000Z',
      metrics: { rmse: 12, mape: 14, holdoutWeeks: 32 },
      dataHash: trainingDataHash(s.isbn, s.points, TRAINED_THROUGH),
      trainedThrough: TRAINED_THROUGH,
      forecast: forecastFrom(s, 1, 0),
    });
    await serving.setTraffic(s.isbn, { [v.version]: 100 });
    await registry.setAlias(s.isbn, 'production', v.version);
  }
  await pipelines.recordRun({
    id: 'arima-weekly-20241230',
    pipelineName: 'arima-weekly-training',
    state: 'PIPELINE_STATE_SUCCEEDED',
    startTime: '2024-12-30T06:00:00.000Z',
    endTime: '2024-12-30T06:40:00.000Z',
  });
  const logs = createCapturingLogger({ component: 'health-check' });
  const deps: HealthCheckDeps = {
    registry,
    serving,
    pipelines,
    sales,
    state,
    bus,
    clock,
    logger: logs.logger,
  };
  return {
    dir,
    clock,
    logs,
    registry,
    serving,
    pipelines,
    state,
    bus,
    sales,
    series,
    isbns: series.map((s) => s.isbn),
    deps,
    settings: (overrides = {}, env = {}) =>
      healthCheckSettings(loadConfig({ FG_STATE_DIR: dir, ...env }), overrides),
    async serveBroken(isbn, factor = 2.5, plus = 40) {
      const base = (await registry.getVersion(isbn, '1'))!;
      const s = series.find((x) => x.isbn === isbn)!;
      const v = await registry.registerVersion({
        isbn,
        metrics: base.metrics,
        dataHash: base.dataHash,
        trainedThrough: base.trainedThrough,
        forecast: forecastFrom(s, factor, plus),
      });
      await serving.setTraffic(isbn, { [v.version]: 100 });
      return v.version;
    },
    async published() {
      const out = await world.drain(TAP);
      return out.map((m) => ({
        alert: JSON.parse(m.data.toString('utf8')) as Alert,
        attributes: m.attributes,
      }));
    },
    close: world.close,
  };
}
