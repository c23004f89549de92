/**
 * The daily summary's choices, over the embedded state store with recording
 * channels: which day it summarises, one digest per day (a manual request is
 * its own), other environments and malformed health reports left out, and a
 * digest kept pending and retried when Slack is down.
 */
import { COLLECTIONS } from '../../../shared/contracts/collections';
import { dispatchAlert, flushPendingNotifications } from '../../../shared/services/alert-dispatch';
import { dayWindow, runDailySummary } from '../../../shared/services/daily-summary';
import { alert } from '../../unit/domain/alerting/builders';
import { makeHarness, type Harness } from '../../unit/services/alert-dispatch/harness';

let h: Harness;
afterEach(() => h?.close());

describe('daily summary', () => {
  it('summarises the UTC day that just ended unless a date is given', () => {
    expect(dayWindow(undefined, new Date('2024-05-02T08:00:00+01:00'))).toEqual({
      date: '2024-05-01',
      start: '2024-05-01T00:00:00.000Z',
      end: '2024-05-02T00:00:00.000Z',
    });
    expect(dayWindow('2024-02-29', new Date('2024-05-02T08:00:00Z')).end).toBe('2024-03-01T00:00:00.000Z');
  });

  it('sends one digest per day, while a manual request makes its own', async () => {
    h = makeHarness();
    const request = { trigger: 'schedule' as const, date: '2024-05-01' };
    const first = await runDailySummary(request, { correlationId: 'corr-1' }, h.deps);
    const second = await runDailySummary(request, { correlationId: 'corr-2' }, h.deps);
    expect([first.alreadySent, second.alreadySent]).toEqual([false, true]);
    expect(first.notificationId).toBe('digest-production-2024-05-01');
    const manual = await runDailySummary(
      { trigger: 'manual', date: '2024-05-01' },
      { correlationId: 'corr-3' },
      h.deps,
    );
    expect(manual.alreadySent).toBe(false);
    expect(h.slack.sent.map((n) => n.correlationId)).toEqual(['corr-1', 'corr-3']);
    expect(h.email.sent).toHaveLength(2);
    // No health report was ever written: the digest leads with that (watch the watcher), so it is a warning.
    expect(h.slack.sent[0]).toMatchObject({ kind: 'digest', severity: 'warning' });
    expect(h.slack.sent[0]!.lines[0]).toMatch(/^No health report has ever been written/);
  });

  it('leaves out other environments and a health report that breaks its contract', async () => {
    h = makeHarness();
    await dispatchAlert(
      alert({ kind: 'data_drift', severity: 'warning', environment: 'staging' }),
      {},
      h.deps,
    );
    await dispatchAlert(alert({ kind: 'data_drift', severity: 'warning', summary: 'PSI 0.4' }), {}, h.deps);
    await h.state.set(COLLECTIONS.healthReports, 'broken', {
      runId: 'broken',
      startedAt: '2024-05-01T09:00:00.000Z',
    });
    const result = await runDailySummary(
      { trigger: 'schedule', date: '2024-05-01' },
      { correlationId: 'c' },
      h.deps,
    );
    expect(result.counts).toMatchObject({ warnings: 1, models: 0 });
    const text = h.slack.sent[0]!.lines.join('\n');
    expect(text).toContain('PSI 0.4');
    expect(text).toContain('no health-check report yet');
    expect(h.logs.messages()).toEqual(
      expect.arrayContaining([
        expect.stringContaining('health report broken does not match the HealthReport contract'),
      ]),
    );
  });

  it('keeps the digest pending when Slack is down, asks for redelivery, and delivers it later', async () => {
    h = makeHarness();
    h.slack.failNext(1);
    const request = { trigger: 'schedule' as const, date: '2024-05-01' };
    await expect(runDailySummary(request, { correlationId: 'c' }, h.deps)).rejects.toMatchObject({
      retryable: true,
    });
    expect(h.email.sent).toHaveLength(1);
    h.clock.advance(60_000);
    await flushPendingNotifications({}, h.deps);
    expect(h.slack.sent.map((n) => n.kind)).toEqual(['digest']);
    const again = await runDailySummary(request, { correlationId: 'c' }, h.deps);
    expect(again.alreadySent).toBe(true);
    expect(h.slack.sent).toHaveLength(1);
    expect(h.email.sent).toHaveLength(1);
  });
});
