/**
 * pipeline-events: Vertex AI PipelineJob state changes, exported by a Cloud
 * Logging sink to the `pipeline-events` topic, become alerts. A failed run
 * reaches alert-dispatch (and a person) within seconds.
 */
import * as functions from '@google-cloud/functions-framework';
import { PipelineJobLogEntry } from '../../shared/contracts/external/pipeline-job-log-entry';
import { handlePubSubDelivery } from '../../shared/runtime/pubsub-function';
import { handlePipelineEvent } from '../../shared/services/pipeline-events';
import { functionRuntime } from '../../shared/wiring/function-runtime';

export const ENTRY_POINT = 'pipelineEvents';

functions.cloudEvent(ENTRY_POINT, async (event: functions.CloudEvent<unknown>) => {
  const rt = await functionRuntime('pipeline-events');
  await handlePubSubDelivery(
    {
      consumer: 'pipeline-events',
      topic: 'pipeline-events',
      schema: PipelineJobLogEntry,
      what: 'PipelineJob log entry',
      handle: async (entry, ctx) => {
        await handlePipelineEvent(entry, ctx, {
          bus: rt.backend.bus,
          pipelines: rt.backend.pipelines,
          environment: rt.config.environment,
        });
      },
    },
    event,
    { ...rt.backend, logger: rt.logger, ids: rt.ids },
  );
});
