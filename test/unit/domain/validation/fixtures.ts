/** Builders for the validation rule tests: predict responses as an endpoint answers them, and sales windows. */
import type { PredictResponse } from '../../../../shared/contracts/model';
import { addWeeks } from '../../../../shared/domain/series/weeks';

export const FIRST_WEEK = '2025-01-04';

/** A response to one instance of `steps` weeks from `version`, values from `value(week index)`. */
export function aResponse(
  version: string,
  steps: number,
  options: { intervals?: boolean; value?: (i: number) => number | null; width?: number } = {},
): PredictResponse {
  const value = options.value ?? ((i: number) => 100 - i * 0.5);
  const forecast = Array.from({ length: steps }, (_, i) => value(i));
  const weeks = Array.from({ length: steps }, (_, i) => addWeeks(FIRST_WEEK, i));
  const width = options.width ?? 10;
  return {
    predictions: [
      {
        forecast,
        model_version: version,
        weeks,
        ...(options.intervals
          ? {
              lower_bound: forecast.map((v) => (v === null ? null : Math.max(0, v - width))),
              upper_bound: forecast.map((v) => (v === null ? null : v + width)),
            }
          : {}),
      },
    ],
    deployedModelId: `9780722532935-v${version}`,
    modelVersionId: version,
  };
}

/** `weeks` consecutive Saturdays of sales ending at `through`, volume from `volume(i)`. */
export function aWindow(weeks: number, through: string, volume: (i: number) => number = () => 50) {
  return Array.from({ length: weeks }, (_, i) => ({
    weekEnding: addWeeks(through, i - weeks + 1),
    volume: volume(i),
  }));
}
