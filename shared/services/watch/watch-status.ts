/**
 * Who watches the fleet (issue 14, "watch the watcher"): the age of the
 * newest health report by the backend's clock (stale after two hours, or when
 * none was ever written; domain/health/report-age.ts), and each watched
 * scheduler job with what is wrong with it, by the rules that raise
 * `scheduler_unhealthy` (domain/health/schedule-findings.ts). Read by the
 * dashboard's watch panel and `forecast-guard schedules`. Reads only.
 */
import type { HealthReport } from '../../contracts/documents/health-report';
import { COLLECTIONS } from '../../contracts/collections';
import { reportAge, type ReportAge } from '../../domain/health/report-age';
import { jobProblem, type ExpectedJob } from '../../domain/health/schedule-findings';
import { describeError } from '../../errors';
import type { Clock } from '../../ports/clock';
import type { ScheduledJob, ScheduleMonitor } from '../../ports/schedule-monitor';
import type { StateStore } from '../../ports/state-store';

/** What the watch reads. */
export interface WatchPorts {
  state: StateStore;
  /** The backend's clock, which stamped the reports. */
  clock: Pick<Clock, 'now'>;
  schedules?: ScheduleMonitor;
}

/** The jobs to judge and the rules' limits (shared/wiring/schedule-monitor.ts, `watchSettings`). */
export interface WatchSettings {
  watched: readonly ExpectedJob[];
  graceMs: number;
  staleAfterMs: number;
}

/** One watched job as the panel shows it. */
export interface WatchedJobRow {
  id: string;
  /** Job.State, or `MISSING` when the scheduler has no such job. */
  state: string;
  severity: 'critical' | 'warning';
  schedule?: string;
  timeZone?: string;
  lastAttemptAt?: string;
  lastAttemptCode?: number;
  nextAt?: string;
  /** What is wrong, as `scheduler_unhealthy` says it; null when healthy. */
  problem: string | null;
}

/** What watches the fleet, now. */
export interface WatchView {
  /** The backend's clock, which stamped the reports. */
  now: string;
  newestReport: Pick<HealthReport, 'runId' | 'finishedAt' | 'trigger'> | null;
  age: ReportAge;
  staleAfterMs: number;
  /** The scheduler's jobs; null where there is none to read, `error` when it could not be read. */
  schedules: { readAt: string; parent: string; jobs: WatchedJobRow[] } | { error: string } | null;
}

function rowOf(
  watched: ExpectedJob,
  job: ScheduledJob | undefined,
  readAt: Date,
  graceMs: number,
): WatchedJobRow {
  const problem = jobProblem(watched, job, readAt, graceMs);
  return {
    id: watched.name,
    state: job?.state ?? 'MISSING',
    severity: watched.severity,
    ...(job?.schedule ? { schedule: job.schedule, timeZone: job.timeZone } : {}),
    ...(job?.lastAttemptAt ? { lastAttemptAt: job.lastAttemptAt } : {}),
    ...(job?.lastAttemptStatus ? { lastAttemptCode: job.lastAttemptStatus.code } : {}),
    ...(job?.nextAt ? { nextAt: job.nextAt } : {}),
    problem: problem ? `${watched.name} ${problem.says}` : null,
  };
}

async function readSchedules(ports: WatchPorts, settings: WatchSettings): Promise<WatchView['schedules']> {
  if (!ports.schedules) return null;
  try {
    const snapshot = await ports.schedules.readJobs();
    const byId = new Map(snapshot.jobs.map((j) => [j.id, j]));
    const readAt = new Date(snapshot.readAt);
    return {
      readAt: snapshot.readAt,
      parent: snapshot.parent,
      jobs: settings.watched.map((w) => rowOf(w, byId.get(w.name), readAt, settings.graceMs)),
    };
  } catch (err) {
    return { error: describeError(err) };
  }
}

/** The newest report's age and the scheduler's jobs (see the file comment). */
export async function watchStatus(
  _request: Record<string, never>,
  ports: WatchPorts,
  settings: WatchSettings,
): Promise<WatchView> {
  const [newest] = await ports.state.query<HealthReport>(COLLECTIONS.healthReports, {
    orderBy: { field: 'startedAt', direction: 'desc' },
    limit: 1,
  });
  const now = ports.clock.now();
  const report = newest?.data;
  return {
    now: now.toISOString(),
    newestReport: report
      ? { runId: report.runId, finishedAt: report.finishedAt, trigger: report.trigger }
      : null,
    age: reportAge(report, now, settings.staleAfterMs),
    staleAfterMs: settings.staleAfterMs,
    schedules: await readSchedules(ports, settings),
  };
}
