/**
 * The health check's schedule step over real embedded adapters: a scheduler
 * it cannot read decides nothing (a firing `scheduler_unhealthy` is carried,
 * not resolved, and the run says why), and no scheduler at all is skipped.
 */
import type { ScheduleMonitor, ScheduleSnapshot } from '../../../../shared/ports/schedule-monitor';
import { runHealthCheck } from '../../../../shared/services/health-check';
import { buildWorld, type World } from './world';

const PAUSED: ScheduleSnapshot = {
  readAt: '2025-01-01T09:00:00.000Z',
  parent: 'projects/p/locations/l',
  jobs: [
    { id: 'hourly-health-check', state: 'PAUSED', updatedAt: '2025-01-01T08:30:00.000Z' },
    { id: 'daily-summary', state: 'ENABLED', updatedAt: '2025-01-01T08:30:00.000Z' },
    { id: 'alert-dispatch-flush', state: 'ENABLED', updatedAt: '2025-01-01T08:30:00.000Z' },
  ],
};

describe('the health check’s schedule step', () => {
  let world: World;
  beforeEach(async () => {
    world = await buildWorld(1);
  });
  afterEach(async () => world.close());

  const run = (n: number, schedules: ScheduleMonitor | undefined) =>
    runHealthCheck(
      { runId: `hc-sched-${n}`, trigger: 'manual', correlationId: `c-${n}` },
      { ...world.deps, ...(schedules ? { schedules } : {}) },
      world.settings(),
    );

  it('carries a firing scheduler_unhealthy through a run that cannot read the scheduler', async () => {
    const first = await run(1, { readJobs: async () => PAUSED, close: async () => undefined });
    expect(first.alerts.map((a) => `${a.status}:${a.kind}:${a.severity}`)).toEqual([
      'firing:scheduler_unhealthy:critical',
    ]);
    const unreadable: ScheduleMonitor = {
      readJobs: async () => {
        throw new Error('14 UNAVAILABLE: connect ECONNREFUSED');
      },
      close: async () => undefined,
    };
    const second = await run(2, unreadable);
    expect(second.alerts).toEqual([]);
    expect(second.report.alerts).toContainEqual({ kind: 'scheduler_unhealthy', severity: 'critical' });
    expect(world.logs.lines.some((l) => l.includes('schedules unknown: '))).toBe(true);
  });

  it('skips the step, deciding nothing, where there is no scheduler', async () => {
    const result = await run(3, undefined);
    expect(result.alerts).toEqual([]);
    expect(world.logs.lines.some((l) => l.includes('schedules not checked'))).toBe(true);
  });
});
