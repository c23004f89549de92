/**
 * post-deploy-validation: every `ModelDeployed` on `model-deployments` is
 * validated — 1,000+ predictions pinned to the new version, edge cases,
 * accuracy, regression, ARIMA sanity — and acted on: pass → last-known-good;
 * fail → quarantined, a rollback to last-known-good requested on
 * `rollback-requests`, one critical alert on `alerts`.
 */
import * as functions from '@google-cloud/functions-framework';
import { ModelDeployed } from '../../shared/contracts/messages/model-deployed';
import { handlePubSubDelivery } from '../../shared/runtime/pubsub-function';
import { handleModelDeployed } from '../../shared/services/validation/post-deploy';
import { functionRuntime } from '../../shared/wiring/function-runtime';

export const ENTRY_POINT = 'postDeployValidation';

functions.cloudEvent(ENTRY_POINT, async (event: functions.CloudEvent<unknown>) => {
  const rt = await functionRuntime('post-deploy-validation');
  await handlePubSubDelivery(
    {
      consumer: 'post-deploy-validation',
      topic: 'model-deployments',
      schema: ModelDeployed,
      what: 'ModelDeployed',
      handle: async (deployed, ctx) => {
        await handleModelDeployed(deployed, ctx, {
          ...rt.backend,
          ids: rt.ids,
          logger: ctx.logger,
          environment: rt.config.environment,
          overrides: rt.config.thresholds.overrides,
        });
      },
    },
    event,
    { ...rt.backend, logger: rt.logger, ids: rt.ids },
  );
});
