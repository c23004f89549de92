/**
 * The watch panel (GET /api/watch and its section): with the backend's clock
 * pinned, a newest health report more than two hours old (or none) is stale
 * and carries the banner's line; the scheduler's watched jobs come back with
 * what is wrong with each, by the rules that raise `scheduler_unhealthy`;
 * no scheduler and an unreadable one are said plainly.
 */
import { SqliteStateStore } from '../../../shared/adapters/local/sqlite-state-store';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import { DASHBOARD_PAGE } from '../../../shared/dashboard/page';
import { PANELS } from '../../../shared/dashboard/panels';
import { watchPanel, type WatchView } from '../../../shared/dashboard/panels/watch';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dashboardHandler } from '../../../shared/dashboard/server';
import type { ViewPorts } from '../../../shared/dashboard/views';
import type { ScheduleMonitor, ScheduleSnapshot } from '../../../shared/ports/schedule-monitor';

const NOW = '2025-03-04T12:00:00.000Z';
const clock = { now: () => new Date(NOW), sleep: async () => undefined };

function healthyJobs(readAt: string): ScheduleSnapshot {
  return {
    readAt,
    parent: 'projects/p/locations/europe-west2',
    jobs: [
      {
        id: 'hourly-health-check',
        state: 'PAUSED',
        schedule: '0 * * * *',
        timeZone: 'Etc/UTC',
        lastAttemptAt: '2025-03-04T09:00:00.000Z',
        lastAttemptStatus: { code: 0 },
        updatedAt: '2025-03-01T00:00:00.000Z',
      },
      {
        id: 'daily-summary',
        state: 'ENABLED',
        schedule: '0 8 * * *',
        timeZone: 'Europe/London',
        lastAttemptAt: '2025-03-04T08:00:00.200Z',
        lastAttemptStatus: { code: 0 },
        updatedAt: '2025-03-01T00:00:00.000Z',
      },
    ],
  };
}

describe('the watch panel', () => {
  let state: SqliteStateStore;
  let server: Server;
  let url: string;
  let schedules: ScheduleMonitor | undefined;

  beforeEach(async () => {
    state = new SqliteStateStore(':memory:', { clock });
    const ports = {
      config: { environment: 'development', thresholds: {} },
      state,
      clock,
      get schedules() {
        return schedules;
      },
    } as unknown as ViewPorts;
    // No view cache: each test reads the view again after changing the state.
    const handler = dashboardHandler({ backend: ports }, { cacheMs: 0 });
    server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    await state.close();
  });

  const watch = async (): Promise<WatchView> => {
    const res = await fetch(`${url}/api/watch`);
    expect(res.status).toBe(200);
    return (await res.json()) as WatchView;
  };
  const report = (runId: string, finishedAt: string) =>
    state.set(COLLECTIONS.healthReports, runId, {
      runId,
      trigger: 'schedule',
      startedAt: finishedAt,
      finishedAt,
      durationMs: 1000,
      status: 'healthy',
      registry: { ok: true, latencyMs: 1 },
      models: [],
      alerts: [],
      correlationId: `c-${runId}`,
    });

  it('is on the page once, as one section with its banner, style and script', () => {
    expect(PANELS.filter((p) => p.id === 'watch-section')).toHaveLength(1);
    expect(DASHBOARD_PAGE.match(/<section id="watch-section">/g)).toHaveLength(1);
    expect(DASHBOARD_PAGE).toContain('id="watch-banner"');
    expect(() => new Function(watchPanel.script ?? '')).not.toThrow();
    expect(watchPanel.script).not.toMatch(/innerHTML/);
  });

  it('says when no health report was ever written, and when there is no scheduler to read', async () => {
    schedules = undefined;
    const view = await watch();
    expect(view).toMatchObject({ now: NOW, newestReport: null, schedules: null });
    expect(view.age).toMatchObject({ stale: true, ageMs: null });
    expect(view.age.line).toMatch(/^No health report has ever been written/);
  });

  it('is quiet for a report two hours old and loud a minute later, by the backend clock', async () => {
    await report('hc-two-hours', '2025-03-04T10:00:00.000Z');
    expect((await watch()).age).toEqual({ stale: false, ageMs: 2 * 3_600_000, line: null });
    await report('hc-older', '2025-03-04T09:30:00.000Z');
    await state.delete(COLLECTIONS.healthReports, 'hc-two-hours');
    await report('hc-late', '2025-03-04T09:59:00.000Z');
    const view = await watch();
    expect(view.newestReport).toEqual({
      runId: 'hc-late',
      finishedAt: '2025-03-04T09:59:00.000Z',
      trigger: 'schedule',
    });
    expect(view.age.stale).toBe(true);
    expect(view.age.line).toMatch(
      /^No health report for 2\.0 h \(the newest, hc-late, finished 2025-03-04T09:59:00.000Z/,
    );
  });

  it('lists every watched job with what is wrong with it, the missing one included', async () => {
    schedules = {
      readJobs: async () => healthyJobs('2025-03-04T12:05:00.000Z'),
      close: async () => undefined,
    };
    const view = await watch();
    if (view.schedules === null || 'error' in view.schedules) throw new Error('expected jobs');
    expect(view.schedules.jobs.map((j) => [j.id, j.state, j.severity, j.problem])).toEqual([
      ['hourly-health-check', 'PAUSED', 'critical', 'hourly-health-check is PAUSED'],
      ['daily-summary', 'ENABLED', 'warning', null],
      ['alert-dispatch-flush', 'MISSING', 'warning', 'alert-dispatch-flush does not exist'],
    ]);
  });

  it('says the scheduler could not be read, and why', async () => {
    schedules = {
      readJobs: async () => {
        throw new Error('7 PERMISSION_DENIED: cloudscheduler.jobs.list denied');
      },
      close: async () => undefined,
    };
    const view = await watch();
    expect(view.schedules).toEqual({ error: expect.stringContaining('PERMISSION_DENIED') });
  });
});
