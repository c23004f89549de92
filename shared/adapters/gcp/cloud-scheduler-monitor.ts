/**
 * ScheduleMonitor on Cloud Scheduler v1 (`@google-cloud/scheduler`,
 * CloudSchedulerClient over gRPC): one ListJobs of
 * `projects/P/locations/L` (every page; unset, the page size is the API's
 * largest, 500 jobs), each Job mapped to what the health check judges: `state`
 * (Job.State), `last_attempt_time`, `status` (google.rpc.Status of the last
 * attempt, "the response from the target for the last attempted execution"),
 * `schedule_time`, `user_update_time`. Reference:
 * https://cloud.google.com/scheduler/docs/reference/rpc/google.cloud.scheduler.v1
 * and the job.proto the package ships.
 *
 * Needs `cloudscheduler.jobs.list` (roles/cloudscheduler.viewer; infra/iam.tf
 * grants it to the health-check function). In production the client talks to
 * cloudscheduler.googleapis.com with TLS and Application Default
 * Credentials; `apiEndpoint` (FG_SCHEDULER_API_ENDPOINT, host:port) points it
 * elsewhere, and on a loopback host (the local stack's scheduler server) the
 * channel is plaintext with no credentials looked up, as for Vertex AI
 * (vertex-clients.ts).
 */
import type * as Scheduler from '@google-cloud/scheduler';
import type { CloudSchedulerClient } from '@google-cloud/scheduler';
import { grpcEndpointOptions } from './grpc-endpoint';
import { systemClock, type Clock } from '../../ports/clock';
import type {
  ScheduledJob,
  ScheduledJobState,
  ScheduleMonitor,
  ScheduleSnapshot,
} from '../../ports/schedule-monitor';

export interface CloudSchedulerConnection {
  projectId: string;
  location: string;
  /** `host:port` instead of cloudscheduler.googleapis.com (the local stack's server, tests). */
  apiEndpoint?: string;
  /** Deadline of one call, ms; 30 s by default. */
  deadlineMs?: number;
  /** The scheduler's "now" for `readAt`: wall time. */
  clock?: Pick<Clock, 'now'>;
}

type ClientOptions = NonNullable<ConstructorParameters<typeof CloudSchedulerClient>[0]>;

const STATES = new Set<ScheduledJobState>([
  'STATE_UNSPECIFIED',
  'ENABLED',
  'PAUSED',
  'DISABLED',
  'UPDATE_FAILED',
]);

/** Client options: Google's host by default, plaintext for a loopback override. */
export function schedulerClientOptions(connection: CloudSchedulerConnection): ClientOptions {
  if (connection.apiEndpoint === undefined) return { projectId: connection.projectId };
  return grpcEndpointOptions(connection.apiEndpoint, connection.projectId, '127.0.0.1:8690');
}

interface ProtoTimestamp {
  seconds?: number | string | { toString(): string } | null;
  nanos?: number | null;
}

/** A protobuf Timestamp as an ISO instant (millisecond precision); undefined when unset. */
export function timestampIso(ts: ProtoTimestamp | null | undefined): string | undefined {
  if (!ts || ts.seconds === null || ts.seconds === undefined) return undefined;
  const seconds = Number(String(ts.seconds));
  if (!Number.isFinite(seconds) || (seconds === 0 && !ts.nanos)) return undefined;
  return new Date(seconds * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString();
}

/** The fields of a decoded Job this adapter reads. */
export interface JobMessage {
  name?: string | null;
  state?: string | number | null;
  schedule?: string | null;
  timeZone?: string | null;
  lastAttemptTime?: ProtoTimestamp | null;
  scheduleTime?: ProtoTimestamp | null;
  userUpdateTime?: ProtoTimestamp | null;
  status?: { code?: number | null; message?: string | null } | null;
}

const STATE_BY_NUMBER: ScheduledJobState[] = [
  'STATE_UNSPECIFIED',
  'ENABLED',
  'PAUSED',
  'DISABLED',
  'UPDATE_FAILED',
];

/** One decoded Job as a ScheduledJob (enum by name or number; unknown states read as STATE_UNSPECIFIED). */
export function toScheduledJob(job: JobMessage): ScheduledJob {
  const raw = typeof job.state === 'number' ? STATE_BY_NUMBER[job.state] : job.state;
  const state = STATES.has(raw as ScheduledJobState) ? (raw as ScheduledJobState) : 'STATE_UNSPECIFIED';
  const lastAttemptAt = timestampIso(job.lastAttemptTime);
  const nextAt = timestampIso(job.scheduleTime);
  const updatedAt = timestampIso(job.userUpdateTime);
  return {
    id: (job.name ?? '').split('/').pop() ?? '',
    state,
    ...(job.schedule ? { schedule: job.schedule } : {}),
    ...(job.timeZone ? { timeZone: job.timeZone } : {}),
    ...(lastAttemptAt ? { lastAttemptAt } : {}),
    // An absent status, like code 0, is "no failure": the field is set by the last finished attempt.
    ...(job.status
      ? {
          lastAttemptStatus: {
            code: job.status.code ?? 0,
            ...(job.status.message ? { message: job.status.message } : {}),
          },
        }
      : {}),
    ...(nextAt ? { nextAt } : {}),
    ...(updatedAt ? { updatedAt } : {}),
  };
}

/** See the file comment. */
export class CloudSchedulerMonitor implements ScheduleMonitor {
  private client: CloudSchedulerClient | undefined;
  private readonly clock: Pick<Clock, 'now'>;

  constructor(private readonly connection: CloudSchedulerConnection) {
    schedulerClientOptions(connection); // refuses a bad endpoint at construction, naming it
    this.clock = connection.clock ?? systemClock;
  }

  /** The client, created on first use: loading the library costs CPU every function process would pay. */
  private open(): CloudSchedulerClient {
    if (!this.client) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { CloudSchedulerClient: Client } = require('@google-cloud/scheduler') as typeof Scheduler;
      this.client = new Client(schedulerClientOptions(this.connection));
    }
    return this.client;
  }

  get parent(): string {
    return `projects/${this.connection.projectId}/locations/${this.connection.location}`;
  }

  async readJobs(): Promise<ScheduleSnapshot> {
    const client = this.open();
    const readAt = this.clock.now().toISOString();
    const [jobs] = await client.listJobs(
      { parent: this.parent },
      { timeout: this.connection.deadlineMs ?? 30_000, autoPaginate: true },
    );
    return { readAt, parent: this.parent, jobs: jobs.map((j) => toScheduledJob(j as JobMessage)) };
  }

  async close(): Promise<void> {
    await this.client?.close();
    this.client = undefined;
  }
}
