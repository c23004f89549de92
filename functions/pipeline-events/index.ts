/**
 * pipeline-events: Vertex AI PipelineJob state changes, exported by a Cloud
 * Logging sink to the `pipeline-events` topic, become alerts. A failed run
 * reaches alert-dispatch (and a person) within seconds.
 */
import { handlePipelineEvent } from '../../shared/services/pipeline-events';
import { pubsubFunction } from '../../shared/wiring/entry-points';
import { pipelineEventsSettings } from '../../shared/wiring/event-sources';

export const ENTRY_POINT = pubsubFunction('pipeline-events', async (entry, ctx, rt) => {
  await handlePipelineEvent(
    { entry, correlationId: ctx.correlationId },
    { bus: rt.backend.bus, pipelines: rt.backend.pipelines, logger: ctx.logger },
    pipelineEventsSettings(rt.config),
  );
});
