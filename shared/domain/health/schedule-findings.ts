/**
 * `scheduler_unhealthy`: the schedules that start forecast-guard's own runs
 * (the hourly health check, the daily summary, the alert flush) are checked
 * as Cloud Scheduler reports them. A job is unhealthy when it is
 * - missing (deleted, or created in another region);
 * - not ENABLED: PAUSED by a person, DISABLED by the system, UPDATE_FAILED
 *   after a failed update ("a job in this state may not be executed",
 *   google.cloud.scheduler.v1 CloudScheduler.UpdateJob);
 * - failing: its last attempt's google.rpc.Status has a non-zero code;
 * - late: the newest fire time of its cron that is at least `graceMs` old
 *   passed without an attempt (an attempt may start a little after its
 *   minute; `graceMs` absorbs that and a slow previous execution).
 * One fleet-level finding names every unhealthy job; its severity is the
 * worst of theirs (critical for the health check's own job). Pure: the
 * caller passes the jobs as read and the scheduler's clock.
 */
import { parseCron, previousCronTime } from '../schedule/cron';
import type { Finding } from './findings';

/** A job the health check expects, with the severity of its trouble (topology's WATCHED_SCHEDULES). */
export interface ExpectedJob {
  name: string;
  cron: string;
  timeZone: string;
  severity: 'critical' | 'warning';
}

/** A job as the scheduler reports it (the ScheduleMonitor port's ScheduledJob). */
export interface ObservedJob {
  id: string;
  state: string;
  lastAttemptAt?: string;
  lastAttemptStatus?: { code: number; message?: string };
  updatedAt?: string;
}

/** What is wrong with one job. */
export interface JobProblem {
  job: string;
  severity: 'critical' | 'warning';
  problem: 'missing' | 'not_enabled' | 'last_attempt_failed' | 'late';
  /** One clause a person reads, e.g. "is PAUSED". */
  says: string;
  state?: string;
  lastAttemptAt?: string;
  dueAt?: string;
  statusCode?: number;
}

/** gRPC code names (google.rpc.Code) for the summary line. */
const CODE_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];

/**
 * How long after its cron minute a job's attempt may still be missing before
 * the job counts as late: Cloud Scheduler starts an attempt within seconds,
 * but holds one back while the previous execution runs (job.proto,
 * `schedule`), and a health check takes a minute or two.
 */
export const DEFAULT_SCHEDULE_GRACE_MS = 10 * 60_000;

/** Slack between a cron minute and the attempt that belongs to it. */
const ATTEMPT_SLACK_MS = 60_000;

/** The one problem of one expected job (the first that applies), or undefined when it is healthy. */
export function jobProblem(
  expected: ExpectedJob,
  job: ObservedJob | undefined,
  readAt: Date,
  graceMs: number,
): JobProblem | undefined {
  const base = { job: expected.name, severity: expected.severity };
  if (!job) return { ...base, problem: 'missing', says: 'does not exist' };
  if (job.state !== 'ENABLED')
    return { ...base, problem: 'not_enabled', says: `is ${job.state}`, state: job.state };
  const code = job.lastAttemptStatus?.code ?? 0;
  if (code !== 0) {
    const name = CODE_NAMES[code] ?? `code ${code}`;
    const message = job.lastAttemptStatus?.message;
    return {
      ...base,
      problem: 'last_attempt_failed',
      says: `last attempt failed (${name}${message ? `: ${message}` : ''})`,
      statusCode: code,
      ...(job.lastAttemptAt ? { lastAttemptAt: job.lastAttemptAt } : {}),
    };
  }
  const due = previousCronTime(
    parseCron(expected.cron),
    expected.timeZone,
    new Date(readAt.getTime() - graceMs),
  );
  if (due === undefined) return undefined;
  const last = job.lastAttemptAt === undefined ? undefined : Date.parse(job.lastAttemptAt);
  const changed = job.updatedAt === undefined ? undefined : Date.parse(job.updatedAt);
  // A job created (or changed) after the due minute has not had its first chance yet.
  if (changed !== undefined && changed > due.getTime()) return undefined;
  if (last !== undefined && last >= due.getTime() - ATTEMPT_SLACK_MS) return undefined;
  return {
    ...base,
    problem: 'late',
    says:
      last === undefined
        ? `has never run (an attempt was due at ${due.toISOString()})`
        : `missed the attempt due at ${due.toISOString()} (last attempt ${job.lastAttemptAt})`,
    dueAt: due.toISOString(),
    ...(job.lastAttemptAt ? { lastAttemptAt: job.lastAttemptAt } : {}),
  };
}

/** Every unhealthy expected job, in the order expected. */
export function scheduleProblems(
  expected: readonly ExpectedJob[],
  jobs: readonly ObservedJob[],
  readAt: Date,
  graceMs: number,
): JobProblem[] {
  const byId = new Map(jobs.map((j) => [j.id, j]));
  return expected
    .map((e) => jobProblem(e, byId.get(e.name), readAt, graceMs))
    .filter((p): p is JobProblem => p !== undefined);
}

/** `scheduler_unhealthy` (fleet-level) from the problems, or undefined when every expected job is healthy. */
export function schedulerFinding(problems: readonly JobProblem[], where: string): Finding | undefined {
  if (problems.length === 0) return undefined;
  const severity = problems.some((p) => p.severity === 'critical') ? 'critical' : 'warning';
  const clauses = problems.map((p) => `${p.job} ${p.says}`);
  const watching = problems.some((p) => p.severity === 'critical')
    ? ': hourly health checks will not run on their own'
    : '';
  return {
    kind: 'scheduler_unhealthy',
    severity,
    summary: `Scheduler job ${clauses.join('; ')}${watching}`.slice(0, 500),
    details: { scheduler: where, jobs: problems.map((p) => ({ ...p })) },
  };
}
