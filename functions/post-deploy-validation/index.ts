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
import * as functions from '@google-cloud/functions-framework';
import {
  looksLikeAuditEntry,
  type VertexEndpointAuditEntry,
} from '../../shared/contracts/external/vertex-endpoint-audit';
import type { ModelDeployed } from '../../shared/contracts/messages/model-deployed';
import { ModelDeploymentsMessage } from '../../shared/contracts/messages/model-deployments-message';
import { handlePubSubDelivery } from '../../shared/runtime/pubsub-function';
import { handleDeploymentAudit } from '../../shared/services/validation/deployment-audit';
import { handleModelDeployed } from '../../shared/services/validation/post-deploy';
import { functionRuntime } from '../../shared/wiring/function-runtime';

export const ENTRY_POINT = 'postDeployValidation';

functions.cloudEvent(ENTRY_POINT, async (event: functions.CloudEvent<unknown>) => {
  const rt = await functionRuntime('post-deploy-validation');
  await handlePubSubDelivery(
    {
      consumer: 'post-deploy-validation',
      topic: 'model-deployments',
      schema: ModelDeploymentsMessage,
      what: 'model-deployments message',
      handle: async (message, ctx) => {
        const deps = {
          ...rt.backend,
          ids: rt.ids,
          logger: ctx.logger,
          environment: rt.config.environment,
          overrides: rt.config.thresholds.overrides,
        };
        if (looksLikeAuditEntry(message)) {
          await handleDeploymentAudit(message as VertexEndpointAuditEntry, ctx, {
            ...deps,
            ownPrincipals: rt.config.deployerPrincipals,
          });
        } else {
          await handleModelDeployed(message as ModelDeployed, ctx, deps);
        }
      },
    },
    event,
    { ...rt.backend, logger: rt.logger, ids: rt.ids },
  );
});
