/**
 * What the gated deployment needs: the ports, a clock, ids, a logger, the
 * target environment (its thresholds gate the metrics), the risk policy, and
 * the request. Built by the CLI or a test; the service reaches for nothing else.
 */
import type { Environment } from '../../contracts/primitives';
import type { ThresholdOverrides } from '../../domain/thresholds';
import type { RiskPolicy } from '../../domain/validation/deploy-gates';
import type { Logger } from '../../logging/logger';
import type { Clock, IdGenerator } from '../../ports/clock';
import type { Publisher } from '../../ports/event-bus';
import type { ModelRegistry } from '../../ports/model-registry';
import type { SalesData } from '../../ports/sales-data';
import type { ServingTarget } from '../../ports/serving-target';
import type { StateStore } from '../../ports/state-store';

export interface DeployDeps {
  registry: ModelRegistry;
  serving: ServingTarget;
  sales: SalesData;
  state: StateStore;
  /** The CLI deploys: ModelDeployed for validation, the switch's lifecycle event, a canary's alert. */
  bus: Publisher<'model-deployments' | 'model-lifecycle' | 'alerts'>;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  /** The environment deployed to: its thresholds gate the metrics, and ModelDeployed names it. */
  environment: Environment;
  overrides?: ThresholdOverrides;
  policy?: Partial<RiskPolicy>;
}

/** A canary instead of switching at once. */
export interface CanaryRequest {
  /** The candidate's share of traffic during the bake, whole percent 1–99. */
  percent: number;
  /** How long the canary bakes, milliseconds (seconds locally; hours on Google Cloud). */
  bakeMs: number;
  /** Pause between bursts of simulated live traffic. Default 100 ms. */
  tickMs?: number;
  /** Requests per burst. Default 20. */
  requestsPerTick?: number;
}

export interface DeployRequest {
  isbns: string[];
  /** A decimal version id, or `latest` (the newest registered version of each book). */
  version: string;
  /** Deploy a quarantined version anyway. */
  force?: boolean;
  /**
   * An operator's sign-off for a high-risk change; recorded with who and
   * when. `verifiedIdentity`: what the approving credentials proved to be.
   */
  approval?: { by: string; reason?: string; verifiedIdentity?: string };
  canary?: CanaryRequest;
  /** Who deploys, as claimed. */
  deployedBy: string;
  /** What the deploying credentials proved to be, when known (Google Cloud). */
  verifiedDeployer?: string;
  correlationId: string;
}
