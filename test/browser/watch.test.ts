/**
 * The watch panel in headless Chromium (Debian's, driven by playwright-core):
 * with the backend's clock pinned three hours after the newest health
 * report, the page shows the red banner at the top, and the scheduler's jobs
 * as the real CloudSchedulerClient reads them from the local Cloud Scheduler
 * server, the paused hourly job marked. Saves a screenshot as a test
 * artefact. Skips, saying why, only where Chromium is not installed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CloudSchedulerMonitor } from '../../shared/adapters/gcp/cloud-scheduler-monitor';
import { SqliteStateStore } from '../../shared/adapters/local/sqlite-state-store';
import { COLLECTIONS } from '../../shared/contracts/collections';
import { startDashboard, type DashboardServer } from '../../shared/dashboard/server';
import type { ViewPorts } from '../../shared/dashboard/views';
import { LocalScheduler } from '../../shared/local-stack/scheduler';
import { startSchedulerApi, type SchedulerApiServer } from '../../shared/local-stack/scheduler-api/server';
import { HTTP_SCHEDULES, SCHEDULES } from '../../shared/topology';
import { chromiumDescribe, openChromiumPage } from '../helpers/chromium';
import { reportFigure } from '../helpers/figures';

const describeWithChromium = chromiumDescribe('watch panel browser test');

const NOW = '2025-03-04T12:00:00.000Z';

describeWithChromium('the watch panel in Chromium', () => {
  let dir: string;
  let state: SqliteStateStore;
  let scheduler: LocalScheduler;
  let api: SchedulerApiServer;
  let monitor: CloudSchedulerMonitor;
  let dashboard: DashboardServer;
  let browser: Browser | undefined;
  let page: Page;
  let problems: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fg-watch-browser-'));
    const clock = { now: () => new Date(NOW), sleep: async () => undefined };
    state = new SqliteStateStore(':memory:', { clock });
    await state.set(COLLECTIONS.healthReports, 'hc-last', {
      runId: 'hc-last',
      trigger: 'schedule',
      startedAt: '2025-03-04T09:00:00.000Z',
      finishedAt: '2025-03-04T09:00:30.000Z',
      durationMs: 30_000,
      status: 'healthy',
      registry: { ok: true, latencyMs: 3 },
      models: [],
      alerts: [],
      correlationId: 'c-last',
    });
    const wall = { now: () => new Date(NOW) };
    scheduler = new LocalScheduler({
      schedules: SCHEDULES,
      httpSchedules: HTTP_SCHEDULES,
      clock: wall,
      publish: async () => 'm-1',
      invoke: async () => 204,
    });
    for (const s of [...SCHEDULES, ...HTTP_SCHEDULES]) await scheduler.runNow(s.name);
    scheduler.setPaused('hourly-health-check', true);
    api = await startSchedulerApi({
      projectId: 'demo-forecast-guard',
      location: 'europe-west2',
      source: scheduler,
    });
    monitor = new CloudSchedulerMonitor({
      projectId: 'demo-forecast-guard',
      location: 'europe-west2',
      apiEndpoint: api.apiEndpoint,
      clock: wall,
    });
    const ports = {
      config: { environment: 'production', thresholds: { overrides: {} } },
      state,
      clock,
      registry: { listModels: async () => [] },
      schedules: monitor,
    } as unknown as ViewPorts;
    dashboard = await startDashboard({ port: 0, source: { backend: ports } });
    ({ browser, page, problems } = await openChromiumPage());
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await monitor?.close();
    await api?.close();
    await scheduler?.stop();
    await state?.close();
    if (process.env.FG_KEEP_SCREENSHOTS !== '1') rmSync(dir, { recursive: true, force: true });
  });

  it('shows the banner at the top and the paused hourly job, by the backend clock', async () => {
    await page.goto(dashboard.url);
    const banner = page.locator('#watch-banner');
    await banner.waitFor({ state: 'visible', timeout: 20_000 });
    await expect(banner.textContent()).resolves.toMatch(/^No health report for 2\.9 h \(the newest, hc-last/);
    // The section moved above the fleet table.
    const [watchTop, fleetTop] = await Promise.all([
      page.locator('#watch-section').boundingBox(),
      page.locator('#fleet-section').boundingBox(),
    ]);
    expect(watchTop!.y).toBeLessThan(fleetTop!.y);
    const hourly = page.locator('#watch-jobs tr[data-job="hourly-health-check"]');
    await hourly.waitFor();
    await expect(hourly.locator('td').nth(1).textContent()).resolves.toBe('PAUSED');
    await expect(hourly.locator('td').nth(6).textContent()).resolves.toBe('hourly-health-check is PAUSED');
    await expect(
      page.locator('#watch-jobs tr[data-job="daily-summary"] td').nth(6).textContent(),
    ).resolves.toBe('healthy');
    await expect(page.locator('#watch-where').textContent()).resolves.toContain(
      'projects/demo-forecast-guard/locations/europe-west2',
    );
    const shot = join(dir, 'watch-panel.png');
    await page.screenshot({ path: shot, fullPage: true });
    reportFigure('dashboard', 'watch panel screenshot', shot);
    expect(problems).toEqual([]);
  }, 45_000);
});
