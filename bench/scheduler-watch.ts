/**
 * Watch-the-watcher figures (issue 14, item 7): what reading the schedule
 * costs the hourly health check. Against the local stack's Cloud Scheduler
 * server (the protos `@google-cloud/scheduler` ships), through the real
 * CloudSchedulerClient: the server's start, the first read (loading the
 * client library and opening the channel, paid once per function instance),
 * then the median and p95 of `--runs` reads of every job (ListJobs) with the
 * finding judged (the health check's "schedules" step), beside its goal.
 * Figures only; nothing passes or fails.
 *
 *   npx tsx bench/scheduler-watch.ts [--runs 200]
 */
import { CloudSchedulerMonitor } from '../shared/adapters/gcp/cloud-scheduler-monitor';
import {
  DEFAULT_SCHEDULE_GRACE_MS,
  scheduleProblems,
  schedulerFinding,
} from '../shared/domain/health/schedule-findings';
import { LocalScheduler } from '../shared/local-stack/scheduler';
import { startSchedulerApi } from '../shared/local-stack/scheduler-api/server';
import { HTTP_SCHEDULES, SCHEDULES, WATCHED_SCHEDULES } from '../shared/topology';
import { fmtMs, median, numberFlag, quantile, row, timeRuns } from './stats';

/** The schedule step may add at most this to a health check (whose own run takes seconds to minutes). */
const GOAL_STEP_MS = 50;

async function main(): Promise<void> {
  const runs = numberFlag('runs', 200);
  const scheduler = new LocalScheduler({
    schedules: SCHEDULES,
    httpSchedules: HTTP_SCHEDULES,
    clock: { now: () => new Date() },
    publish: async () => 'm',
    invoke: async () => 204,
  });
  for (const s of [...SCHEDULES, ...HTTP_SCHEDULES]) await scheduler.runNow(s.name);
  const started = performance.now();
  const api = await startSchedulerApi({ projectId: 'bench', location: 'europe-west2', source: scheduler });
  const startMs = performance.now() - started;
  const monitor = new CloudSchedulerMonitor({
    projectId: 'bench',
    location: 'europe-west2',
    apiEndpoint: api.apiEndpoint,
  });
  const step = async () => {
    const snapshot = await monitor.readJobs();
    const problems = scheduleProblems(
      WATCHED_SCHEDULES,
      snapshot.jobs,
      new Date(snapshot.readAt),
      DEFAULT_SCHEDULE_GRACE_MS,
    );
    return schedulerFinding(problems, snapshot.parent);
  };
  try {
    const [firstMs] = await timeRuns(1, step);
    const times = await timeRuns(runs, step);
    const finding = await step();
    const med = median(times);
    row('local Cloud Scheduler server start (protos loaded)', fmtMs(startMs));
    row('first schedule read (client load + channel)', fmtMs(firstMs ?? NaN));
    row(
      `schedule step, median of ${runs}`,
      fmtMs(med),
      `p95 ${fmtMs(quantile(times, 0.95))}`,
      `goal ≤ ${GOAL_STEP_MS} ms`,
      med <= GOAL_STEP_MS ? 'met' : 'NOT met',
    );
    row(
      'jobs read / finding',
      `${WATCHED_SCHEDULES.length} watched`,
      finding ? `firing: ${finding.summary}` : 'none (all healthy)',
    );
  } finally {
    await monitor.close();
    await api.close();
    await scheduler.stop();
  }
}

void main();
