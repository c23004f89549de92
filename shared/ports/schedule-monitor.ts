/**
 * ScheduleMonitor: what the scheduler that starts forecast-guard's own runs
 * says about its jobs (Cloud Scheduler on Google Cloud; the local stack's
 * scheduler, served over the same API, on one machine). The health check
 * reads it to know that the next health check will come at all.
 */

/** Job.State of Cloud Scheduler v1 (google.cloud.scheduler.v1.Job.State). */
export type ScheduledJobState = 'STATE_UNSPECIFIED' | 'ENABLED' | 'PAUSED' | 'DISABLED' | 'UPDATE_FAILED';

/** One job as the scheduler reports it; times are ISO-8601 instants. */
export interface ScheduledJob {
  /** The job id: the last segment of `projects/P/locations/L/jobs/<id>`. */
  id: string;
  state: ScheduledJobState;
  /** unix-cron and its time zone, as the job was created with. */
  schedule?: string;
  timeZone?: string;
  /** When the last attempt started; absent when the job never ran. */
  lastAttemptAt?: string;
  /**
   * The target's answer to the last attempt (google.rpc.Status): code 0 is
   * success, absent means no attempt has finished yet.
   */
  lastAttemptStatus?: { code: number; message?: string };
  /** The next attempt the scheduler plans (a retry, or the next scheduled time). */
  nextAt?: string;
  /** When the job was created or last changed by a user. */
  updatedAt?: string;
}

/** All jobs of the location, read at `readAt` by the scheduler's clock (wall time). */
export interface ScheduleSnapshot {
  readAt: string;
  /** Where they were read: `projects/P/locations/L`. */
  parent: string;
  jobs: ScheduledJob[];
}

export interface ScheduleMonitor {
  /** Lists every job of the location (all pages). Throws when the scheduler cannot be read. */
  readJobs(): Promise<ScheduleSnapshot>;
  close(): Promise<void>;
}
