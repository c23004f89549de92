/**
 * Runs a validation batch through `ServingTarget.predict`, pinned to each
 * request's version, with at most `concurrency` calls in flight, timing each
 * call. Every outcome (answer or error) goes to `onOutcome` as it arrives,
 * so a 10,000-prediction batch is judged without keeping the responses.
 */
import type { PlannedRequest } from '../../domain/validation/batch-plan';
import type { RequestOutcome } from '../../domain/validation/response-checks';
import type { ServingTarget } from '../../ports/serving-target';
import { mapLimit } from './deps';

export interface BatchOptions {
  concurrency: number;
  monotonic: () => number;
  onOutcome(request: PlannedRequest, outcome: RequestOutcome, latencyMs: number): void;
}

/** The batch's wall time, in milliseconds. */
export async function runBatch(
  requests: readonly PlannedRequest[],
  serving: ServingTarget,
  options: BatchOptions,
): Promise<number> {
  const started = options.monotonic();
  await mapLimit(requests, options.concurrency, async (request) => {
    const t = options.monotonic();
    let outcome: RequestOutcome;
    try {
      const response = await serving.predict(request.isbn, [request.instance], { version: request.version });
      outcome = { instance: request.instance, response };
    } catch (error) {
      outcome = { instance: request.instance, error };
    }
    options.onOutcome(request, outcome, options.monotonic() - t);
  });
  return options.monotonic() - started;
}
