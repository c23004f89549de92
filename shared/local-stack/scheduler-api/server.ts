/**
 * The local stack's scheduler served over the Cloud Scheduler v1 gRPC API,
 * so the health check reads it with the real CloudSchedulerClient
 * (`@google-cloud/scheduler`) exactly as it reads Google's. Built from the
 * protos the package ships (protos.ts). What it answers, and refuses, follows
 * the API reference
 * (https://cloud.google.com/scheduler/docs/reference/rpc/google.cloud.scheduler.v1)
 * and the comments of cloudscheduler.proto and job.proto:
 *
 * - ListJobs `parent` must be `projects/P/locations/L`, GetJob/PauseJob/
 *   ResumeJob/RunJob `name` must be `projects/P/locations/L/jobs/J` (JOB_ID:
 *   letters, digits, hyphens, underscores, at most 500 characters; PROJECT_ID:
 *   letters, digits, hyphens, colons, periods): otherwise INVALID_ARGUMENT.
 * - A job that is not there (another project or location, an unknown id):
 *   NOT_FOUND. Another location's ListJobs is simply empty.
 * - ListJobs pages: "the maximum page size is 500. If unspecified, the page
 *   size will be the maximum"; a negative size or a token this server did not
 *   give is INVALID_ARGUMENT.
 * - PauseJob: "A job must be in Job.State.ENABLED to be paused"; ResumeJob:
 *   "A job must be in Job.State.PAUSED to be resumed"; otherwise
 *   FAILED_PRECONDITION.
 * - RunJob: "Cloud Scheduler will dispatch the job, even if the job is
 *   already running"; the reference states no precondition on the state, so a
 *   paused job runs too. Here it answers once the attempt finished (Google's
 *   answers once it is dispatched), so its Job already carries the outcome.
 * - CreateJob, UpdateJob, DeleteJob: UNIMPLEMENTED: the local jobs are
 *   topology's schedules, as infra/ creates them on Google Cloud.
 *
 * The Job carries `state` (ENABLED or PAUSED), `status` (google.rpc.Status of
 * the last attempt: 0, or the HTTP status mapped as google/rpc/code.proto
 * maps them, or UNKNOWN when a publish failed), `last_attempt_time`,
 * `schedule_time`, `user_update_time`, and its target.
 */
import { Server, ServerCredentials, status, type handleUnaryCall, type ServerUnaryCall } from '@grpc/grpc-js';
import { NotFoundError, ValidationError } from '../../errors';
import type { LocalJob, ScheduleFire } from '../scheduler';
import { cloudSchedulerDefinition } from './protos';

/** What the server serves: the local scheduler's jobs and its three actions. */
export interface JobSource {
  jobs(): LocalJob[];
  setPaused(name: string, paused: boolean): LocalJob;
  runNow(name: string): Promise<ScheduleFire>;
}

export interface SchedulerApiOptions {
  projectId: string;
  location: string;
  source: JobSource;
  /** Where an HTTP schedule's POST goes, for its Job's http_target.uri. */
  uriOf?(job: LocalJob): string | undefined;
  /** Loopback port; 0 (default) picks a free one. */
  port?: number;
}

export interface SchedulerApiServer {
  /** `127.0.0.1:<port>`: FG_SCHEDULER_API_ENDPOINT. */
  apiEndpoint: string;
  parent: string;
  close(): Promise<void>;
}

class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

type Message = Record<string, unknown>;

function unary(fn: (request: Message) => unknown): handleUnaryCall<Message, unknown> {
  return (call: ServerUnaryCall<Message, unknown>, callback) => {
    const fail = (err: unknown) =>
      callback({
        code: err instanceof RpcError ? err.code : status.INTERNAL,
        details: err instanceof RpcError ? err.message : `local scheduler server bug: ${String(err)}`,
      });
    Promise.resolve()
      .then(() => fn(call.request))
      .then((value) => callback(null, value), fail);
  };
}

const PARENT = /^projects\/([A-Za-z0-9:.-]+)\/locations\/([A-Za-z0-9-]+)$/;
const JOB_NAME = /^(projects\/[A-Za-z0-9:.-]+\/locations\/[A-Za-z0-9-]+)\/jobs\/([A-Za-z0-9_-]{1,500})$/;
export const MAX_PAGE_SIZE = 500;

function timestamp(at: Date | undefined): { seconds: string; nanos: number } | undefined {
  if (!at) return undefined;
  const ms = at.getTime();
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 };
}

/** HTTP status → google.rpc.Code, as google/rpc/code.proto documents each code's HTTP mapping. */
export function httpToRpcCode(http: number): number {
  const table: Record<number, number> = {
    400: 3,
    401: 16,
    403: 7,
    404: 5,
    409: 10,
    429: 8,
    499: 1,
    501: 12,
    503: 14,
    504: 4,
  };
  if (http >= 200 && http <= 299) return 0;
  return table[http] ?? (http >= 500 ? 13 : 9);
}

function attemptStatus(fire: ScheduleFire | undefined): Message | undefined {
  if (!fire) return undefined;
  if (fire.status !== undefined) {
    const code = httpToRpcCode(fire.status);
    return code === 0 ? { code: 0 } : { code, message: fire.error ?? `answered HTTP ${fire.status}` };
  }
  return fire.error ? { code: status.UNKNOWN, message: fire.error } : { code: 0 };
}

interface Served {
  parent: string;
  options: SchedulerApiOptions;
}

/** One local job as a google.cloud.scheduler.v1.Job message. */
function toMessage(job: LocalJob, { parent, options }: Served): Message {
  const target =
    job.target.kind === 'topic'
      ? {
          pubsubTarget: {
            topicName: `projects/${options.projectId}/topics/${job.target.spec.topic}`,
            data: Buffer.from(JSON.stringify(job.target.spec.body)),
          },
        }
      : { httpTarget: { uri: options.uriOf?.(job) ?? '', httpMethod: 'POST' } };
  const lastStatus = attemptStatus(job.lastFire);
  const what =
    job.target.kind === 'topic'
      ? `publishes on ${job.target.spec.topic}`
      : `POSTs to ${job.target.spec.entryPoint}`;
  return {
    name: `${parent}/jobs/${job.name}`,
    description: `forecast-guard local stack: ${what}`,
    ...target,
    schedule: job.cron,
    timeZone: job.timeZone,
    userUpdateTime: timestamp(job.updatedAt),
    state: job.paused ? 'PAUSED' : 'ENABLED',
    ...(lastStatus ? { status: lastStatus } : {}),
    ...(job.nextAt ? { scheduleTime: timestamp(job.nextAt) } : {}),
    ...(job.lastFire ? { lastAttemptTime: timestamp(job.lastFire.at) } : {}),
  };
}

/** The job a `projects/P/locations/L/jobs/J` name refers to: INVALID_ARGUMENT when malformed, NOT_FOUND when absent. */
function findJob(name: unknown, { parent, options }: Served): LocalJob {
  const match = typeof name === 'string' ? JOB_NAME.exec(name) : null;
  if (!match)
    throw new RpcError(
      status.INVALID_ARGUMENT,
      `name must be projects/PROJECT_ID/locations/LOCATION_ID/jobs/JOB_ID, got ${JSON.stringify(name)}`,
    );
  const job = match[1] === parent ? options.source.jobs().find((j) => j.name === match[2]) : undefined;
  if (!job) throw new RpcError(status.NOT_FOUND, `Job not found: ${String(name)}`);
  return job;
}

/** ListJobs: one page of at most 500 jobs; another location's list is empty. */
function listJobs(request: Message, served: Served): Message {
  if (typeof request.parent !== 'string' || !PARENT.test(request.parent))
    throw new RpcError(
      status.INVALID_ARGUMENT,
      `parent must be projects/PROJECT_ID/locations/LOCATION_ID, got ${JSON.stringify(request.parent)}`,
    );
  const size = Number(request.pageSize ?? 0);
  if (!Number.isInteger(size) || size < 0)
    throw new RpcError(status.INVALID_ARGUMENT, `page_size must not be negative, got ${size}`);
  const token = typeof request.pageToken === 'string' ? request.pageToken : '';
  const start = token === '' ? 0 : Number(/^o([0-9]+)$/.exec(token)?.[1] ?? NaN);
  if (!Number.isInteger(start))
    throw new RpcError(status.INVALID_ARGUMENT, `page_token ${JSON.stringify(token)} is not valid`);
  const all = request.parent === served.parent ? served.options.source.jobs() : [];
  const take = size === 0 ? MAX_PAGE_SIZE : Math.min(size, MAX_PAGE_SIZE);
  const jobs = all.slice(start, start + take).map((j) => toMessage(j, served));
  return { jobs, nextPageToken: start + take < all.length ? `o${start + take}` : '' };
}

/** PauseJob (the job must be ENABLED) or ResumeJob (it must be PAUSED). */
function setPaused(request: Message, paused: boolean, served: Served): Message {
  const job = findJob(request.name, served);
  if (job.paused === paused) {
    throw new RpcError(
      status.FAILED_PRECONDITION,
      `Job ${String(request.name)} is ${job.paused ? 'PAUSED' : 'ENABLED'}; a job must be ${paused ? 'ENABLED to be paused' : 'PAUSED to be resumed'}`,
    );
  }
  return toMessage(served.options.source.setPaused(job.name, paused), served);
}

/** RunJob: fires the job now, whatever its state, and answers with the attempt's outcome. */
async function runJob(request: Message, served: Served): Promise<Message> {
  const job = findJob(request.name, served);
  await served.options.source.runNow(job.name);
  const after = served.options.source.jobs().find((j) => j.name === job.name);
  if (!after) throw new NotFoundError(`job ${job.name} vanished`);
  return toMessage(after, served);
}

const unimplemented = (what: string) => () => {
  throw new RpcError(
    status.UNIMPLEMENTED,
    `${what} is not offered by the local stack's scheduler: its jobs are topology's schedules (shared/topology.ts), as infra/ creates them`,
  );
};

/** Starts the server on a loopback port; see the file comment. */
export async function startSchedulerApi(options: SchedulerApiOptions): Promise<SchedulerApiServer> {
  const parent = `projects/${options.projectId}/locations/${options.location}`;
  if (!PARENT.test(parent))
    throw new ValidationError(`projectId/location: ${parent} is not a Cloud Scheduler location name`, [
      'projectId',
      'location',
    ]);
  const served: Served = { parent, options };
  const server = new Server();
  server.addService(cloudSchedulerDefinition(), {
    listJobs: unary((r) => listJobs(r, served)),
    getJob: unary((r) => toMessage(findJob(r.name, served), served)),
    pauseJob: unary((r) => setPaused(r, true, served)),
    resumeJob: unary((r) => setPaused(r, false, served)),
    runJob: unary((r) => runJob(r, served)),
    createJob: unary(unimplemented('CreateJob')),
    updateJob: unary(unimplemented('UpdateJob')),
    deleteJob: unary(unimplemented('DeleteJob')),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${options.port ?? 0}`, ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  return {
    apiEndpoint: `127.0.0.1:${port}`,
    parent,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
