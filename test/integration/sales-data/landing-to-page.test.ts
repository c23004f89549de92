/**
 * Detection within 5 minutes of new data, on the local stack as `up` runs it
 * (embedded backend; health-check, alert-dispatch and sales-data-events in
 * their own functions-framework processes; the stack's folder watcher as
 * Cloud Storage's notification): a served book has gone bad and nobody has
 * checked it; a new sales drop holding it and two other books lands in the
 * sales folder; the critical page reaches Slack (a real HTTP server). The
 * landing → page time is the figure; the health check ran on exactly the
 * books of the drop; the same generation notified again pages nobody twice.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import type { HealthReport } from '../../../shared/contracts/documents/health-report';
import { notificationFor } from '../../../shared/local-stack/sales-watcher';
import { startLocalStack, type LocalStack } from '../../../shared/local-stack/stack';
import { demoDegrade } from '../../../shared/services/demo';
import { SALES_CSV_FILE } from '../../../shared/wiring/backend';
import { sameClockEnv } from '../../helpers/clock-env';
import { reportFigure } from '../../helpers/figures';
import { startRecorder, type Recorder } from '../../helpers/http-recorder';

const ALCHEMIST = '9780722532935';
const GOAL_MS = 5 * 60_000;

describe('sales drop → health check → page, on the local stack', () => {
  let stateDir: string;
  let slack: Recorder;
  let stack: LocalStack | undefined;
  let drop: string[];

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-sales-landing-'));
    slack = await startRecorder();
    // Staging (production refuses a plain-http Slack URL); this book's breaches page as in production.
    const thresholds = join(stateDir, 'thresholds.json');
    writeFileSync(thresholds, JSON.stringify({ [ALCHEMIST]: { breachSeverity: 'critical' } }));
    stack = await startLocalStack({
      env: {
        ...sameClockEnv(),
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        FG_STATE_DIR: stateDir,
        FG_LOG_LEVEL: 'info',
        FG_ENVIRONMENT: 'staging',
        FG_THRESHOLDS_FILE: thresholds,
        SLACK_WEBHOOK_URL: `${slack.url}/services/T0/B0/secret`,
      },
      only: ['health-check', 'alert-dispatch', 'sales-data-events'],
      schedules: false,
      dashboard: false,
      port: 0,
    });
    const books = await stack.backend.serving.listServing();
    drop = [ALCHEMIST, ...books.map((b) => b.isbn).filter((i) => i !== ALCHEMIST)].slice(0, 3).sort();
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await slack?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** The week's file replaces the old one as an upload would: written aside, then renamed into place. */
  function landDrop(isbns: readonly string[]): number {
    const file = join(stateDir, SALES_CSV_FILE);
    const [header, ...rows] = readFileSync(file, 'utf8').trimEnd().split('\n');
    const kept = rows.filter((r) => isbns.includes(r.slice(0, 13)));
    writeFileSync(`${file}.upload`, [header, ...kept].join('\n') + '\n');
    renameSync(`${file}.upload`, file);
    return performance.now();
  }

  const pagesFor = (isbn: string) =>
    slack.requests.filter((r) => r.status < 300 && JSON.stringify(r.body).includes(isbn));

  async function settle(quietMs = 4000): Promise<void> {
    let seen = -1;
    while (seen !== slack.requests.length) {
      seen = slack.requests.length;
      await new Promise((r) => setTimeout(r, quietMs));
    }
  }

  it('pages for a degraded book within 5 minutes of its sales landing, after checking exactly the books in the drop', async () => {
    await demoDegrade(ALCHEMIST, {
      registry: stack!.backend.embeddedRegistry!,
      serving: stack!.backend.serving,
      bus: stack!.backend.bus,
    });
    await settle(1500);
    expect(slack.requests).toHaveLength(0); // nothing checks the book until data lands

    const landed = landDrop(drop);
    await slack.waitFor(1, 60_000);
    const landingToPageMs = performance.now() - landed;
    reportFigure(
      'sales-data',
      'sales drop lands → critical page in Slack (local stack)',
      `${landingToPageMs.toFixed(0)} ms (goal 5 min)`,
    );
    expect(landingToPageMs).toBeLessThan(GOAL_MS);

    const page = slack.requests[0]!;
    expect(JSON.stringify(page.body)).toContain(ALCHEMIST);
    expect(JSON.stringify(page.body)).toMatch(/critical/i);

    const reports = await stack!.backend.state.query<HealthReport>(COLLECTIONS.healthReports);
    expect(reports).toHaveLength(1);
    const report = reports[0]!.data;
    expect(report.trigger).toBe('sales-data');
    // Named after the drop's generation, not the message: a repeated request is the same run.
    expect(report.runId).toMatch(/^hc-sales-[0-9a-f]{32}$/);
    expect(report.models.map((m) => m.isbn).sort()).toEqual(drop);
    await settle();
    expect(slack.requests).toHaveLength(1);
  }, 150_000);

  it('pages nobody twice when Cloud Storage notifies the same generation again', async () => {
    const before = (await stack!.backend.state.query(COLLECTIONS.healthReports)).length;
    // The watcher's last message for sales.csv, published again under a new message id.
    const processed = await stack!.backend.state.query<{ id: string }>(COLLECTIONS.processedMessages);
    const key = processed.map((p) => p.data.id).find((id) => id.startsWith('local/sales.csv#'))!;
    const generation = key.slice('local/sales.csv#'.length, key.indexOf(':'));
    await stack!.backend.bus.publish(
      'sales-data-updates',
      notificationFor('sales.csv', generation, new Date(), 1n),
    );
    await settle();
    expect(slack.requests).toHaveLength(1);
    expect(pagesFor(ALCHEMIST)).toHaveLength(1);
    expect((await stack!.backend.state.query(COLLECTIONS.healthReports)).length).toBe(before);
  }, 60_000);
});
