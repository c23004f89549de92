/**
 * `scheduler_unhealthy` from the jobs as read: which job, which problem, and
 * the severity (critical only for the health check's own job). Times are
 * pinned; "late" is judged against the newest cron minute at least the
 * grace old.
 */
import {
  jobProblem,
  scheduleProblems,
  schedulerFinding,
  type ExpectedJob,
  type ObservedJob,
} from '../../../../shared/domain/health/schedule-findings';
import { parseCron, previousCronTime } from '../../../../shared/domain/schedule/cron';

const HOURLY: ExpectedJob = {
  name: 'hourly-health-check',
  cron: '0 * * * *',
  timeZone: 'Etc/UTC',
  severity: 'critical',
};
const DAILY: ExpectedJob = {
  name: 'daily-summary',
  cron: '0 8 * * *',
  timeZone: 'Europe/London',
  severity: 'warning',
};
const GRACE = 10 * 60_000;
const at = (iso: string) => new Date(iso);
const ok = (id: string, lastAttemptAt: string, extra: Partial<ObservedJob> = {}): ObservedJob => ({
  id,
  state: 'ENABLED',
  lastAttemptAt,
  lastAttemptStatus: { code: 0 },
  updatedAt: '2025-01-01T00:00:00.000Z',
  ...extra,
});

describe('previousCronTime', () => {
  it('finds the due minute at or before a time, in the schedule’s time zone', () => {
    expect(
      previousCronTime(parseCron('0 * * * *'), 'Etc/UTC', at('2025-06-01T10:00:00Z'))?.toISOString(),
    ).toBe('2025-06-01T10:00:00.000Z');
    expect(
      previousCronTime(parseCron('0 * * * *'), 'Etc/UTC', at('2025-06-01T10:59:59Z'))?.toISOString(),
    ).toBe('2025-06-01T10:00:00.000Z');
    // 08:00 London is 07:00 UTC in British Summer Time.
    expect(
      previousCronTime(parseCron('0 8 * * *'), 'Europe/London', at('2025-06-01T06:59:00Z'))?.toISOString(),
    ).toBe('2025-05-31T07:00:00.000Z');
  });
});

describe('jobProblem', () => {
  const now = at('2025-01-01T10:20:00Z');

  it('finds a job that ran at its last due minute healthy', () => {
    expect(jobProblem(HOURLY, ok(HOURLY.name, '2025-01-01T10:00:00.400Z'), now, GRACE)).toBeUndefined();
    // Within the grace of the 10:00 minute, the 09:00 attempt is the one that must have happened.
    expect(
      jobProblem(HOURLY, ok(HOURLY.name, '2025-01-01T09:00:01Z'), at('2025-01-01T10:05:00Z'), GRACE),
    ).toBeUndefined();
  });

  it('names each problem in turn: missing, not enabled, failed, late, never ran', () => {
    expect(jobProblem(HOURLY, undefined, now, GRACE)).toMatchObject({
      problem: 'missing',
      severity: 'critical',
    });
    for (const state of ['PAUSED', 'DISABLED', 'UPDATE_FAILED', 'STATE_UNSPECIFIED'])
      expect(
        jobProblem(HOURLY, ok(HOURLY.name, '2025-01-01T10:00:00Z', { state }), now, GRACE),
      ).toMatchObject({
        problem: 'not_enabled',
        says: `is ${state}`,
      });
    expect(
      jobProblem(
        DAILY,
        ok(DAILY.name, '2025-01-01T08:00:00Z', {
          lastAttemptStatus: { code: 7, message: 'no publisher role' },
        }),
        now,
        GRACE,
      ),
    ).toMatchObject({
      problem: 'last_attempt_failed',
      severity: 'warning',
      says: 'last attempt failed (PERMISSION_DENIED: no publisher role)',
    });
    expect(jobProblem(HOURLY, ok(HOURLY.name, '2025-01-01T09:00:00Z'), now, GRACE)).toMatchObject({
      problem: 'late',
      dueAt: '2025-01-01T10:00:00.000Z',
    });
    expect(jobProblem(HOURLY, ok(HOURLY.name, '', { lastAttemptAt: undefined }), now, GRACE)).toMatchObject({
      problem: 'late',
      says: 'has never run (an attempt was due at 2025-01-01T10:00:00.000Z)',
    });
  });

  it('gives a job created or resumed after its due minute its first chance', () => {
    const fresh = ok(HOURLY.name, '', { lastAttemptAt: undefined, updatedAt: '2025-01-01T10:10:00Z' });
    expect(jobProblem(HOURLY, fresh, now, GRACE)).toBeUndefined();
    expect(jobProblem(HOURLY, fresh, at('2025-01-01T11:20:00Z'), GRACE)).toMatchObject({ problem: 'late' });
  });
});

describe('schedulerFinding', () => {
  const now = at('2025-01-01T10:20:00Z');

  it('is absent when every job is healthy', () => {
    const jobs = [ok(HOURLY.name, '2025-01-01T10:00:00Z'), ok(DAILY.name, '2025-01-01T08:00:00Z')];
    expect(schedulerFinding(scheduleProblems([HOURLY, DAILY], jobs, now, GRACE), 'p')).toBeUndefined();
  });

  it('is critical when the health check’s own job is in trouble, a warning for the daily summary alone', () => {
    const paused = [
      ok(HOURLY.name, '2025-01-01T10:00:00Z', { state: 'PAUSED' }),
      ok(DAILY.name, '2025-01-01T08:00:00Z'),
    ];
    const critical = schedulerFinding(
      scheduleProblems([HOURLY, DAILY], paused, now, GRACE),
      'projects/p/locations/l',
    );
    expect(critical).toMatchObject({
      kind: 'scheduler_unhealthy',
      severity: 'critical',
      summary: 'Scheduler job hourly-health-check is PAUSED: hourly health checks will not run on their own',
      details: { scheduler: 'projects/p/locations/l' },
    });
    expect(critical?.isbn).toBeUndefined();
    const daily = schedulerFinding(
      scheduleProblems([HOURLY, DAILY], [ok(HOURLY.name, '2025-01-01T10:00:00Z')], now, GRACE),
      'p',
    );
    expect(daily).toMatchObject({
      severity: 'warning',
      summary: 'Scheduler job daily-summary does not exist',
    });
  });
});
