/**
 * Which scheduler the health check reads its own schedules from
 * (`scheduler_unhealthy`):
 * - on Google Cloud, Cloud Scheduler in the project and FG_REGION, where
 *   infra/scheduler.tf creates the jobs;
 * - wherever FG_SCHEDULER_API_ENDPOINT points: `forecast-guard up` sets it to
 *   its own scheduler, served over the Cloud Scheduler API
 *   (shared/local-stack/scheduler-api/), so the local stack is checked by
 *   the same client and the same rules;
 * - nowhere otherwise: a CLI run on one machine with no stack running, or a
 *   gcp backend on the emulators without a scheduler server (Google's own
 *   would be the wrong project's), has no schedule to check.
 */
import type { Config } from '../config';
import { CloudSchedulerMonitor } from '../adapters/gcp/cloud-scheduler-monitor';
import { HEALTH_REPORT_STALE_AFTER_MS } from '../domain/health/report-age';
import { DEFAULT_SCHEDULE_GRACE_MS } from '../domain/health/schedule-findings';
import type { ScheduleMonitor } from '../ports/schedule-monitor';
import type { WatchSettings } from '../services/watch';
import { WATCHED_SCHEDULES } from '../topology';

/** The project the local stack's scheduler serves when no GOOGLE_CLOUD_PROJECT is set. */
export const LOCAL_SCHEDULER_PROJECT = 'demo-forecast-guard';

/** `{ projectId, location }` whose jobs the health check reads. */
export function schedulerLocation(config: Config): { projectId: string; location: string } {
  return { projectId: config.gcp.projectId ?? LOCAL_SCHEDULER_PROJECT, location: config.gcp.region };
}

/** The monitor for this config, or undefined when there is no scheduler to read (see the file comment). */
export function openScheduleMonitor(config: Config): ScheduleMonitor | undefined {
  const endpoint = config.gcp.schedulerApiEndpoint;
  const emulated = Boolean(config.gcp.emulators.pubsub || config.gcp.emulators.firestore);
  const onGoogle = config.backend === 'gcp' && !emulated && config.gcp.projectId !== undefined;
  if (endpoint === undefined && !onGoogle) return undefined;
  return new CloudSchedulerMonitor({
    ...schedulerLocation(config),
    ...(endpoint === undefined ? {} : { apiEndpoint: endpoint }),
  });
}

/** What the dashboard's watch panel and `forecast-guard schedules` judge: the jobs infra/ creates, by the health check's rules. */
export function watchSettings(): WatchSettings {
  return {
    watched: WATCHED_SCHEDULES,
    graceMs: DEFAULT_SCHEDULE_GRACE_MS,
    staleAfterMs: HEALTH_REPORT_STALE_AFTER_MS,
  };
}
