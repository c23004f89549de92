/**
 * Watch the watcher in the daily summary: when the newest health report is
 * more than two hours old by the backend's clock (pinned here), the digest
 * leads with a line saying so, its title says so and it is a warning; an
 * hour-old report leaves the digest as it was.
 */
import { COLLECTIONS } from '../../../shared/contracts/collections';
import type { HealthReport } from '../../../shared/contracts/documents/health-report';
import { runDailySummary } from '../../../shared/services/daily-summary';
import { makeHarness, type Harness } from '../../unit/services/alert-dispatch/harness';

let h: Harness;
afterEach(() => h?.close());

const HOUR = 3_600_000;

function report(runId: string, finishedAt: Date): HealthReport {
  return {
    runId,
    trigger: 'schedule',
    startedAt: new Date(finishedAt.getTime() - 30_000).toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: 30_000,
    status: 'healthy',
    registry: { ok: true, latencyMs: 5 },
    models: [],
    alerts: [],
    correlationId: `corr-${runId}`,
  };
}

async function digestWithNewestReportAged(ageMs: number) {
  h = makeHarness();
  const now = h.clock.now();
  await h.state.set(COLLECTIONS.healthReports, 'hc-newest', {
    ...report('hc-newest', new Date(now.getTime() - ageMs)),
  });
  await h.state.set(COLLECTIONS.healthReports, 'hc-older', {
    ...report('hc-older', new Date(now.getTime() - ageMs - HOUR)),
  });
  await runDailySummary({ trigger: 'manual' }, { correlationId: 'corr-watch' }, h.deps);
  const sent = h.slack.sent[0];
  if (!sent) throw new Error('no digest sent');
  return { sent, now };
}

describe('daily summary: no health report for two hours', () => {
  it('leads with the line, names the newest report and says so in the title', async () => {
    const { sent, now } = await digestWithNewestReportAged(3 * HOUR + 30 * 60_000);
    expect(sent.lines[0]).toBe(
      `No health report for 3.5 h (the newest, hc-newest, finished ${new Date(now.getTime() - 3.5 * HOUR).toISOString()}; one is expected every hour): the health check is not running on its schedule (docs/runbooks/scheduler_unhealthy.md).`,
    );
    expect(sent.title).toMatch(/NO HEALTH CHECK FOR 2 H/);
    expect(sent.severity).toBe('warning');
  });

  it('says nothing of it when the newest report is an hour old', async () => {
    const { sent } = await digestWithNewestReportAged(HOUR);
    expect(sent.lines.join('\n')).not.toMatch(/No health report/);
    expect(sent.title).not.toMatch(/NO HEALTH CHECK/);
    expect(sent.severity).toBe('info');
  });

  it('counts exactly two hours as fresh, and a minute more as stale', async () => {
    expect((await digestWithNewestReportAged(2 * HOUR)).sent.title).not.toMatch(/NO HEALTH CHECK/);
    h.close();
    expect((await digestWithNewestReportAged(2 * HOUR + 60_000)).sent.lines[0]).toMatch(
      /^No health report for 2\.0 h/,
    );
  });
});
