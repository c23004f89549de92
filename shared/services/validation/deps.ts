/**
 * What the validation service needs: its ports (adapters, a clock, ids, a
 * logger) and its settings (the environment whose thresholds apply, threshold
 * overrides, tuning). The post-deploy function and the CLI map the settings
 * from Config in shared/wiring/validation.ts; the service reaches for nothing else.
 */
import type { Environment } from '../../contracts/primitives';
import type { ArimaSanityLimits } from '../../domain/validation/arima-sanity';
import { DEFAULT_MIN_PREDICTIONS } from '../../domain/validation/batch-plan';
import { DEFAULT_LATENCY_BUDGET_MS } from '../../domain/validation/latency';
import type { RangeLimits } from '../../domain/validation/response-checks';
import type { ThresholdOverrides } from '../../domain/thresholds';
import { ValidationError } from '../../errors';
import type { Logger } from '../../logging/logger';
import type { Clock, IdGenerator } from '../../ports/clock';
import type { PublisherFor } from '../../ports/event-bus';
import type { ModelRegistry } from '../../ports/model-registry';
import type { SalesData } from '../../ports/sales-data';
import type { ServingTarget } from '../../ports/serving-target';
import type { StateStore } from '../../ports/state-store';

export interface ValidationOptions {
  /** Predictions one run makes at least, across the versions it validates. */
  minPredictions: number;
  /** Prediction calls in flight at once. */
  concurrency: number;
  /** p95 latency a healthy endpoint stays within. */
  latencyBudgetMs: number;
  /** Versions a fleet run prepares and finishes at once. */
  fleetConcurrency: number;
  /** Median forecast ratio to the previous version beyond which a version has shifted implausibly. */
  shiftFactor: number;
  range: Partial<RangeLimits>;
  arima: Partial<ArimaSanityLimits>;
}

export const DEFAULT_VALIDATION_OPTIONS: Readonly<ValidationOptions> = Object.freeze({
  minPredictions: DEFAULT_MIN_PREDICTIONS,
  concurrency: 8,
  latencyBudgetMs: DEFAULT_LATENCY_BUDGET_MS,
  fleetConcurrency: 2,
  shiftFactor: 3,
  range: {},
  arima: {},
});

/** The adapters the service calls, with its clock, ids and logger. */
export interface ValidationPorts {
  registry: ModelRegistry;
  serving: ServingTarget;
  sales: SalesData;
  state: StateStore;
  bus: PublisherFor<'post-deploy-validation'>;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  /** Monotonic milliseconds for latencies; `performance.now` by default. */
  monotonic?: () => number;
}

/** Plain values, mapped from Config in wiring (shared/wiring/validation.ts). */
export interface ValidationSettings {
  /** Whose thresholds apply (the deployment's environment). */
  environment: Environment;
  overrides?: ThresholdOverrides;
  options?: Partial<ValidationOptions>;
}

/** Ports and settings together: what the steps inside the service hand one another. */
export type ValidationDeps = ValidationPorts & ValidationSettings;

/** The options with defaults filled in, checked (a bad value names itself). */
export function validationOptions(deps: Pick<ValidationDeps, 'options'>): ValidationOptions {
  const o = { ...DEFAULT_VALIDATION_OPTIONS, ...deps.options };
  const whole = (name: keyof ValidationOptions, min: number, max: number) => {
    const v = o[name] as number;
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new ValidationError(
        `validation ${name} must be a whole number from ${min} to ${max} (got ${v})`,
        [name],
      );
    }
  };
  whole('minPredictions', 0, 1_000_000);
  whole('concurrency', 1, 256);
  whole('fleetConcurrency', 1, 64);
  if (!(o.latencyBudgetMs > 0)) {
    throw new ValidationError(`validation latencyBudgetMs must be > 0 (got ${o.latencyBudgetMs})`, [
      'latencyBudgetMs',
    ]);
  }
  return o;
}

export { mapLimit } from '../bounded';
