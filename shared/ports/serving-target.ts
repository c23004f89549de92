/**
 * ServingTarget: what each book's endpoint serves and predictions from it.
 * Vertex AI Endpoints (traffic split) or, embedded, the forecast stored with
 * each version.
 */
import type { PredictInstance, PredictResponse, ServingState } from '../contracts/model';

export interface ServingTarget {
  /** Unknown ISBN → undefined. */
  getServing(isbn: string): Promise<ServingState | undefined>;
  listServing(): Promise<ServingState[]>;
  /**
   * Sets the traffic split (version → percent, summing to 100). Versions not yet
   * deployed are deployed first; versions left out stay deployed at 0 %.
   */
  setTraffic(isbn: string, split: Record<string, number>): Promise<ServingState>;
  /** Removes a version with no traffic; refuses (ConflictError) one that still has traffic. */
  undeploy(isbn: string, version: string): Promise<void>;
  /**
   * Predicts with the book's endpoint. `version` pins one deployed version
   * (a canary or validation call); otherwise traffic decides.
   * Bad instances → ValidationError naming the instance and field.
   */
  predict(isbn: string, instances: unknown[], options?: { version?: string }): Promise<PredictResponse>;
}

export type { PredictInstance };
