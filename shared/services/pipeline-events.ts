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

/** One PipelineJob log entry, and the correlation id of its delivery. */
export interface PipelineEventRequest {
  entry: PipelineJobLogEntry;
  correlationId: string;
}

export interface PipelineEventsPorts {
  bus: PublisherFor<'pipeline-events'>;
  pipelines?: PipelineMonitor;
  logger: Logger;
}

/** Mapped from Config in shared/wiring/event-sources.ts. */
export interface PipelineEventsSettings {
  /** Where this function runs: part of the alerts' fingerprint. */
  environment: Environment;
}

export interface PipelineEventResult {
  action: 'alert' | 'ignore';
  alertMessageId?: string;
}

export async function handlePipelineEvent(
  request: PipelineEventRequest,
  ports: PipelineEventsPorts,
  settings: PipelineEventsSettings,
): Promise<PipelineEventResult> {
  const { entry, correlationId } = request;
  const { logger } = ports;
  const decision = decidePipelineEvent(entry, { environment: settings.environment, correlationId });
  if (decision.action === 'ignore') {
    logger.debug(`pipeline event ignored: ${decision.reason}`, {
      pipelineJobId: entry.resource.labels.pipeline_job_id,
    });
    return { action: 'ignore' };
  }
  // Recording the run is best effort on Vertex (it keeps its own); the alert is what must not be lost.
  if (ports.pipelines) {
    try {
      await ports.pipelines.recordRun(decision.run);
    } catch (err) {
      logger.debug('pipeline run not recorded', { error: err });
    }
  }
  const alertMessageId = await ports.bus.publish('alerts', {
    data: decision.alert,
    attributes: withCorrelation(
      { kind: decision.alert.kind, severity: decision.alert.severity },
      correlationId,
    ),
  });
  logger.info(`pipeline ${decision.run.pipelineName} ${decision.run.state}: alert published`, {
    pipelineJobId: decision.run.id,
    alertMessageId,
    severity: decision.alert.severity,
  });
  return { action: 'alert', alertMessageId };
}
