/**
 * Deployments made outside forecast-guard (the publisher's pipeline, a
 * person in the console) reach `model-deployments` as Vertex AI audit
 * entries from a Cloud Logging sink. This use case turns one into the
 * `ModelDeployed` forecast-guard would have published and hands it to the
 * same post-deploy validation, so a failing version is quarantined and
 * rolled back exactly as one of our own deployments would be.
 *
 * - Book and version come from the ServingTarget: the endpoint whose
 *   resource name is the entry's (`ServingState.endpoint`, compared from
 *   `locations/…` on, since Vertex writes the project as a number), and the
 *   deployment whose `model` (DeployModel) or `deployedModelId`
 *   (MutateDeployedModel) the request names. An endpoint that is no watched
 *   book's is ignored.
 * - The entry is the request of a long-running operation: the function waits,
 *   on the clock and within `waitMs`, for the deployment to show on the
 *   endpoint; still absent, it asks for a redelivery (Pub/Sub backs off and
 *   delivers again); absent `giveUpAfterMs` after the request, the deployment
 *   failed or was undone and there is nothing to validate.
 * - One validation per deployment: the report id derives from the operation
 *   (or the entry), not the Pub/Sub message, so a redelivery, or the sink
 *   exporting the entry twice, reuses the stored report.
 */
import type { ModelDeployed } from '../../contracts/messages/model-deployed';
import type { Deployment, ServingState } from '../../contracts/model';
import {
  decideAuditEntry,
  locationTail,
  type AuditedDeployment,
  type VertexEndpointAuditEntry,
} from '../../contracts/external/vertex-endpoint-audit';
import { ConflictError, ValidationError } from '../../errors';
import type { Logger } from '../../logging/logger';
import type { ValidationPorts, ValidationSettings } from './deps';
import { handleModelDeployed, type PostDeployResult } from './post-deploy';

export interface AuditWaitOptions {
  /** Longest wait in one delivery for the deployment to show (below the function's timeout). */
  waitMs: number;
  /** Between two reads of the endpoint. */
  pollMs: number;
  /** After this long since the request, a deployment still absent is taken as failed or undone. */
  giveUpAfterMs: number;
}

/**
 * A DeployModel takes minutes to tens of minutes (the fixtures' request and
 * completion are 17 minutes apart). 5 minutes a delivery leaves the 540 s
 * function time for the validation itself; Pub/Sub's redeliveries cover the
 * rest; 2 hours is far past any deployment that will still finish.
 */
export const DEFAULT_AUDIT_WAIT: Readonly<AuditWaitOptions> = Object.freeze({
  waitMs: 300_000,
  pollMs: 15_000,
  giveUpAfterMs: 2 * 3600_000,
});

/** One audit entry off `model-deployments`, and the correlation id it travels under. */
export interface DeploymentAuditRequest {
  entry: VertexEndpointAuditEntry;
  correlationId: string;
}

export interface DeploymentAuditSettings extends ValidationSettings {
  /** forecast-guard's own identities (FG_DEPLOYER_PRINCIPALS): their deployments announce themselves. */
  ownPrincipals: readonly string[];
  auditWait?: Partial<AuditWaitOptions>;
}

export type DeploymentAuditResult =
  | { action: 'ignore'; reason: string }
  | ({
      action: 'validated';
      isbn: string;
      version: string;
      deployment: AuditedDeployment;
    } & PostDeployResult);

/** Who deployed, when the entry does not say (an actor is required on ModelDeployed). */
export const UNKNOWN_PRINCIPAL = 'unknown principal (Vertex AI audit log)';

export async function handleDeploymentAudit(
  request: DeploymentAuditRequest,
  ports: ValidationPorts,
  settings: DeploymentAuditSettings,
): Promise<DeploymentAuditResult> {
  const { entry, correlationId } = request;
  const { logger } = ports;
  if (settings.ownPrincipals.length === 0) {
    // Without them forecast-guard's own deployments (rollbacks included) are validated a second time.
    logger.warning(
      'FG_DEPLOYER_PRINCIPALS is empty: deployments forecast-guard made itself cannot be told apart and are validated again',
    );
  }
  const decision = decideAuditEntry(entry, settings.ownPrincipals);
  if (decision.kind === 'ignore') {
    logger.info(`audit entry ignored: ${decision.reason}`, { insertId: entry.insertId });
    return { action: 'ignore', reason: decision.reason };
  }
  const wait = settings.auditWait;
  const found = await findDeployment(decision, { ...ports, ...(wait ? { auditWait: wait } : {}) }, logger);
  if ('reason' in found) {
    logger.info(`audit entry ignored: ${found.reason}`, { insertId: entry.insertId });
    return { action: 'ignore', reason: found.reason };
  }
  const event: ModelDeployed = {
    isbn: found.isbn,
    version: found.version,
    environment: settings.environment,
    deployedBy: decision.principal ?? UNKNOWN_PRINCIPAL,
    correlationId,
    ...(found.previousVersion !== undefined ? { previousVersion: found.previousVersion } : {}),
  };
  logger.info(
    `${decision.kind === 'deploy' ? 'DeployModel' : 'MutateDeployedModel'} by ${event.deployedBy} put version ${found.version} of ${found.isbn} on its endpoint: validating it`,
    { isbn: found.isbn, version: found.version, operation: decision.key },
  );
  const result = await handleModelDeployed(
    { message: event, messageId: `vertex-audit:${decision.key}`, correlationId },
    ports,
    settings,
  );
  return { action: 'validated', isbn: found.isbn, version: found.version, deployment: decision, ...result };
}

type Found = { isbn: string; version: string; previousVersion?: string } | { reason: string };

/** The book and version the entry deployed, once they show on the endpoint (see the module comment). */
export async function findDeployment(
  d: AuditedDeployment,
  deps: Pick<ValidationPorts, 'serving' | 'clock'> & Pick<DeploymentAuditSettings, 'auditWait'>,
  logger: Logger,
): Promise<Found> {
  const wait = auditWaitOptions(deps.auditWait);
  const tail = locationTail(d.endpoint);
  const book = (await deps.serving.listServing()).find(
    (s) => s.endpoint !== undefined && locationTail(s.endpoint) === tail,
  );
  if (!book) return { reason: `endpoint ${d.endpoint} is not the endpoint of a book forecast-guard watches` };
  const isbn = book.isbn;
  const before = new Set(book.deployments.map((x) => x.deployedModelId).filter((x) => x !== undefined));
  const leading = leadingVersion(book);
  // A mutated DeployedModel was there before the request: absent now, it was undeployed since.
  if (d.kind === 'mutate' && !matchDeployment(book, d)) {
    return { reason: `${describe(d)} is no longer on the endpoint of ${isbn}: nothing to validate` };
  }
  const started = deps.clock.now().getTime();
  let state: ServingState | undefined = book;
  for (;;) {
    const match = state && matchDeployment(state, d, before);
    if (match) {
      const previousVersion = leading !== match.version ? leading : undefined;
      return { isbn, version: match.version, ...(previousVersion !== undefined ? { previousVersion } : {}) };
    }
    const now = deps.clock.now().getTime();
    const sinceRequest = now - Date.parse(d.requestedAt);
    if (sinceRequest >= wait.giveUpAfterMs) {
      const reason = `${describe(d)} is not on the endpoint of ${isbn} ${minutes(sinceRequest)} after the request: the deployment failed or was undone, nothing to validate`;
      logger.warning(reason, { isbn, operation: d.key });
      return { reason };
    }
    const waited = now - started;
    if (waited >= wait.waitMs) {
      throw new ConflictError(
        `${describe(d)} is not on the endpoint of ${isbn} yet (waited ${Math.round(waited / 1000)} s, ${minutes(sinceRequest)} since the request): retry later`,
        { retryable: true },
      );
    }
    await deps.clock.sleep(Math.min(wait.pollMs, wait.waitMs - waited));
    state = await deps.serving.getServing(isbn);
  }
}

/**
 * The deployment the entry names. DeployModel: by model resource (exactly,
 * else ignoring an `@version` one side lacks); several deployments of one
 * Model → the one that was not there when the entry arrived. Mutate: by the
 * DeployedModel id, compared as text.
 */
export function matchDeployment(
  state: ServingState,
  d: AuditedDeployment,
  before: ReadonlySet<string> = new Set(),
): Deployment | undefined {
  if (d.kind === 'mutate') return state.deployments.find((x) => x.deployedModelId === d.deployedModelId);
  const wanted = locationTail(d.model);
  const exact = state.deployments.filter((x) => x.model !== undefined && locationTail(x.model) === wanted);
  const candidates =
    exact.length > 0
      ? exact
      : state.deployments.filter(
          (x) => x.model !== undefined && baseModel(locationTail(x.model)) === baseModel(wanted),
        );
  if (candidates.length <= 1) return candidates[0];
  const fresh = candidates.filter((x) => x.deployedModelId === undefined || !before.has(x.deployedModelId));
  if (fresh.length === 1) return fresh[0];
  throw new ValidationError(
    `DeployModel of ${d.model} matches ${candidates.length} deployments on the endpoint of ${state.isbn} (versions ${candidates.map((x) => x.version).join(', ')}): cannot tell which one it deployed`,
    ['protoPayload.request.deployedModel.model'],
  );
}

function auditWaitOptions(over: Partial<AuditWaitOptions> = {}): AuditWaitOptions {
  const o = { ...DEFAULT_AUDIT_WAIT, ...over };
  for (const key of ['waitMs', 'pollMs', 'giveUpAfterMs'] as const) {
    if (!Number.isFinite(o[key]) || o[key] <= 0) {
      throw new ValidationError(
        `auditWait.${key} must be a positive number of milliseconds (got ${o[key]})`,
        [`auditWait.${key}`],
      );
    }
  }
  return o;
}

/** The version with the most traffic: what served before the entry's deployment, at first sight. */
function leadingVersion(state: ServingState): string | undefined {
  const top = [...state.deployments].sort((a, b) => b.trafficPercent - a.trafficPercent)[0];
  return top && top.trafficPercent > 0 ? top.version : undefined;
}

function baseModel(name: string): string {
  const at = name.lastIndexOf('@');
  return at > name.lastIndexOf('/') ? name.slice(0, at) : name;
}

function describe(d: AuditedDeployment): string {
  return d.kind === 'deploy' ? `DeployModel of ${d.model}` : `DeployedModel ${d.deployedModelId}`;
}

function minutes(ms: number): string {
  return `${Math.round(ms / 60_000)} min`;
}
