/**
 * Prediction requests and answers in both shapes a book endpoint may speak:
 *
 * - forecast-guard's own (the local server, `seed`): a prediction is
 *   `{forecast, lower_bound?, upper_bound?, model_version, weeks}`;
 * - the publisher's serving container (its `ARIMAPredictor.predict`, see
 *   test/fixtures/gcp-formats/9-publisher-pipeline/predictor.predict.json):
 *   a prediction is `{forecast, confidence_intervals: {lower, upper,
 *   confidence_level} | null, steps, model_name, isbn, forecast_type,
 *   model_params}`, and a failed INSTANCE is `{error, instance_index}` inside
 *   an HTTP 200 answer, so every element is tested for `error` first.
 *
 * The container returns no dates: the weeks are derived from the answering
 * version's training window (week k is `trainedThrough` + 7k days, the same
 * rule `forecastWeeks` applies to stored forecasts).
 */
import { z } from 'zod';
import type { Prediction, PredictInstance } from '../../contracts/model';
import { ForecastValue, Prediction as OwnPrediction } from '../../contracts/model';
import { forecastWeeks } from '../../domain/predict';
import { BackendUnavailableError } from '../../errors';
import { VERTEX_BACKEND } from './vertex-errors';

/** Our bounds are 95 % intervals; the container is asked for the same level. */
export const CONFIDENCE_LEVEL = 0.95;

/** One instance as both shapes read it: the container wants `confidence_level` beside the flag. */
export function containerInstance(instance: PredictInstance): Record<string, unknown> {
  const out: Record<string, unknown> = { steps: instance.steps };
  if (instance.return_confidence_intervals === true) {
    out.return_confidence_intervals = true;
    out.confidence_level = CONFIDENCE_LEVEL;
  }
  return out;
}

/** A prediction as the publisher's container returns it. */
export const ContainerPrediction = z.object({
  forecast: z.array(ForecastValue),
  confidence_intervals: z
    .object({
      lower: z.array(ForecastValue),
      upper: z.array(ForecastValue),
      confidence_level: z.number().optional(),
    })
    .nullable()
    .optional(),
  steps: z.unknown().optional(),
  model_name: z.string().nullable().optional(),
  isbn: z.string().nullable().optional(),
  forecast_type: z.string().optional(),
  model_params: z.unknown().optional(),
});

/** A failed instance as the container returns it (inside a successful call). */
export const ContainerFailure = z.object({
  error: z.string(),
  instance_index: z.number().optional(),
});

/** Who answered and what is known about its version: enough to date the weeks and name the answer. */
export interface Answerer {
  deployedModelId: string;
  /** Our version id of the answering deployment. */
  version: string;
  /** The version's last training week; needed only for the container's dateless answers. */
  trainedThrough?: () => Promise<string | undefined>;
}

/**
 * The answer's elements as our Predictions. A failed instance is a
 * BackendUnavailableError (not retryable) naming the instance and the
 * container's own message; an element of neither shape is one too.
 */
export async function predictionsFrom(raw: readonly unknown[], answerer: Answerer): Promise<Prediction[]> {
  const out: Prediction[] = [];
  let trainedThrough: string | undefined;
  for (const [index, element] of raw.entries()) {
    const failure = ContainerFailure.safeParse(element);
    if (failure.success) throw failedInstance(failure.data, index, answerer);
    const own = OwnPrediction.safeParse(element);
    if (own.success) {
      // The endpoint knows only the Model's versionId ("1" for every pipeline upload); the book's version is ours.
      out.push({ ...own.data, model_version: answerer.version });
      continue;
    }
    const container = ContainerPrediction.safeParse(element);
    if (!container.success) {
      const issue = own.error.issues[0];
      throw broken(
        `prediction ${index} from deployed model ${answerer.deployedModelId} is not a forecast (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unreadable'})`,
      );
    }
    trainedThrough ??= await answerer.trainedThrough?.();
    if (trainedThrough === undefined) {
      throw broken(
        `prediction ${index} from deployed model ${answerer.deployedModelId} has no dates, and version ${answerer.version}'s training window (trainedThrough) is unknown`,
      );
    }
    out.push(fromContainer(container.data, answerer.version, trainedThrough));
  }
  return out;
}

/** One container prediction as ours: weeks from the training window, bounds from the intervals. */
export function fromContainer(
  p: z.infer<typeof ContainerPrediction>,
  version: string,
  trainedThrough: string,
): Prediction {
  const prediction: Prediction = {
    forecast: p.forecast,
    model_version: version,
    weeks: forecastWeeks(trainedThrough, p.forecast.length),
  };
  if (p.confidence_intervals) {
    prediction.lower_bound = p.confidence_intervals.lower;
    prediction.upper_bound = p.confidence_intervals.upper;
  }
  return prediction;
}

function failedInstance(
  failure: z.infer<typeof ContainerFailure>,
  index: number,
  answerer: Answerer,
): BackendUnavailableError {
  const which = failure.instance_index ?? index;
  return broken(
    `instances[${which}] failed in the serving container of deployed model ${answerer.deployedModelId} (version ${answerer.version}): ${failure.error}`,
  );
}

function broken(message: string): BackendUnavailableError {
  return new BackendUnavailableError(`Vertex AI: ${message}`, VERTEX_BACKEND, { retryable: false });
}
