/**
 * Debian's Chromium, driven by playwright-core, for the browser tests: one
 * launch (headless, no sandbox, nothing fetched in the background), one page,
 * and every page error or console error collected so a test can insist there
 * were none. A suite skips, saying why, only where Chromium is not installed
 * (CI installs it: .ci/install-test-deps).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { realClockEnv } from '../../shared/adapters/gcp/emulators';

export const CHROMIUM = '/usr/bin/chromium';

/** `describe` where Chromium is installed; elsewhere a skipped suite and a warning naming what is missing. */
export function chromiumDescribe(what: string): jest.Describe {
  if (existsSync(CHROMIUM)) return describe;
  console.warn(`SKIPPED ${what}: ${CHROMIUM} is not installed (apt-get install chromium)`);
  return describe.skip;
}

export interface ChromiumPage {
  browser: Browser;
  page: Page;
  /** Page errors and console errors, each with where it came from. */
  problems: string[];
}

/** Launches Chromium and opens one 1400×1000 page that records its errors. */
export async function openChromiumPage(): Promise<ChromiumPage> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // Chromium, like the JVM, stalls under libfaketime (npm run test:future); the page needs no shifted clock.
    env: realClockEnv(process.env),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  return { browser, page, problems };
}
