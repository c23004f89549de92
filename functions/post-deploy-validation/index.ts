/**
 * post-deploy-validation: every deployment on `model-deployments` is
 * validated — 1,000+ predictions from the new version, edge cases,
 * accuracy, regression, ARIMA sanity — and acted on: pass → last-known-good;
 * fail → quarantined, a rollback to last-known-good requested on
 * `rollback-requests`, one critical alert on `alerts`.
 *
 * Two kinds arrive: forecast-guard's own `ModelDeployed`, and Vertex AI
 * DeployModel / MutateDeployedModel audit entries that a Cloud Logging sink
 * exports (infra/logging.tf), so deployments made outside forecast-guard are
 * validated and rolled back too (shared/services/validation/deployment-audit.ts).
 */
import {
  looksLikeAuditEntry,
  type VertexEndpointAuditEntry,
} from '../../shared/contracts/external/vertex-endpoint-audit';
import type { ModelDeployed } from '../../shared/contracts/messages/model-deployed';
import { handleDeploymentAudit } from '../../shared/services/validation/deployment-audit';
import { handleModelDeployed } from '../../shared/services/validation/post-deploy';
import { pubsubFunction } from '../../shared/wiring/entry-points';
import { validationSettings } from '../../shared/wiring/validation';

export const ENTRY_POINT = pubsubFunction('post-deploy-validation', async (message, ctx, rt) => {
  const ports = { ...rt.backend, ids: rt.ids, logger: ctx.logger };
  const { messageId, correlationId } = ctx;
  if (looksLikeAuditEntry(message)) {
    const entry = message as VertexEndpointAuditEntry;
    await handleDeploymentAudit({ entry, correlationId }, ports, validationSettings(rt.config));
  } else {
    const request = { message: message as ModelDeployed, messageId, correlationId };
    await handleModelDeployed(request, ports, validationSettings(rt.config));
  }
});
