/**
 * build-events use case: a Cloud Build status message (from the
 * `cloud-builds` topic) becomes a `build_failed` alert on `alerts`, or, for
 * a deployment that succeeded, a `deployment.succeeded` event on
 * `model-lifecycle` plus the alert that resolves an earlier failure.
 * Deployments are watched like models: a broken release pages someone.
 */
import type { CloudBuild } from '../contracts/external/cloud-build';
import type { Environment } from '../contracts/primitives';
import { buildCorrelationId, decideBuildEvent } from '../domain/build-events';
import { withCorrelation } from '../logging/correlation';
import type { Logger } from '../logging/logger';
import { PUBSUB_LIMITS, truncateUtf8, type PublisherFor } from '../ports/event-bus';

/** One Cloud Build status message, and the correlation id of its delivery. */
export interface BuildEventRequest {
  build: CloudBuild;
  correlationId: string;
}

export interface BuildEventsPorts {
  bus: PublisherFor<'build-events'>;
  logger: Logger;
}

/** Mapped from Config in shared/wiring/event-sources.ts. */
export interface BuildEventsSettings {
  /** Where this function runs: part of the alerts' fingerprint. */
  environment: Environment;
}

export interface BuildEventResult {
  action: 'alert' | 'deployed' | 'ignore';
  /** The correlation id put on what was published: `build-<buildId>`. */
  correlationId: string;
  alertMessageId?: string;
  lifecycleMessageId?: string;
}

/** Handles one status message. Publishing errors propagate (the runtime decides retry). */
export async function handleBuildEvent(
  request: BuildEventRequest,
  ports: BuildEventsPorts,
  settings: BuildEventsSettings,
): Promise<BuildEventResult> {
  const { build } = request;
  const correlationId = buildCorrelationId(build, request.correlationId);
  // The delivery's own id stays on this line, so both ids lead to it.
  const log = ports.logger.child({
    correlationId,
    deliveryCorrelationId: request.correlationId,
    buildId: build.id,
  });
  const decision = decideBuildEvent(build, { environment: settings.environment, correlationId });
  // An attribute for filtering; the contract leaves the id unbounded, Pub/Sub caps values at 1,024 bytes.
  const buildId = truncateUtf8(build.id, PUBSUB_LIMITS.maxAttributeValueBytes);

  if (decision.action === 'ignore') {
    log.debug(`build event ignored: ${decision.reason}`, { status: build.status });
    return { action: 'ignore', correlationId };
  }

  if (decision.action === 'alert') {
    const { alert } = decision;
    const alertMessageId = await ports.bus.publish('alerts', {
      data: alert,
      attributes: withCorrelation({ kind: alert.kind, severity: alert.severity, buildId }, correlationId),
    });
    log.info(`build ${build.status}: ${alert.severity} alert published`, {
      alertMessageId,
      status: build.status,
      buildKind: decision.build.kind,
    });
    return { action: 'alert', correlationId, alertMessageId };
  }

  const { event, resolved } = decision;
  const lifecycleMessageId = await ports.bus.publish('model-lifecycle', {
    data: event,
    attributes: withCorrelation(
      { type: event.type, buildId, ...(event.isbn ? { isbn: event.isbn } : {}) },
      correlationId,
    ),
  });
  const alertMessageId = await ports.bus.publish('alerts', {
    data: resolved,
    attributes: withCorrelation({ kind: resolved.kind, severity: resolved.severity, buildId }, correlationId),
  });
  log.info(`deployment succeeded: lifecycle event published`, {
    lifecycleMessageId,
    alertMessageId,
    buildKind: decision.build.kind,
    target: decision.build.target,
  });
  return { action: 'deployed', correlationId, alertMessageId, lifecycleMessageId };
}
