/**
 * A Vertex AI PipelineJob state change as a Cloud Logging sink exports it to
 * Pub/Sub (`pipeline-events`). The sink filter should keep only
 * `…/logs/aiplatform.googleapis.com%2Fpipeline_job_events`: task events share
 * the resource type but live in `…%2Fpipeline_job_task_events` and are refused here.
 * Failure details are not in the entry; read them with GetPipelineJob.
 */
import { z } from 'zod';
import { PipelineRunState } from '../model';
import { rfc3339 } from '../primitives';

export const PIPELINE_JOB_RESOURCE_TYPE = 'aiplatform.googleapis.com/PipelineJob';
export const PIPELINE_JOB_EVENTS_LOG_ID = 'aiplatform.googleapis.com%2Fpipeline_job_events';

/** Cloud Logging's LogSeverity names. */
export const LogSeverity = z.enum([
  'DEFAULT',
  'DEBUG',
  'INFO',
  'NOTICE',
  'WARNING',
  'ERROR',
  'CRITICAL',
  'ALERT',
  'EMERGENCY',
]);
export type LogSeverity = z.infer<typeof LogSeverity>;

/** States after which a run changes no more. PAUSED can be resumed, so it is not one. */
export const TERMINAL_PIPELINE_STATES: readonly PipelineRunState[] = [
  'PIPELINE_STATE_SUCCEEDED',
  'PIPELINE_STATE_FAILED',
  'PIPELINE_STATE_CANCELLED',
];

const nonEmpty = z.string().min(1, 'must not be empty');

export const PipelineJobLogEntry = z.looseObject({
  logName: z
    .string()
    .regex(
      /^projects\/[^/]+\/logs\/aiplatform\.googleapis\.com%2Fpipeline_job_events$/,
      'must be projects/{p}/logs/aiplatform.googleapis.com%2Fpipeline_job_events (task events are not pipeline state changes)',
    ),
  resource: z.looseObject({
    type: z.literal(PIPELINE_JOB_RESOURCE_TYPE),
    labels: z.looseObject({
      /** The project id (or number) the job runs in. */
      resource_container: nonEmpty,
      location: nonEmpty,
      pipeline_job_id: nonEmpty,
    }),
  }),
  /** `state` is the PipelineState enum name; everything else Vertex adds passes through. */
  jsonPayload: z.looseObject({
    state: PipelineRunState,
    pipelineName: nonEmpty,
    startTime: rfc3339.optional(),
  }),
  /** ERROR for failures, INFO otherwise, as observed; read `jsonPayload.state`, not this. */
  severity: LogSeverity.optional(),
  timestamp: rfc3339,
  receiveTimestamp: rfc3339.optional(),
  /** LogEntry labels (pipeline_name, template_uri, service_account…), not the resource's. */
  labels: z.record(z.string(), z.string()).optional(),
  insertId: nonEmpty,
});
export type PipelineJobLogEntry = z.infer<typeof PipelineJobLogEntry>;

/** `projects/{p}/locations/{l}/pipelineJobs/{id}`: the name GetPipelineJob takes. */
export function pipelineJobResourceName(entry: PipelineJobLogEntry): string {
  const { resource_container, location, pipeline_job_id } = entry.resource.labels;
  return `projects/${resource_container}/locations/${location}/pipelineJobs/${pipeline_job_id}`;
}

export function isTerminalPipelineState(state: PipelineRunState): boolean {
  return TERMINAL_PIPELINE_STATES.includes(state);
}
