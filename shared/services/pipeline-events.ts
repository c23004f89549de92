/**
 * pipeline-events use case: a PipelineJob state change (from the Cloud
 * Logging sink) becomes an alert on `alerts` and a run in the PipelineMonitor.
 */
import type { PipelineJobLogEntry } from '../contracts/external/pipeline-job-log-entry';
import type { Environment } from '../contracts/primitives';
import { decidePipelineEvent } from '../domain/pipeline-alerts';
import { withCorrelation } from '../logging/correlation';
import type { Logger } from '../logging/logger';
import type { PublisherFor } from '../ports/event-bus';
import type { PipelineMonitor } from '../ports/pipeline-monitor';

export interface PipelineEventsDeps {
  bus: PublisherFor<'pipeline-events'>;
  pipelines?: PipelineMonitor;
  environment: Environment;
}

export interface PipelineEventResult {
  action: 'alert' | 'ignore';
  alertMessageId?: string;
}

export async function handlePipelineEvent(
  entry: PipelineJobLogEntry,
  ctx: { correlationId: string; logger: Logger },
  deps: PipelineEventsDeps,
): Promise<PipelineEventResult> {
  const decision = decidePipelineEvent(entry, {
    environment: deps.environment,
    correlationId: ctx.correlationId,
  });
  if (decision.action === 'ignore') {
    ctx.logger.debug(`pipeline event ignored: ${decision.reason}`, {
      pipelineJobId: entry.resource.labels.pipeline_job_id,
    });
    return { action: 'ignore' };
  }
  // Recording the run is best effort on Vertex (it keeps its own); the alert is what must not be lost.
  if (deps.pipelines) {
    try {
      await deps.pipelines.recordRun(decision.run);
    } catch (err) {
      ctx.logger.debug('pipeline run not recorded', { error: err });
    }
  }
  const alertMessageId = await deps.bus.publish('alerts', {
    data: decision.alert,
    attributes: withCorrelation(
      { kind: decision.alert.kind, severity: decision.alert.severity },
      ctx.correlationId,
    ),
  });
  ctx.logger.info(`pipeline ${decision.run.pipelineName} ${decision.run.state}: alert published`, {
    pipelineJobId: decision.run.id,
    alertMessageId,
    severity: decision.alert.severity,
  });
  return { action: 'alert', alertMessageId };
}
