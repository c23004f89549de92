/**
 * `schedules [--json]`: who watches the fleet, as the dashboard's watch panel
 * shows it (shared/services/watch/): the newest health report's age by the
 * backend's clock, and each scheduler job infra/ creates with what is wrong
 * with it, by the rules that raise `scheduler_unhealthy`. On Google Cloud it
 * reads Cloud Scheduler; on one machine the running stack's scheduler
 * (FG_SCHEDULER_API_ENDPOINT, printed by `forecast-guard up`). Exit 0 when
 * all is well, 1 when the newest report is more than two hours old (or none
 * exists), a job is in trouble, or the scheduler cannot be read.
 */
import { watchStatus } from '../../shared/services/watch';
import { watchSettings } from '../../shared/wiring/schedule-monitor';
import { withBackend } from '../backend';
import type { Command } from '../command';
import { EXIT } from '../exit-codes';
import { helpOf } from './help-table';

export const schedulesCommand: Command = {
  ...helpOf('schedules'),
  async run(ctx) {
    const view = await withBackend(ctx, (backend) => watchStatus({}, backend, watchSettings()));
    if (view.age.line) ctx.out.line(view.age.line);
    else if (view.newestReport)
      ctx.out.line(
        `newest health report ${view.newestReport.runId} finished ${view.newestReport.finishedAt} (${((view.age.ageMs ?? 0) / 60_000).toFixed(0)} min ago)`,
      );
    const s = view.schedules;
    if (s === null) {
      ctx.out.line(
        'no scheduler to read here: on one machine, start the stack (forecast-guard up) and set the FG_SCHEDULER_API_ENDPOINT it prints',
      );
    } else if ('error' in s) {
      ctx.out.line(`the scheduler could not be read: ${s.error}`);
    } else {
      ctx.out.line(`${s.parent}, read ${s.readAt}`);
      ctx.out.table(
        s.jobs.map((j) => ({
          job: j.id,
          state: j.state,
          schedule: j.schedule ? `${j.schedule} (${j.timeZone})` : undefined,
          lastAttempt: j.lastAttemptAt,
          code: j.lastAttemptCode,
          next: j.nextAt,
          health: j.problem ?? 'healthy',
        })),
      );
    }
    ctx.out.result(view);
    const troubled = s !== null && ('error' in s || s.jobs.some((j) => j.problem !== null));
    return view.age.stale || troubled ? EXIT.problem : EXIT.ok;
  },
};
