/**
 * Making a version the one that serves a book: its step in the book's
 * serving history (kept by the rollback service, so `--to-version previous`
 * knows what served before; refused while a rollback holds the book), 100 %
 * of traffic (the versions it replaces stay deployed at 0 % for a fast
 * rollback), the production alias, and the `ModelDeployed` message that
 * starts post-deploy validation, plus a `model.deployed` lifecycle event.
 */
import type { LifecycleEvent } from '../../contracts/messages/lifecycle-event';
import type { ModelDeployed } from '../../contracts/messages/model-deployed';
import { withCorrelation } from '../../logging/correlation';
import { PRODUCTION_ALIAS } from '../../ports/model-registry';
import { recordServingChange } from '../rollback/serving-history';
import type { DeployDeps, DeployRequest } from './deps';

/** Switches `isbn` to `version` and announces it; resolves to the ModelDeployed message id. */
export async function switchTo(
  isbn: string,
  version: string,
  previousVersion: string | undefined,
  request: Pick<DeployRequest, 'deployedBy' | 'correlationId'>,
  deps: DeployDeps,
): Promise<string> {
  await recordServingChange({ isbn, version, via: 'deploy', by: request.deployedBy }, deps);
  await deps.serving.setTraffic(isbn, { [version]: 100 });
  await deps.registry.setAlias(isbn, PRODUCTION_ALIAS, version);
  const message: ModelDeployed = {
    isbn,
    version,
    environment: deps.environment,
    deployedBy: request.deployedBy,
    correlationId: request.correlationId,
    ...(previousVersion !== undefined && previousVersion !== version ? { previousVersion } : {}),
  };
  const attributes = withCorrelation({ isbn, version }, request.correlationId);
  const messageId = await deps.bus.publish('model-deployments', { data: message, attributes });
  const event: LifecycleEvent = {
    type: 'model.deployed',
    isbn,
    version,
    ...(previousVersion !== undefined ? { fromVersion: previousVersion } : {}),
    toVersion: version,
    detail: `deployed by ${request.deployedBy} to ${deps.environment}`,
    at: deps.clock.now().toISOString(),
    correlationId: request.correlationId,
  };
  await deps.bus.publish('model-lifecycle', { data: event, attributes: { ...attributes, type: event.type } });
  return messageId;
}
