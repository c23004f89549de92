/**
 * "When no health report has been written for two hours, the dashboard and
 * the daily summary say so" (issue 14). The hourly health check writes one
 * report per run; two hours without one means two scheduled runs did not
 * happen or did not finish, whatever the scheduler says. Judged by the
 * backend's clock, which stamped the reports. Pure.
 */

/** Two missed hourly runs. */
export const HEALTH_REPORT_STALE_AFTER_MS = 2 * 3_600_000;

/** How old the newest health report is, and the sentence to show when it is too old. */
export interface ReportAge {
  /** True when there is no report, or the newest finished more than `staleAfterMs` ago. */
  stale: boolean;
  /** Milliseconds since the newest report finished; null when there is none. */
  ageMs: number | null;
  /** The warning line (dashboard banner, daily summary); null when not stale. */
  line: string | null;
}

/** Hours with one decimal, e.g. `3.5 h`. */
function hours(ms: number): string {
  return `${(Math.floor(ms / 360_000) / 10).toFixed(1)} h`;
}

/** The age of the newest report (its `finishedAt`, or undefined when none was ever written) at `now`. */
export function reportAge(
  newest: { runId: string; finishedAt: string } | undefined,
  now: Date,
  staleAfterMs: number = HEALTH_REPORT_STALE_AFTER_MS,
): ReportAge {
  if (!newest) {
    return {
      stale: true,
      ageMs: null,
      line: 'No health report has ever been written: the hourly health check has not run here.',
    };
  }
  const ageMs = Math.max(0, now.getTime() - Date.parse(newest.finishedAt));
  if (ageMs <= staleAfterMs) return { stale: false, ageMs, line: null };
  return {
    stale: true,
    ageMs,
    line: `No health report for ${hours(ageMs)} (the newest, ${newest.runId}, finished ${newest.finishedAt}; one is expected every hour): the health check is not running on its schedule (docs/runbooks/scheduler_unhealthy.md).`,
  };
}
