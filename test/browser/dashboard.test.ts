/**
 * The dashboard in headless Chromium (Debian's, driven by playwright-core)
 * over a running local stack: the fleet table shows the seeded books; after
 * `demo degrade` and a health check asked for from the page's own button, a
 * critical alert for the book appears; after an emergency rollback, the
 * rollback shows in the history. Skips, saying why, only where Chromium is
 * not installed (CI installs it: .ci/install-test-deps).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { main } from '../../cli/main';
import { startLocalStack, type LocalStack } from '../../shared/local-stack/stack';
import { chromiumDescribe, openChromiumPage } from '../helpers/chromium';
import { reportFigure } from '../helpers/figures';

const ALCHEMIST = '9780722532935';

const describeWithChromium = chromiumDescribe('dashboard browser test');

async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(args, {
    env: { ...process.env, ...env },
    streams: { stdout: (s) => (out += s), stderr: (s) => (out += s) },
  });
  return { code, out };
}

describeWithChromium('dashboard in Chromium', () => {
  let stateDir: string;
  let stack: LocalStack | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let problems: string[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-browser-'));
    // Production's rules, so the degraded book pages (critical) rather than waiting for the digest.
    env = { FG_STATE_DIR: stateDir, FG_ENVIRONMENT: 'production', FG_LOG_LEVEL: 'warning' };
    stack = await startLocalStack({
      env: { ...process.env, ...env },
      only: ['health-check', 'alert-dispatch'],
      schedules: false,
      port: 0,
    });
    ({ browser, page, problems } = await openChromiumPage());
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (process.env.FG_KEEP_SCREENSHOTS !== '1') rmSync(stateDir, { recursive: true, force: true });
  });

  it('shows the fleet: 12 books, The Alchemist serving its last-known-good version', async () => {
    await page.goto(stack!.dashboardUrl);
    await page.locator('#fleet tbody tr[data-isbn]').nth(11).waitFor();
    expect(await page.locator('#fleet tbody tr[data-isbn]').count()).toBe(12);
    const row = page.locator(`#fleet tbody tr[data-isbn="${ALCHEMIST}"]`);
    await expect(row.locator('td').nth(1).textContent()).resolves.toBe('The Alchemist');
    await expect(row.locator('td').nth(2).textContent()).resolves.toBe('v3');
    await expect(row.locator('td').nth(3).textContent()).resolves.toBe('v3');
    await expect(page.locator('#env').textContent()).resolves.toBe('environment: production');
    await expect(page.locator('#alerts tbody').textContent()).resolves.toContain('nothing is firing');
    // The chart is drawn for the selected book.
    await page.waitForSelector('#chart-svg svg polyline');
    await expect(page.locator('#chart-title').textContent()).resolves.toContain('The Alchemist');
  });

  it('shows a firing alert after demo degrade and a health check asked for from the page', async () => {
    const degraded = await cli(['demo', 'degrade', '--isbn', ALCHEMIST], env);
    expect(degraded).toMatchObject({ code: 0 });
    const clicked = performance.now();
    await page.click('#run-check');
    const alertRow = page.locator(`#alerts tbody tr:has(code:text("${ALCHEMIST}"))`).first();
    await alertRow.waitFor({ timeout: 30_000 });
    reportFigure(
      'dashboard',
      'button → firing alert on the page',
      `${Math.round(performance.now() - clicked)} ms`,
    );
    await expect(alertRow.locator('td').first().textContent()).resolves.toBe('critical');
    const summary = await alertRow.locator('td').nth(3).textContent();
    expect(summary).toMatch(/RMSE|MAPE|condition/);
    // The fleet row now says the book is unhealthy and serves a version other than its last known good.
    const row = page.locator(`#fleet tbody tr[data-isbn="${ALCHEMIST}"]`);
    await row.locator('.pill', { hasText: /^unhealthy$/ }).waitFor({ timeout: 10_000 });
    await expect(row.locator('td').nth(2).textContent()).resolves.toBe('v4');
  }, 45_000);

  it('shows the emergency rollback in the history, and the book back on v3', async () => {
    const rolled = await cli(['rollback', '--isbn', ALCHEMIST, '--emergency', '--by', 'browser-test'], env);
    expect(rolled).toMatchObject({ code: 0 });
    const history = page.locator(`#rollbacks tbody tr[data-isbn="${ALCHEMIST}"]`).first();
    await history.waitFor({ timeout: 15_000 });
    await expect(history.locator('td').nth(2).textContent()).resolves.toBe('v4 → v3');
    await expect(history.locator('td').nth(3).textContent()).resolves.toBe('succeeded');
    const serving = page.locator(`#fleet tbody tr[data-isbn="${ALCHEMIST}"] td:nth-child(3)`);
    await serving.filter({ hasText: /^v3$/ }).waitFor({ timeout: 10_000 });
    const shot = join(stateDir, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    reportFigure('dashboard', 'screenshot', shot);
    expect(problems).toEqual([]);
  }, 30_000);
});
