/**
 * Sales landing → page, the product owner's "detection within 5 minutes of
 * new data", measured on the local stack as `forecast-guard up` runs it:
 * the embedded backend, health-check, alert-dispatch and sales-data-events
 * each in its own functions-framework process, and the stack's sales-folder
 * watcher standing in for Cloud Storage's OBJECT_FINALIZE notification.
 *
 * Each run: one more served book goes bad (`demo degrade`, nobody checks
 * it), then the week's sales file (every book) lands in the sales folder as
 * an upload would (written aside, renamed into place); the time is taken
 * from the rename to the critical page for that book reaching a Slack
 * stand-in (a local HTTP server). Books paged in earlier runs stay firing
 * and are not paged again, so each page belongs to its run.
 *
 * What the figure holds: the watcher's two polls (1 s each: a file is
 * announced once it holds still), push delivery, reading the drop's books,
 * one health check of the drop's books, and alert-dispatch's group wait
 * (FG_GROUP_WAIT, 2 s by default). On Google Cloud the watcher's part is
 * Cloud Storage → Pub/Sub (seconds) and push delivery adds cold starts.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../shared/local-stack/stack';
import { demoDegrade } from '../shared/services/demo';
import { isSeeded, seedEmbeddedFleet } from '../shared/wiring/seed';
import { loadConfig } from '../shared/config';
import { openBackend, SALES_CSV_FILE } from '../shared/wiring/backend';
import { fmtMs, median, row } from './stats';

const RUNS = Number(process.env.FG_BENCH_LANDING_RUNS ?? 5);
const GOAL_MS = 5 * 60_000;
const PAGE_TIMEOUT_MS = 120_000;

interface Page {
  at: number;
  body: string;
}

/** A Slack incoming webhook stand-in that notes when each page arrived. */
async function slackStandIn(): Promise<{ url: string; pages: Page[]; server: Server }> {
  const pages: Page[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      pages.push({ at: performance.now(), body });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, pages, server };
}

async function waitForPage(pages: Page[], isbn: string, since: number): Promise<Page> {
  const deadline = performance.now() + PAGE_TIMEOUT_MS;
  for (;;) {
    const page = pages.find((p) => p.at >= since && p.body.includes(isbn));
    if (page) return page;
    if (performance.now() > deadline) throw new Error(`no page for ${isbn} within ${PAGE_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The week's file, rewritten as an upload replaces an object: aside first, then renamed into place. */
function landDrop(stateDir: string): number {
  const file = join(stateDir, SALES_CSV_FILE);
  writeFileSync(`${file}.upload`, readFileSync(file));
  renameSync(`${file}.upload`, file);
  return performance.now();
}

async function main(): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'fg-bench-landing-'));
  const slack = await slackStandIn();
  const baseEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    FG_STATE_DIR: stateDir,
    FG_LOG_LEVEL: 'error',
  };
  try {
    // Seeded first, so the thresholds file can make every book's breach critical (as production pages).
    const seeding = openBackend(loadConfig(baseEnv));
    if (!isSeeded(stateDir)) {
      await seedEmbeddedFleet(
        { stateDir, salesCsv: join(stateDir, SALES_CSV_FILE), books: 12, seed: 42 },
        seeding,
      );
    }
    const isbns = (await seeding.serving.listServing()).map((s) => s.isbn).sort();
    await seeding.close();
    const thresholds = join(stateDir, 'thresholds.json');
    writeFileSync(
      thresholds,
      JSON.stringify(Object.fromEntries(isbns.map((i) => [i, { breachSeverity: 'critical' }]))),
    );

    const started = performance.now();
    const stack = await startLocalStack({
      env: {
        ...baseEnv,
        FG_ENVIRONMENT: 'staging',
        FG_THRESHOLDS_FILE: thresholds,
        SLACK_WEBHOOK_URL: `${slack.url}/services/T0/B0/bench`,
      },
      only: ['health-check', 'alert-dispatch', 'sales-data-events'],
      schedules: false,
      dashboard: false,
      port: 0,
    });
    row('local stack ready (3 functions)', fmtMs(performance.now() - started));
    const times: number[] = [];
    try {
      for (let i = 0; i < Math.min(RUNS, isbns.length); i++) {
        const isbn = isbns[i]!;
        await demoDegrade(isbn, {
          registry: stack.backend.embeddedRegistry!,
          serving: stack.backend.serving,
          bus: stack.backend.bus,
        });
        const landed = landDrop(stateDir);
        const page = await waitForPage(slack.pages, isbn, landed);
        times.push(page.at - landed);
        // Let the run's remaining messages (its report, the dispatch) finish before the next drop.
        await new Promise((r) => setTimeout(r, 1500));
      }
    } finally {
      await stack.stop();
    }
    row(
      `sales landing → critical page (${times.length} drops of ${isbns.length} books)`,
      `median ${fmtMs(median(times))}`,
      `min ${fmtMs(Math.min(...times))}`,
      `max ${fmtMs(Math.max(...times))}`,
    );
    row(
      'goal',
      `${fmtMs(GOAL_MS)} (5 min)`,
      `median is ${((median(times) / GOAL_MS) * 100).toFixed(1)} % of it`,
    );
  } finally {
    slack.server.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench/sales-landing.ts: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
