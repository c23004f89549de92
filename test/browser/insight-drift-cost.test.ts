/**
 * The drift and cost panels in headless Chromium (Debian's, driven by
 * playwright-core) over a running local stack, for The Alchemist after
 * `demo degrade`, a health check and an emergency rollback: the drift panel
 * draws paired bars with a PSI label per bin beside the finding, and the
 * cost panel shows the fleet total, the dominant cost and the
 * recommendations with their savings, the same figures `cost --json` gives.
 * Screenshots are saved under test-artifacts/ (git-ignored) and their paths
 * printed. Skips, saying why, only where Chromium is not installed.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { main } from '../../cli/main';
import { realClockEnv } from '../../shared/adapters/gcp/emulators';
import { startLocalStack, type LocalStack } from '../../shared/local-stack/stack';
import { reportFigure } from '../helpers/figures';

const CHROMIUM = '/usr/bin/chromium';
const ALCHEMIST = '9780722532935';
const ARTEFACTS = join(__dirname, '../../test-artifacts/insight-drift-cost');

const describeWithChromium = existsSync(CHROMIUM) ? describe : describe.skip;
if (!existsSync(CHROMIUM)) {
  console.warn(
    `SKIPPED drift and cost browser test: ${CHROMIUM} is not installed (apt-get install chromium)`,
  );
}

async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(args, {
    env: { ...process.env, ...env },
    streams: { stdout: (s) => (out += s), stderr: () => {} },
  });
  return { code, out };
}

describeWithChromium('drift and cost panels in Chromium', () => {
  let stateDir: string;
  let stack: LocalStack | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const problems: string[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-insight-drift-cost-'));
    mkdirSync(ARTEFACTS, { recursive: true });
    env = { FG_STATE_DIR: stateDir, FG_ENVIRONMENT: 'production', FG_LOG_LEVEL: 'warning' };
    stack = await startLocalStack({
      env: { ...process.env, ...env },
      only: ['health-check', 'alert-dispatch'],
      schedules: false,
      port: 0,
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      env: realClockEnv(process.env),
      args: [
        '--headless',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('after a degrade, a health check and a rollback, The Alchemist is back on v3', async () => {
    await page.goto(stack!.dashboardUrl);
    await page.locator(`#fleet tbody tr[data-isbn="${ALCHEMIST}"]`).waitFor();
    expect(await cli(['demo', 'degrade', '--isbn', ALCHEMIST], env)).toMatchObject({ code: 0 });
    await page.click('#run-check');
    await page
      .locator(`#alerts tbody tr:has(code:text("${ALCHEMIST}"))`)
      .first()
      .waitFor({ timeout: 30_000 });
    const rolled = await cli(['rollback', '--isbn', ALCHEMIST, '--emergency', '--by', 'browser-test'], env);
    expect(rolled).toMatchObject({ code: 0 });
    await page
      .locator(`#fleet tbody tr[data-isbn="${ALCHEMIST}"] td:nth-child(3)`)
      .filter({ hasText: /^v3$/ })
      .waitFor({ timeout: 15_000 });
    await page.click(`#fleet tbody tr[data-isbn="${ALCHEMIST}"]`);
  }, 60_000);

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
    const shot = join(ARTEFACTS, 'drift.png');
    await page.locator('#drift-section').screenshot({ path: shot });
    reportFigure('insight-drift-cost', 'drift screenshot', shot);
    console.log(`drift screenshot: ${shot}`);
  }, 30_000);

  it('shows the cost: fleet total, dominant cost and recommendations with savings, as cost --json says', async () => {
    const json = await cli(['cost', '--json'], env);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.out);
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
    const fleetBatch = report.recommendations.find(
      (r: { action: string }) => r.action === 'batch-prediction-fleet',
    );
    await expect(
      page.locator('#cost-recommendations tr[data-action="batch-prediction-fleet"] td').nth(2).textContent(),
    ).resolves.toBe(`${fleetBatch.monthlySaving.toFixed(2)} USD`);
    expect(await page.locator(`#cost-books tbody tr[data-isbn]`).count()).toBeGreaterThan(0);
    await expect(page.locator('#cost-own').textContent()).resolves.toMatch(/^\d+\.\d{4} USD$/);
    const shot = join(ARTEFACTS, 'cost.png');
    await page.locator('#cost-section').screenshot({ path: shot });
    const full = join(ARTEFACTS, 'dashboard.png');
    await page.screenshot({ path: full, fullPage: true });
    reportFigure('insight-drift-cost', 'cost screenshot', shot);
    console.log(`cost screenshot: ${shot}\nfull page: ${full}`);
    reportFigure('insight-drift-cost', 'fleet serving total', `${report.total} USD a month`);
    expect(problems).toEqual([]);
  }, 60_000);
});
