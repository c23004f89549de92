/**
 * The insight views in headless Chromium (Debian's, driven by playwright-core)
 * over a running local stack: health checks six hours apart on the fleet
 * clock, `demo degrade` on The Alchemist, a check, an emergency rollback,
 * another check; then the Trends panel shows one point per check with the
 * rollback marker, the Version comparison shows v3 beside v4 with both
 * versions' figures, the Data drift panel draws paired bars with a PSI label
 * per bin beside the finding, the Cost panel shows the fleet total, the
 * dominant cost and the recommendations with their savings as `cost --json`
 * gives them, and Fleet over time draws every run. Screenshots of the
 * page and of each panel are saved under test-artifacts/insight/ (git-ignored)
 * and their paths printed. Skips, saying why, only where Chromium is not
 * installed (CI installs it: .ci/install-test-deps).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { FleetManifest } from '../../shared/fleet/manifest';
import { startLocalStack, type LocalStack } from '../../shared/local-stack/stack';
import { FLEET_MANIFEST_FILE } from '../../shared/wiring/fleet-clock';
import { runCli } from '../helpers/cli';
import { chromiumDescribe, openChromiumPage } from '../helpers/chromium';
import { reportFigure } from '../helpers/figures';

const ALCHEMIST = '9780722532935';
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts', 'insight');
const HOURS = 3_600_000;

const describeWithChromium = chromiumDescribe('insight browser test');

/**
 * Moves the embedded backend's clock on by `ms` for every process that opens
 * the state directory from now on: that clock is `asOf` plus the time since
 * `seededAt` (shared/wiring/fleet-clock.ts), so an earlier `seededAt` is a
 * later "now". The CLI opens the backend afresh for each command, so each
 * health check below sees the world six hours on from the one before.
 */
function advanceFleetClock(stateDir: string, ms: number): void {
  const file = join(stateDir, FLEET_MANIFEST_FILE);
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as FleetManifest;
  manifest.seededAt = new Date(Date.parse(manifest.seededAt) - ms).toISOString();
  writeFileSync(file, JSON.stringify(manifest, null, 2));
}

describeWithChromium('insight views for The Alchemist in Chromium', () => {
  let stateDir: string;
  let stack: LocalStack | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let problems: string[] = [];
  let env: Record<string, string>;

  const check = async () => {
    advanceFleetClock(stateDir, 6 * HOURS);
    const run = await runCli(env, 'health', 'run', '--json');
    // 1 = alerts fire (the degraded book): the check ran all the same.
    expect([0, 1]).toContain(run.code);
    return run.json() as { runId: string; status: string };
  };

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-insight-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    env = {
      ...(process.env as Record<string, string>),
      FG_STATE_DIR: stateDir,
      FG_ENVIRONMENT: 'production',
      FG_LOG_LEVEL: 'warning',
    };
    stack = await startLocalStack({ env, only: ['alert-dispatch'], schedules: false, port: 0 });
    ({ browser, page, problems } = await openChromiumPage());
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('names The Alchemist the worst mover after three checks, a degrade and a check', async () => {
    for (let i = 0; i < 3; i++) expect((await check()).status).toBe('healthy');
    const degraded = await runCli(env, 'demo', 'degrade', '--isbn', ALCHEMIST);
    expect(degraded.code).toBe(0);
    expect((await check()).status).toBe('unhealthy');
    await page.goto(stack!.dashboardUrl);
    const mover = page.locator('#movers tbody tr[data-isbn]').first();
    await mover.waitFor({ timeout: 15_000 });
    await expect(mover.getAttribute('data-isbn')).resolves.toBe(ALCHEMIST);
    await expect(mover.locator('td').nth(1).textContent()).resolves.toBe('The Alchemist');
    await expect(mover.locator('td').nth(2).textContent()).resolves.toBe('v3 → v4');
    await expect(mover.locator('td').nth(4).textContent()).resolves.toMatch(/^\+\d+\.\d pp$/);
    // Healthy books did not move: the degraded one is the only mover.
    await expect(page.locator('#movers tbody tr[data-isbn]').count()).resolves.toBe(1);
    const path = join(ARTIFACTS, 'worst-movers-after-degrade.png');
    await page.locator('#fleet-trend-section').screenshot({ path });
    console.log(`insight screenshot: ${path}`);
  }, 120_000);

  it('then rolls The Alchemist back in an emergency and checks again', async () => {
    advanceFleetClock(stateDir, 1 * HOURS);
    const rolled = await runCli(env, 'rollback', '--isbn', ALCHEMIST, '--emergency', '--by', 'insight-test');
    expect(rolled.code).toBe(0);
    expect((await check()).status).toBe('healthy');
  }, 60_000);

  it('shows the trend: one point per check, the version change and the rollback marker', async () => {
    const points = page.locator('#trend-rmse circle.trend-point');
    await points.nth(4).waitFor({ timeout: 15_000 });
    expect(await points.count()).toBe(5);
    // Five distinct times: the fleet clock moved between the checks.
    const times = await points.evaluateAll((els) => els.map((e) => e.getAttribute('data-at')));
    expect(new Set(times).size).toBe(5);
    await expect(page.locator('#trend-rmse line.trend-marker[data-kind="rollback"]').count()).resolves.toBe(
      1,
    );
    await expect(
      page.locator('#trend-rmse line.trend-marker[data-kind="version-change"]').count(),
    ).resolves.toBe(2);
    const rollbackRow = page.locator('#trend-markers tbody tr[data-kind="rollback"]');
    await expect(rollbackRow.locator('td').nth(2).textContent()).resolves.toMatch(
      /rollback succeeded v4 → v3 by insight-test/,
    );
    // The production RMSE and MAPE limits are drawn (absolute, and relative to each version's baseline).
    expect(await page.locator('#trend-mape line.limit-relative').count()).toBeGreaterThan(0);
    // The unhealthy check is the red dot.
    const colours = await points.evaluateAll((els) => els.map((e) => e.getAttribute('fill')));
    expect(colours.filter((c) => c === '#cf222e')).toHaveLength(1);
    await expect(page.locator('#trend-summary').textContent()).resolves.toMatch(/v3 healthy/);
  }, 30_000);

  it('compares the serving v3 with v4, each with its forecast and figures', async () => {
    const table = page.locator('#compare-table');
    await table.locator('tbody tr[data-versions]').waitFor({ timeout: 15_000 });
    await expect(table.locator('tbody tr').first().getAttribute('data-versions')).resolves.toBe('3,4');
    await expect(page.locator('#compare-head-a').textContent()).resolves.toBe('v3');
    await expect(page.locator('#compare-head-b').textContent()).resolves.toBe('v4');
    const rows: string[][] = [];
    const trs = table.locator('tbody tr');
    for (let i = 0; i < (await trs.count()); i++)
      rows.push(await trs.nth(i).locator('th, td').allTextContents());
    const row = (label: string) => rows.find((r) => r[0] === label) ?? [];
    expect(row('holdout RMSE / MAPE')[1]).toMatch(/^\d+\.\d \/ \d+\.\d %$/);
    expect(row('holdout RMSE / MAPE')[2]).toMatch(/^\d+\.\d \/ \d+\.\d %$/);
    expect(row('health checks that scored it').slice(1)).toEqual(['4', '1']);
    expect(row('latest live RMSE / MAPE')[2]).toMatch(/\(unhealthy\)$/);
    // v4's live RMSE (it over-forecasts) is above v3's.
    const liveRmse = (cell: string | undefined) => Number((cell ?? '').split(' ')[0]);
    expect(liveRmse(row('latest live RMSE / MAPE')[2])).toBeGreaterThan(
      liveRmse(row('latest live RMSE / MAPE')[1]),
    );
    await expect(page.locator('#compare-chart polyline.compare-actual').count()).resolves.toBe(1);
    await expect(page.locator('#compare-chart polyline.compare-a').count()).resolves.toBe(1);
  }, 30_000);

  it('draws the drift picture: paired bars, a PSI label per bin, and the finding', async () => {
    await page.locator('#drift-title', { hasText: `${ALCHEMIST} v3` }).waitFor({ timeout: 15_000 });
    const bins = 4;
    expect(await page.locator('#drift-svg rect.bar-reference').count()).toBe(bins);
    expect(await page.locator('#drift-svg rect.bar-recent').count()).toBe(bins);
    const labels = await page.locator('#drift-svg text.bin-psi').allTextContents();
    expect(labels).toHaveLength(bins);
    for (const l of labels) expect(l).toMatch(/^PSI \d+\.\d{3}$/);
    const axis = await page.locator('#drift-svg text.bin-label').allTextContents();
    expect(axis[0]).toMatch(/^< [\d.]+ a week$/);
    expect(axis[bins - 1]).toMatch(/^≥ [\d.]+ a week$/);
    // The bars are what the API says, and the labels add up to the finding's PSI.
    const api = (await page.evaluate(
      (isbn) => fetch(`/api/books/${isbn}/drift`).then((r) => r.json()),
      ALCHEMIST,
    )) as { psi: number };
    const sum = labels.reduce((s, l) => s + Number(l.slice(4)), 0);
    expect(sum).toBeCloseTo(api.psi, 2);
    const finding = await page.locator('#drift-finding').textContent();
    expect(finding).toContain(`PSI${api.psi.toFixed(3)} (threshold 0.25)`);
    expect(finding).toMatch(/chi-square\d+\.\d\d vs critical \d+\.\d\d/);
    expect(finding).toMatch(/significant\?(yes|no)/);
    expect(finding).toMatch(/data hash changed\?(yes|no)/);
    const shot = join(ARTIFACTS, 'drift.png');
    await page.locator('#drift-section').screenshot({ path: shot });
    reportFigure('insight', 'drift screenshot', shot);
    console.log(`drift screenshot: ${shot}`);
  }, 30_000);

  it('shows the cost: fleet total, dominant cost and recommendations with savings, as cost --json says', async () => {
    const json = await runCli(env, 'cost', '--json');
    expect(json.code).toBe(0);
    const report = json.json() as {
      total: number;
      recommendations: Array<{ action: string; monthlySaving: number }>;
    };
    // The panel refreshes every 30 s: wait for the estimate after the degrade deployed v4.
    await page
      .locator('#cost-total', { hasText: `${report.total.toFixed(2)} USD` })
      .waitFor({ timeout: 45_000 });
    await expect(page.locator('#cost-dominant').textContent()).resolves.toMatch(
      /^Dominant cost: always-on online replicas: \d+ endpoint\(s\).*min replicas are already 1, the floor.*cheapest alternative: batch-prediction-fleet/,
    );
    const rows = page.locator('#cost-recommendations tbody tr[data-action]');
    const actions = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-action')));
    for (const a of ['batch-prediction-fleet', 'shared-endpoint', 'smaller-machine-type'])
      expect(actions).toContain(a);
    const fleetBatch = report.recommendations.find((r) => r.action === 'batch-prediction-fleet');
    expect(fleetBatch).toBeDefined();
    await expect(
      page.locator('#cost-recommendations tr[data-action="batch-prediction-fleet"] td').nth(2).textContent(),
    ).resolves.toBe(`${fleetBatch?.monthlySaving.toFixed(2)} USD`);
    expect(await page.locator(`#cost-books tbody tr[data-isbn]`).count()).toBeGreaterThan(0);
    await expect(page.locator('#cost-own').textContent()).resolves.toMatch(/^\d+\.\d{4} USD$/);
    const shot = join(ARTIFACTS, 'cost.png');
    await page.locator('#cost-section').screenshot({ path: shot });
    reportFigure('insight', 'cost screenshot', shot);
    console.log(`cost screenshot: ${shot}`);
    reportFigure('insight', 'fleet serving total', `${report.total} USD a month`);
  }, 60_000);
  it('shows the fleet over time and the worst movers, then saves the screenshots', async () => {
    const bars = page.locator('#fleet-trend-chart rect.fleet-bar');
    await bars.first().waitFor({ timeout: 15_000 });
    const runs = await bars.evaluateAll((els) => new Set(els.map((e) => e.getAttribute('data-run'))).size);
    expect(runs).toBe(5);
    await expect(
      page.locator('#fleet-trend-chart rect.fleet-bar[data-status="unhealthy"]').count(),
    ).resolves.toBe(1);
    // Back on v3, The Alchemist is where it started: nothing moved between the first and the last run.
    await expect(page.locator('#movers tbody').textContent()).resolves.toContain('no book got worse');

    const shots: string[] = [];
    const shoot = async (name: string, selector?: string) => {
      const path = join(ARTIFACTS, `${name}.png`);
      if (selector) await page.locator(selector).screenshot({ path });
      else await page.screenshot({ path, fullPage: true });
      shots.push(path);
    };
    await shoot('dashboard');
    await shoot('trends', '#trend-section');
    await shoot('version-comparison', '#compare-section');
    await shoot('fleet-over-time', '#fleet-trend-section');
    for (const shot of shots) expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
    reportFigure('insight', 'screenshots', shots.join(', '));
    console.log(`insight screenshots:\n${shots.join('\n')}`);
    expect(problems).toEqual([]);
  }, 30_000);
});
