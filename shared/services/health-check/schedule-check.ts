/**
 * The health check watches its own schedule: it reads the scheduler's jobs
 * (ScheduleMonitor) and raises `scheduler_unhealthy` for every watched job
 * that is missing, not enabled, failing or late (see
 * shared/domain/health/schedule-findings.ts). Judged by the scheduler's own
 * clock (the snapshot's `readAt`): on the embedded backend the fleet clock
 * runs at the seeded date while schedules tick in the operator's day.
 *
 * Without a monitor (a CLI run on one machine with no stack running) or with
 * the scheduler unreadable, nothing is decided: a firing alert is carried,
 * not resolved, and the run's log says why.
 */
import { findingKey } from '../../domain/health/findings';
import { scheduleProblems, schedulerFinding } from '../../domain/health/schedule-findings';
import { describeError } from '../../errors';
import type { HealthCheckDeps } from './deps';
import type { FleetCheck } from './fleet-checks';
import type { HealthCheckSettings } from './settings';

/** Reads the jobs once and decides `scheduler_unhealthy`. */
export async function scheduleCheck(
  deps: HealthCheckDeps,
  settings: HealthCheckSettings,
): Promise<FleetCheck> {
  const watch = settings.schedules;
  if (!deps.schedules || !watch || watch.watched.length === 0) {
    return { findings: [], evaluated: [], note: 'schedules not checked: no scheduler to read' };
  }
  try {
    const snapshot = await deps.schedules.readJobs();
    const problems = scheduleProblems(watch.watched, snapshot.jobs, new Date(snapshot.readAt), watch.graceMs);
    const finding = schedulerFinding(problems, snapshot.parent);
    return {
      findings: finding ? [finding] : [],
      evaluated: [findingKey({ kind: 'scheduler_unhealthy' })],
    };
  } catch (err) {
    return { findings: [], evaluated: [], note: `schedules unknown: ${describeError(err)}` };
  }
}
