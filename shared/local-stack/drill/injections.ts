/**
 * What the drill injects, in the exact shapes production sees: a Vertex AI
 * PipelineJob state change as Cloud Logging's sink exports it to Pub/Sub
 * (the LogEntry as the message data, `logging.googleapis.com/timestamp` as
 * the one attribute), and the thresholds file that holds every book to the
 * product owner's production table during the game day.
 */
import { writeFileSync } from 'node:fs';
import {
  PIPELINE_JOB_EVENTS_LOG_ID,
  PIPELINE_JOB_RESOURCE_TYPE,
  type PipelineJobLogEntry,
} from '../../contracts/external/pipeline-job-log-entry';
import { DEFAULT_THRESHOLDS } from '../../domain/thresholds';
import type { Publisher } from '../../ports/event-bus';

export interface PipelineFailure {
  projectId: string;
  location: string;
  pipelineName: string;
  jobId: string;
  /** When the job started and when it failed (the entry's timestamp). */
  startTime: Date;
  failedAt: Date;
}

/**
 * The LogEntry Vertex AI writes to `…/logs/aiplatform.googleapis.com%2Fpipeline_job_events`
 * when a PipelineJob fails (jsonPayload is a PipelineJobLogEntry; severity ERROR).
 */
export function pipelineFailedLogEntry(f: PipelineFailure): PipelineJobLogEntry {
  const timestamp = f.failedAt.toISOString();
  return {
    insertId: `${f.jobId.slice(-12)}${f.failedAt.getTime().toString(36)}`,
    jsonPayload: {
      '@type': 'type.googleapis.com/google.cloud.aiplatform.logging.PipelineJobLogEntry',
      pipelineName: f.pipelineName,
      state: 'PIPELINE_STATE_FAILED',
      startTime: f.startTime.toISOString(),
    },
    resource: {
      type: PIPELINE_JOB_RESOURCE_TYPE,
      labels: { resource_container: f.projectId, location: f.location, pipeline_job_id: f.jobId },
    },
    timestamp,
    severity: 'ERROR',
    labels: {
      pipeline_name: f.pipelineName,
      service_account: `pipeline-runner@${f.projectId}.iam.gserviceaccount.com`,
      template_uri: `gs://${f.projectId}-pipelines/${f.pipelineName}.yaml`,
    },
    logName: `projects/${f.projectId}/logs/${PIPELINE_JOB_EVENTS_LOG_ID}`,
    receiveTimestamp: new Date(f.failedAt.getTime() + 500).toISOString(),
  };
}

/** Publishes `entry` to `pipeline-events` as the Cloud Logging sink does; resolves to the message id. */
export function publishAsLogSink(
  bus: Publisher<'pipeline-events'>,
  entry: PipelineJobLogEntry,
): Promise<string> {
  return bus.publish('pipeline-events', {
    data: entry,
    attributes: { 'logging.googleapis.com/timestamp': entry.timestamp },
  });
}

/**
 * Writes an FG_THRESHOLDS_FILE giving every book production's table. The
 * drill's stack runs as `development` (so its Slack stand-in may live on
 * loopback, which production refuses), yet its alerts must be as severe as
 * production's: a spike is critical and pages at once.
 */
export function writeProductionThresholds(file: string, isbns: readonly string[]): void {
  const table = DEFAULT_THRESHOLDS.production;
  writeFileSync(
    file,
    JSON.stringify(Object.fromEntries(isbns.map((isbn) => [isbn, { ...table }])), null, 2) + '\n',
  );
}
