/**
 * Answering prediction instances from a version's stored forecast — the
 * embedded endpoint's "model". Pure: the forecast, its start and the
 * instances come in, Vertex-shaped predictions go out.
 */
import type { PredictInstance as PredictInstanceType, Prediction, StoredForecast } from '../contracts/model';
import { MAX_FORECAST_STEPS, PredictInstance } from '../contracts/model';
import { describeIssues } from '../contracts/issues';
import { ValidationError } from '../errors';
import { addWeeks, isIsoDate, isSaturday, saturdayOnOrAfter } from './series/weeks';

/** How many problems a message spells out before it only counts the rest. */
const PROBLEMS_SHOWN = 5;

/**
 * Checks raw instances against `PredictInstance` and a horizon of at most
 * `maxSteps` weeks (the endpoint's limit, or a shorter stored forecast).
 * Throws one ValidationError whose message names each bad instance and field,
 * e.g. `instances[3].steps: must be at least 1, got 0`, and whose `fields`
 * lists them all.
 */
export function validateInstances(instances: unknown, maxSteps = MAX_FORECAST_STEPS): PredictInstanceType[] {
  if (!Array.isArray(instances)) {
    throw new ValidationError('instances: must be an array of {"steps": N} objects', ['instances']);
  }
  if (instances.length === 0) {
    throw new ValidationError('instances: must hold at least one instance', ['instances']);
  }
  const problems: string[] = [];
  const fields: string[] = [];
  const parsed: PredictInstanceType[] = [];
  instances.forEach((raw, index) => {
    const result = PredictInstance.safeParse(raw, { reportInput: true });
    if (!result.success) {
      for (const problem of describeIssues(result.error.issues)) {
        const field =
          problem.path === '(root)' ? `instances[${index}]` : `instances[${index}].${problem.path}`;
        problems.push(`${field}: ${problem.reason}`);
        fields.push(field);
      }
      return;
    }
    if (result.data.steps > maxSteps) {
      const field = `instances[${index}].steps`;
      problems.push(
        `${field}: must be at most ${maxSteps}, the forecast's horizon (got ${result.data.steps})`,
      );
      fields.push(field);
      return;
    }
    parsed.push(result.data);
  });
  if (problems.length > 0) {
    const more = problems.length > PROBLEMS_SHOWN ? ` (and ${problems.length - PROBLEMS_SHOWN} more)` : '';
    throw new ValidationError(problems.slice(0, PROBLEMS_SHOWN).join('; ') + more, fields);
  }
  return parsed;
}

/** The `count` Saturdays (ISO dates) strictly after `trainedThrough`: the weeks a forecast covers. */
export function forecastWeeks(trainedThrough: string, count: number): string[] {
  if (!isIsoDate(trainedThrough)) {
    throw new ValidationError(`trainedThrough: must be an ISO date, YYYY-MM-DD (got "${trainedThrough}")`, [
      'trainedThrough',
    ]);
  }
  // Training through a Saturday means the forecast starts the week after; any other day, on the coming Saturday.
  const first = isSaturday(trainedThrough) ? addWeeks(trainedThrough, 1) : saturdayOnOrAfter(trainedThrough);
  return Array.from({ length: count }, (_, i) => addWeeks(first, i));
}

/** What `answerInstances` needs to know about the serving version. */
export interface ForecastSource {
  version: string;
  trainedThrough: string;
  forecast: StoredForecast;
}

/**
 * One prediction per instance: the first `steps` weeks of the stored mean,
 * the interval only when asked for, and the week-ending dates. Instances must
 * already be valid for this forecast's horizon (see `validateInstances`).
 */
export function answerInstances(
  instances: readonly PredictInstanceType[],
  source: ForecastSource,
): Prediction[] {
  const longest = instances.reduce((max, i) => Math.max(max, i.steps), 0);
  if (longest > source.forecast.mean.length) {
    throw new ValidationError(
      `instances: asked for ${longest} weeks but version ${source.version} has ${source.forecast.mean.length}`,
      ['instances'],
    );
  }
  // Dates are worked out once for the longest horizon and sliced per instance: 1,000 instances stay cheap.
  const weeks = forecastWeeks(source.trainedThrough, longest);
  const { mean, lower, upper } = source.forecast;
  return instances.map((instance) => {
    const prediction: Prediction = {
      forecast: mean.slice(0, instance.steps),
      model_version: source.version,
      weeks: weeks.slice(0, instance.steps),
    };
    if (instance.return_confidence_intervals === true) {
      prediction.lower_bound = lower.slice(0, instance.steps);
      prediction.upper_bound = upper.slice(0, instance.steps);
    }
    return prediction;
  });
}
