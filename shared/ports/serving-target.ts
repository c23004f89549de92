/**
 * ServingTarget: what each book's endpoint serves and predictions from it.
 * Vertex AI Endpoints (traffic split) or, embedded, the forecast stored with
 * each version. Semantics every adapter keeps:
 * test/contract/serving-target.contract.ts.
 */
import type { PredictInstance, PredictResponse, ServingState } from '../contracts/model';

export interface ServingTarget {
  /** The book's endpoint; undefined when it has none (nothing was ever deployed). */
  getServing(isbn: string): Promise<ServingState | undefined>;
  listServing(): Promise<ServingState[]>;
  /**
   * Sets the traffic split (version → whole percent, summing to 100) in one
   * step. Versions not yet deployed are deployed first; deployed versions left
   * out stay deployed at 0 %. Bad split → ValidationError naming the entry;
   * a version the registry does not hold → NotFoundError naming it.
   */
  setTraffic(isbn: string, split: Record<string, number>): Promise<ServingState>;
  /**
   * Removes a version with no traffic; refuses (ConflictError) one that still
   * has traffic. A version not deployed is a no-op; a book with no endpoint →
   * NotFoundError.
   */
  undeploy(isbn: string, version: string): Promise<void>;
  /**
   * Predicts with the book's endpoint; one call is answered by one version.
   * `version` pins a deployed version (a canary or validation call; not
   * deployed → ConflictError); otherwise traffic decides.
   * Bad instances → ValidationError naming the instance and field
   * (`instances[3].steps: must be at least 1 (got 0)`); no endpoint → NotFoundError.
   */
  predict(isbn: string, instances: unknown[], options?: { version?: string }): Promise<PredictResponse>;
}

export type { PredictInstance };
