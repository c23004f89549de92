/**
 * The post-deploy-validation use case: a `ModelDeployed` message names a
 * version that now serves; validate it (with the thresholds of the
 * environment it was deployed to) and act on the verdict. Idempotent by
 * message: the report id derives from the message id, a stored report is
 * reused rather than redone, and the rollback request id derives from the
 * report, so a redelivery changes nothing twice.
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { ValidationReport } from '../../contracts/documents/validation-report';
import type { ModelDeployed } from '../../contracts/messages/model-deployed';
import { VALIDATION_ACTOR } from '../../domain/validation/outcome';
import { applyValidationOutcome, type AppliedOutcome } from './apply-outcome';
import type { ValidationDeps, ValidationPorts, ValidationSettings } from './deps';
import { prepareTarget, reportIdForMessage } from './prepare';
import { validateVersions } from './validate-versions';

export interface PostDeployResult {
  report: ValidationReport;
  outcome: AppliedOutcome;
  /** True when the report was found stored from an earlier delivery. */
  reused: boolean;
}

/** One `ModelDeployed` message and its identity: the report id derives from the message id. */
export interface ModelDeployedRequest {
  message: ModelDeployed;
  messageId: string;
  correlationId: string;
}

/**
 * Thresholds are the message's environment's, whatever `settings.environment`
 * says: a deployment is judged by the rules of where it went.
 */
export async function handleModelDeployed(
  request: ModelDeployedRequest,
  ports: ValidationPorts,
  settings: ValidationSettings,
): Promise<PostDeployResult> {
  const { message: event } = request;
  const scoped: ValidationDeps = { ...ports, ...settings, environment: event.environment };
  const target = {
    isbn: event.isbn,
    version: event.version,
    correlationId: request.correlationId,
    reportId: reportIdForMessage(event.isbn, event.version, request.messageId),
    ...(event.previousVersion !== undefined ? { previousVersion: event.previousVersion } : {}),
  };
  const stored = await ports.state.get<ValidationReport>(COLLECTIONS.validationReports, target.reportId);
  if (stored) {
    ports.logger.info('report already made for this deployment message; applying its verdict again', {
      reportId: target.reportId,
    });
    const prepared = await prepareTarget(target, scoped, { requireDeployed: false });
    const outcome = await applyValidationOutcome(stored.data, prepared, scoped, VALIDATION_ACTOR);
    return { report: stored.data, outcome, reused: true };
  }
  const [validation] = await validateVersions([target], scoped);
  const outcome = await applyValidationOutcome(
    validation!.report,
    validation!.prepared,
    scoped,
    VALIDATION_ACTOR,
  );
  return { report: validation!.report, outcome, reused: false };
}
