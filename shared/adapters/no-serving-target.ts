/**
 * The ServingTarget of a registry configured alone (FG_REGISTRY=mlflow on one
 * machine, no Vertex AI): nothing here knows what serves, so every call
 * throws ServingUnknownError. `adopt` and `versions` show serving as
 * `unknown`; rollback, deploy, validate and health refuse with the message,
 * which says what to configure.
 */
import type { PredictResponse, ServingState } from '../contracts/model';
import { ServingUnknownError } from '../errors';
import type { ServingTarget } from '../ports/serving-target';

export class NoServingTarget implements ServingTarget {
  /** `why`: the configuration that left serving out, e.g. `FG_REGISTRY=mlflow without FG_BACKEND=gcp`. */
  constructor(private readonly why: string) {}

  getServing(): Promise<ServingState | undefined> {
    return this.refuse('read what an endpoint serves');
  }
  listServing(): Promise<ServingState[]> {
    return this.refuse('list endpoints');
  }
  setTraffic(): Promise<ServingState> {
    return this.refuse('change traffic');
  }
  undeploy(): Promise<void> {
    return this.refuse('undeploy a version');
  }
  predict(): Promise<PredictResponse> {
    return this.refuse('predict');
  }

  private refuse(action: string): Promise<never> {
    return Promise.reject(
      new ServingUnknownError(
        `serving is unknown: no serving target is configured (${this.why}), so forecast-guard cannot ${action}; set FG_BACKEND=gcp (with GOOGLE_CLOUD_PROJECT) for Vertex AI endpoints`,
        'FG_BACKEND',
      ),
    );
  }
}
