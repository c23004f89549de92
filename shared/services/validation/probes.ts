/**
 * The calls a validation makes besides the batch: the longest forecast the
 * version serves (for growth and the explanation), the previous version's
 * forecast (for the shift check), and the edge-case requests a healthy
 * endpoint must refuse cleanly.
 */
import { MAX_FORECAST_STEPS } from '../../contracts/model';
import type { DatedForecast } from '../../domain/validation/accuracy';
import { EDGE_CASES, unknownIsbn, type EdgeCaseOutcome } from '../../domain/validation/edge-cases';
import type { ServingState } from '../../contracts/model';
import type { ServingTarget } from '../../ports/serving-target';

/** The version's forecast for the endpoint's longest horizon, with its interval; undefined when refused. */
export async function longestForecast(
  serving: ServingTarget,
  isbn: string,
  version: string,
): Promise<DatedForecast | undefined> {
  try {
    const res = await serving.predict(
      isbn,
      [{ steps: MAX_FORECAST_STEPS, return_confidence_intervals: true }],
      { version },
    );
    const p = res.predictions[0];
    return p && Array.isArray(p.forecast) ? { version, weeks: p.weeks ?? [], values: p.forecast } : undefined;
  } catch {
    // A version that serves fewer weeks refuses this; the horizon check already says so.
    return undefined;
  }
}

/** The previous version's forecast, when it is still deployed on the endpoint (at any share). */
export async function previousForecast(
  serving: ServingTarget,
  state: ServingState,
  version: string | undefined,
): Promise<DatedForecast | undefined> {
  if (version === undefined || !state.deployments.some((d) => d.version === version)) return undefined;
  try {
    const res = await serving.predict(state.isbn, [{ steps: 52 }], { version });
    const p = res.predictions[0];
    return p ? { version, weeks: p.weeks, values: p.forecast } : undefined;
  } catch {
    return undefined;
  }
}

/** Sends every edge case (to the book under test, or to an ISBN with no model) and collects what came back. */
export async function runEdgeCases(
  serving: ServingTarget,
  isbn: string,
  knownIsbns: ReadonlySet<string>,
): Promise<EdgeCaseOutcome[]> {
  const stranger = unknownIsbn(knownIsbns);
  const out: EdgeCaseOutcome[] = [];
  for (const edgeCase of EDGE_CASES) {
    try {
      const response = await serving.predict(
        edgeCase.target === 'self' ? isbn : stranger,
        edgeCase.instances,
      );
      out.push({ edgeCase, response });
    } catch (error) {
      out.push({ edgeCase, error });
    }
  }
  return out;
}
