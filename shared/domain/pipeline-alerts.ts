/**
 * What a Vertex AI PipelineJob state change means for people: a failed or
 * cancelled training run is a critical alert (it must reach someone within
 * five minutes); a success is an info record; other states are noise.
 */
import type { PipelineRun } from '../contracts/model';
import type { Alert } from '../contracts/messages/alert';
import type { PipelineJobLogEntry } from '../contracts/external/pipeline-job-log-entry';
import { pipelineJobResourceName } from '../contracts/external/pipeline-job-log-entry';
import type { Environment } from '../contracts/primitives';

/** Google Cloud console page of one pipeline run. */
export function pipelineConsoleUrl(entry: PipelineJobLogEntry): string {
  const { resource_container: project, location, pipeline_job_id: id } = entry.resource.labels;
  return `https://console.cloud.google.com/vertex-ai/locations/${location}/pipelines/runs/${id}?project=${project}`;
}

export type PipelineEventDecision =
  { action: 'alert'; alert: Alert; run: PipelineRun } | { action: 'ignore'; reason: string };

/** Decides what to do with one state change; pure. */
export function decidePipelineEvent(
  entry: PipelineJobLogEntry,
  context: { environment: Environment; correlationId: string },
): PipelineEventDecision {
  const { state, pipelineName } = entry.jsonPayload;
  const jobId = entry.resource.labels.pipeline_job_id;
  const at = new Date(entry.timestamp).toISOString();
  const run: PipelineRun = {
    id: jobId,
    pipelineName,
    state,
    startTime: entry.jsonPayload.startTime ? new Date(entry.jsonPayload.startTime).toISOString() : undefined,
    endTime: at,
    registered: [],
  };
  const details = {
    pipelineJobId: jobId,
    pipelineJob: pipelineJobResourceName(entry),
    pipelineName,
    state,
    stateChangedAt: at,
    consoleUrl: pipelineConsoleUrl(entry),
    logInsertId: entry.insertId,
  };
  const base = {
    source: 'pipeline-events',
    observedAt: at,
    correlationId: context.correlationId,
    environment: context.environment,
    details,
  };
  switch (state) {
    case 'PIPELINE_STATE_FAILED':
    case 'PIPELINE_STATE_CANCELLED': {
      const verb = state === 'PIPELINE_STATE_FAILED' ? 'failed' : 'was cancelled';
      return {
        action: 'alert',
        run,
        alert: {
          ...base,
          kind: 'pipeline_failed',
          severity: 'critical',
          status: 'firing',
          summary: `Training pipeline ${pipelineName} ${verb} (job ${jobId}) at ${at}`,
        },
      };
    }
    case 'PIPELINE_STATE_SUCCEEDED':
      // A success resolves an earlier failure of the same pipeline (same fingerprint).
      return {
        action: 'alert',
        run,
        alert: {
          ...base,
          kind: 'pipeline_failed',
          severity: 'info',
          status: 'resolved',
          summary: `Training pipeline ${pipelineName} succeeded (job ${jobId}) at ${at}`,
        },
      };
    default:
      return { action: 'ignore', reason: `state ${state} needs no notification` };
  }
}
