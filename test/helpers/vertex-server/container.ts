/**
 * A stand-in for the publisher's serving container (their
 * deploy/predictor/predictor.py, ARIMAPredictor.predict), answering for
 * Models the pipeline uploaded — the ones without forecast-guard metadata.
 * Shapes from test/fixtures/gcp-formats/9-publisher-pipeline/predictor.predict.json:
 *
 *   instance  {steps = 12, return_confidence_intervals = false, confidence_level = 0.95}
 *   success   {forecast, confidence_intervals: {lower, upper, confidence_level} | null,
 *              steps, model_name, isbn, forecast_type: 'SARIMA', model_params}
 *   failure   {error, model_name, isbn, instance_index}  — an element of predictions[];
 *              the call itself still succeeds (HTTP 200 / gRPC OK).
 *
 * What the model forecasts is the test's choice (ContainerBehaviour), set per
 * Model when seeding; intervals are Gaussian around it, widening with the
 * square root of the horizon, as statsmodels' get_forecast().conf_int() does
 * for a random-walk-like error.
 */
import { normalQuantile } from '../../../shared/domain/health/statistics';

export interface ContainerBehaviour {
  /** Weekly forecast for `step` weeks after the end of training (1 = the first week). */
  forecast: (step: number) => number;
  /** Multiplies every forecast: a degraded model is off by this factor. Default 1. */
  factor?: number;
  /** Standard deviation of the one-week error. Default 10 % of the first week's forecast. */
  sigma?: number;
  /** `model_params.order` / `seasonal_order`; defaults follow the fixture ([1,0,0], [2,0,1,52]). */
  order?: [number, number, number];
  seasonalOrder?: [number, number, number, number];
}

/** Who the container says it is: from the MLflow URI it loaded (`arima_book_<ISBN>`). */
export interface ContainerIdentity {
  modelName: string;
  isbn: string | null;
}

/** A forecast when the test set none: a steady level derived from the ISBN, so books differ. */
export function defaultBehaviour(isbn: string | null): ContainerBehaviour {
  const level = 200 + (Number((isbn ?? '0').slice(-3)) || 0);
  return { forecast: () => level };
}

type Instance = Record<string, unknown>;

/** The error text statsmodels gives for a non-integer horizon (illustrative, as in the fixture). */
const BAD_STEPS = 'The `end` argument could not be matched to a location related to the index of the data.';

function pythonType(value: unknown): string {
  if (value === null) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'boolean') return 'bool';
  return 'dict';
}

/** One instance's answer, or the error its failure raises (caught per instance by the predictor). */
function predictOne(instance: unknown, behaviour: ContainerBehaviour): Instance {
  if (instance === null || typeof instance !== 'object' || Array.isArray(instance)) {
    throw new Error(`'${pythonType(instance)}' object has no attribute 'get'`);
  }
  const raw = instance as Instance;
  const steps = raw.steps ?? 12;
  if (typeof steps !== 'number' || !Number.isInteger(steps)) throw new Error(BAD_STEPS);
  if (steps < 1) throw new Error('Prediction must have `end` after `start`.');
  const withIntervals = Boolean(raw.return_confidence_intervals ?? false);
  const level = raw.confidence_level ?? 0.95;
  const factor = behaviour.factor ?? 1;
  const forecast = Array.from({ length: steps }, (_, i) => behaviour.forecast(i + 1) * factor);
  let intervals: Instance | null = null;
  if (withIntervals) {
    if (typeof level !== 'number' || !(level > 0 && level < 1))
      throw new Error(`alpha must be between 0 and 1, got ${JSON.stringify(1 - Number(level))}`);
    const z = normalQuantile(1 - (1 - level) / 2);
    const sigma = behaviour.sigma ?? Math.abs(forecast[0] ?? 0) * 0.1;
    const half = forecast.map((_, i) => z * sigma * Math.sqrt(i + 1));
    intervals = {
      lower: forecast.map((f, i) => f - (half[i] as number)),
      upper: forecast.map((f, i) => f + (half[i] as number)),
      confidence_level: level,
    };
  }
  return {
    forecast,
    confidence_intervals: intervals,
    steps,
    forecast_type: 'SARIMA',
    model_params: {
      order: behaviour.order ?? [1, 0, 0],
      seasonal_order: behaviour.seasonalOrder ?? [2, 0, 1, 52],
      trend: null,
    },
  };
}

/** The predictions[] the container returns for `instances`: one success or failure element each. */
export function containerPredictions(
  instances: unknown[],
  behaviour: ContainerBehaviour,
  who: ContainerIdentity,
): Instance[] {
  return instances.map((instance, index) => {
    try {
      const { forecast, confidence_intervals, steps, forecast_type, model_params } = predictOne(
        instance,
        behaviour,
      );
      // Key order as the predictor builds its dict.
      return {
        forecast,
        confidence_intervals,
        steps,
        model_name: who.modelName,
        isbn: who.isbn,
        forecast_type,
        model_params,
      };
    } catch (err) {
      return {
        error: err instanceof Error ? err.message : String(err),
        model_name: who.modelName,
        isbn: who.isbn,
        instance_index: index,
      };
    }
  });
}
