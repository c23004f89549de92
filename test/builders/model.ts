/**
 * Builders for valid model-world test data: ISBN-13s, stored forecasts,
 * registrations, versions, quarantine marks and pipeline runs. Every default
 * passes the contract schemas; override only what a test is about.
 */
import { randomInt } from 'node:crypto';
import type {
  ModelVersion,
  NewModelVersion,
  PipelineRun,
  Quarantine,
  StoredForecast,
} from '../../shared/contracts/model';
import { isbn13CheckDigit } from '../../shared/domain/isbn';

/** A Saturday: the week-ending date builders train through, so forecasts start on 2024-05-04. */
export const TRAINED_THROUGH = '2024-04-27';
export const FIRST_FORECAST_WEEK = '2024-05-04';

/** The n-th valid ISBN-13 with a 978 (or 979) prefix: the same n always gives the same ISBN. */
export function isbnFor(n: number, prefix: '978' | '979' = '978'): string {
  const first12 = prefix + String(Math.abs(Math.trunc(n)) % 1_000_000_000).padStart(9, '0');
  return first12 + String(isbn13CheckDigit(first12));
}

// A random start per process: suites that share a backend (emulators, a local MLflow) never reuse a book.
let nextIsbnNumber = randomInt(0, 900_000_000);

/** A valid ISBN-13 no earlier call in this process returned. */
export function nextIsbn(): string {
  nextIsbnNumber += 1;
  return isbnFor(nextIsbnNumber);
}

export interface ForecastShape {
  /** Weeks forecast (default 104, the endpoint's maximum horizon). */
  weeks?: number;
  /** Mean sales in the first week (default 120). */
  level?: number;
  /** Change in the mean per week (default -0.5: a backlist title slowly fading). */
  trend?: number;
  /** Half-width of the 95 % interval in week 1; it widens 2 % a week, as ARIMA intervals do. */
  width?: number;
}

/** A stored forecast whose every value is a number (what a healthy model stores). */
export type NumericForecast = StoredForecast & { mean: number[]; lower: number[]; upper: number[] };

/** A deterministic, ordered (lower ≤ mean ≤ upper) forecast with a yearly ripple. */
export function aForecast(shape: ForecastShape = {}): NumericForecast {
  const { weeks = 104, level = 120, trend = -0.5, width = 15 } = shape;
  const mean: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  for (let i = 0; i < weeks; i++) {
    const m = Math.max(0, level + trend * i + 0.1 * level * Math.sin((2 * Math.PI * i) / 52));
    const w = width * (1 + 0.02 * i);
    mean.push(Number(m.toFixed(3)));
    lower.push(Number(Math.max(0, m - w).toFixed(3)));
    upper.push(Number((m + w).toFixed(3)));
  }
  return { mean, lower, upper };
}

/** A registration as a training pipeline would send it. */
export function aNewModelVersion(overrides: Partial<NewModelVersion> = {}): NewModelVersion {
  return {
    isbn: nextIsbn(),
    createdAt: '2024-05-01T10:00:00.000Z',
    metrics: { rmse: 42.5, mape: 12.25, smape: 11.5, holdoutWeeks: 32 },
    params: { order: [2, 1, 1], seasonalOrder: [0, 1, 1, 52] },
    dataHash: 'sha256:5d41402abc4b2a76b9719d911017c592',
    trainedThrough: TRAINED_THROUGH,
    pipelineRunId: 'arima-weekly-20240501',
    // Label keys and values that Vertex AI also accepts (lowercase, digits, '-', '_').
    labels: { trainer: 'builder', cadence: 'weekly' },
    forecast: aForecast(),
    ...overrides,
  };
}

/** A registered version, as a registry returns it. */
export function aModelVersion(overrides: Partial<ModelVersion> = {}): ModelVersion {
  const { forecast: _forecast, ...registration } = aNewModelVersion();
  return {
    ...registration,
    createdAt: registration.createdAt ?? '2024-05-01T10:00:00.000Z',
    version: '1',
    aliases: [],
    ...overrides,
  };
}

/** A quarantine mark left by post-deploy validation. */
export function aQuarantine(overrides: Partial<Quarantine> = {}): Quarantine {
  return {
    reason: 'post-deploy validation failed: MAPE 61.2 % above 30 %',
    at: '2024-05-01T11:00:00.000Z',
    by: 'post-deploy-validation',
    reportId: 'validation-20240501-1100',
    ...overrides,
  };
}

let nextRunNumber = randomInt(0, 1_000_000);

/** A succeeded training run; ids are unique within the process. */
export function aPipelineRun(overrides: Partial<PipelineRun> = {}): PipelineRun {
  nextRunNumber += 1;
  return {
    id: `arima-weekly-${nextRunNumber}`,
    pipelineName: 'arima-weekly-training',
    state: 'PIPELINE_STATE_SUCCEEDED',
    startTime: '2024-05-01T09:00:00.000Z',
    endTime: '2024-05-01T09:40:00.000Z',
    registered: [],
    ...overrides,
  };
}
