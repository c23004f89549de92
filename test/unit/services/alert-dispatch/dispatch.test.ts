/**
 * The dispatch pipeline over a real (in-memory SQLite) state store with a
 * stepped clock: once per problem, reminders after the repeat interval,
 * grouping by book and run, storms, inhibition, escalation, acknowledgement,
 * silences, held-back resolutions, retries with backoff, concurrency, and
 * the correlation id on every line.
 */
import { COLLECTIONS } from '../../../../shared/contracts/collections';
import type { AlertState } from '../../../../shared/contracts/documents/alert-state';
import { PendingNotification } from '../../../../shared/contracts/documents/pending-notification';
import { isbn13CheckDigit } from '../../../../shared/domain/isbn';
import { BackendUnavailableError, ValidationError } from '../../../../shared/errors';
import {
  acknowledge,
  dispatchAlert,
  flushPendingNotifications,
  silence,
} from '../../../../shared/services/alert-dispatch';
import { alert, hours, ISBN, ISBN_2, minutes } from '../../domain/alerting/builders';
import { makeHarness, type Harness } from './harness';

let h: Harness;
afterEach(() => h?.close());

/** The alert a health-check run `n` would publish about ISBN. */
function runAlert(n: number, overrides: Parameters<typeof alert>[0] = {}) {
  return alert({
    runId: `run-${n}`,
    correlationId: `corr-run-${n}`,
    observedAt: h.clock.now().toISOString(),
    ...overrides,
  });
}

const pages = () => h.slack.sent.map((n) => `${n.kind}:${n.title}`);

describe('dispatchAlert', () => {
  it('pages once for the same problem across three runs, then reminds after the repeat interval', async () => {
    h = makeHarness();
    for (let run = 1; run <= 3; run++) {
      await dispatchAlert(runAlert(run), {}, h.deps);
      h.clock.advance(hours(1));
    }
    expect(h.slack.sent).toHaveLength(1);
    expect(h.email.sent).toHaveLength(1);
    // Nobody acknowledged it within 30 minutes: it escalated (to the escalation webhook, and the log).
    expect(h.log.sent.map((n) => n.kind)).toEqual(['firing', 'escalation']);
    expect(h.escalation.sent).toHaveLength(1);
    expect(h.slack.sent[0]).toMatchObject({
      kind: 'firing',
      severity: 'critical',
      correlationId: 'corr-run-1',
    });
    h.clock.advance(hours(1));
    await dispatchAlert(runAlert(4), {}, h.deps);
    expect(pages()).toEqual([expect.stringMatching(/^firing:/), expect.stringMatching(/^repeat:/)]);
    const fp = (await h.state.query<AlertState>(COLLECTIONS.alertStates))[0]!.data;
    // Told three times: the page, the escalation, the reminder.
    expect(fp).toMatchObject({ status: 'firing', notifyCount: 3 });
  });

  it('sends one resolution notice when it clears, and pages again if it comes back later', async () => {
    h = makeHarness();
    await dispatchAlert(runAlert(1), {}, h.deps);
    h.clock.advance(hours(1));
    const resolved = runAlert(2, { status: 'resolved', severity: 'info', summary: 'RMSE back to 41' });
    await dispatchAlert(resolved, {}, h.deps);
    await dispatchAlert(
      runAlert(3, { status: 'resolved', severity: 'info', summary: 'RMSE back to 41' }),
      {},
      h.deps,
    );
    expect(pages()).toEqual([
      expect.stringMatching(/^firing:/),
      `resolved:${ISBN} v22: cleared: RMSE back to 41`,
    ]);
    expect(h.email.sent.map((n) => n.kind)).toEqual(['firing', 'resolved']);
    h.clock.advance(hours(1));
    await dispatchAlert(runAlert(4), {}, h.deps);
    expect(h.slack.sent.map((n) => n.kind)).toEqual(['firing', 'resolved', 'firing']);
  });

  it('a late redelivery or a replay of the firing that was resolved is stale: logged, no notice, no reopen', async () => {
    h = makeHarness();
    const fired = runAlert(1);
    await dispatchAlert(fired, {}, h.deps);
    h.clock.advance(hours(1));
    await dispatchAlert(
      runAlert(2, { status: 'resolved', severity: 'info', summary: 'RMSE back to 41' }),
      {},
      h.deps,
    );
    const told = pages();
    h.clock.advance(hours(1));
    // The same firing again, as a redelivery long after (or `dead-letters replay`) brings it.
    const result = await dispatchAlert(fired, {}, h.deps);
    expect(result.decision).toMatchObject({ action: 'ignore', reason: expect.stringMatching(/stale/) });
    expect(pages()).toEqual(told);
    const state = (await h.state.query<AlertState>(COLLECTIONS.alertStates))[0]!.data;
    expect(state).toMatchObject({ status: 'resolved' });
    expect(h.logs.entries().some((e) => /stale/.test(String(e.message)) && e.severity === 'INFO')).toBe(true);
    // A firing observed after the resolution is a new episode, paged.
    h.clock.advance(hours(1));
    await dispatchAlert(runAlert(3), {}, h.deps);
    expect(h.slack.sent.map((n) => n.kind)).toEqual(['firing', 'resolved', 'firing']);
  });

  it('groups the conditions of one book from one run into one notification, and books apart', async () => {
    h = makeHarness();
    const kinds = ['rmse_above_threshold', 'mape_above_threshold', 'rmse_spike'] as const;
    await Promise.all([
      ...kinds.map((kind) => dispatchAlert(runAlert(1, { kind }), {}, h.deps)),
      dispatchAlert(runAlert(1, { isbn: ISBN_2 }), {}, h.deps),
    ]);
    await flushPendingNotifications({}, h.deps);
    expect(h.slack.sent).toHaveLength(2);
    const mine = h.slack.sent.find((n) => n.title.startsWith(ISBN))!;
    expect(mine.title).toContain('3 conditions firing');
    for (const kind of kinds) expect(mine.lines.join('\n')).toContain(`• ${kind}`);
  });

  it('summarises a storm of more than 20 books in one run in one notification', async () => {
    h = makeHarness({}, { auto: false });
    const books = Array.from({ length: 24 }, (_, i) => {
      const stem = `978000${String(i).padStart(6, '0')}`;
      return `${stem}${isbn13CheckDigit(stem)}`;
    });
    // 24 invocations, each opening its book's group and waiting out the group wait.
    const dispatched = Promise.all(books.map((isbn) => dispatchAlert(runAlert(1, { isbn }), {}, h.deps)));
    await h.clock.waitForSleepers(24);
    h.clock.advance(h.deps.policy.groupWaitMs);
    // One of them opened the storm summary and waits for it in turn.
    await h.clock.waitForSleepers(1);
    h.clock.advance(h.deps.policy.groupWaitMs);
    await dispatched;
    await flushPendingNotifications({}, h.deps);
    expect(pages()).toEqual(['firing:Alert storm: 24 books with 24 conditions firing in run run-1']);
    expect(h.email.sent).toHaveLength(1);
  });

  it('mutes per-book alerts while a fleet-level alert that explains them is open', async () => {
    h = makeHarness();
    await dispatchAlert(
      alert({ kind: 'registry_unreachable', isbn: undefined, summary: 'registry down' }),
      {},
      h.deps,
    );
    const muted = await dispatchAlert(runAlert(1), {}, h.deps);
    expect(muted.decision).toMatchObject({ action: 'hold', reason: 'inhibited' });
    expect(pages()).toEqual(['firing:registry down']);
    await dispatchAlert(
      alert({ kind: 'registry_unreachable', isbn: undefined, status: 'resolved', summary: 'registry back' }),
      {},
      h.deps,
    );
    h.clock.advance(hours(1));
    await dispatchAlert(runAlert(2), {}, h.deps);
    expect(h.slack.sent.map((n) => n.kind)).toEqual(['firing', 'resolved', 'firing']);
  });

  it('escalates a critical nobody acknowledged within 30 minutes, once', async () => {
    h = makeHarness();
    await dispatchAlert(runAlert(1), {}, h.deps);
    h.clock.advance(minutes(29));
    await flushPendingNotifications({}, h.deps);
    expect(h.escalation.sent).toHaveLength(0);
    h.clock.advance(minutes(2));
    await flushPendingNotifications({}, h.deps);
    await flushPendingNotifications({}, h.deps);
    expect(h.escalation.sent).toHaveLength(1);
    expect(h.escalation.sent[0]).toMatchObject({ kind: 'escalation', correlationId: 'corr-run-1' });
    expect(h.escalation.sent[0]!.title).toContain('unacknowledged for 31 min');
    expect(h.slack.sent).toHaveLength(1);
  });

  it('does not escalate or remind once acknowledged; the acknowledgement ends when it resolves', async () => {
    h = makeHarness();
    const first = await dispatchAlert(runAlert(1), {}, h.deps);
    h.clock.advance(minutes(10));
    await acknowledge({ fingerprint: first.fingerprint, by: 'alice' }, h);
    h.clock.advance(hours(5));
    await flushPendingNotifications({}, h.deps);
    await dispatchAlert(runAlert(2), {}, h.deps);
    expect(h.escalation.sent).toHaveLength(0);
    expect(h.slack.sent).toHaveLength(1);
    await dispatchAlert(runAlert(3, { status: 'resolved' }), {}, h.deps);
    const stored = (await h.state.get<AlertState>(COLLECTIONS.alertStates, first.fingerprint))!.data;
    expect(stored.acknowledgedBy).toBeUndefined();
    expect(h.slack.sent.map((n) => n.kind)).toEqual(['firing', 'resolved']);
  });

  it('still sends the resolution of a silenced alert that was notified, and nothing while silenced', async () => {
    h = makeHarness();
    const first = await dispatchAlert(runAlert(1), {}, h.deps);
    await silence({ fingerprint: first.fingerprint, forMs: hours(12) }, h);
    h.clock.advance(hours(5));
    await dispatchAlert(runAlert(2), {}, h.deps);
    await flushPendingNotifications({}, h.deps);
    expect(h.slack.sent.map((n) => n.kind)).toEqual(['firing']);
    expect(h.escalation.sent).toHaveLength(0);
    await dispatchAlert(runAlert(3, { status: 'resolved' }), {}, h.deps);
    expect(h.slack.sent.map((n) => n.kind)).toEqual(['firing', 'resolved']);
  });

  it('holds a resolution for the pending period and cancels it when the condition flaps back', async () => {
    h = makeHarness({ pendingPeriodMs: minutes(15) });
    await dispatchAlert(runAlert(1), {}, h.deps);
    h.clock.advance(minutes(15));
    await dispatchAlert(runAlert(2), {}, h.deps);
    expect(h.slack.sent.map((n) => n.kind)).toEqual(['firing']);
    await dispatchAlert(alert({ status: 'resolved', observedAt: h.clock.now().toISOString() }), {}, h.deps);
    h.clock.advance(minutes(5));
    await dispatchAlert(alert({ observedAt: h.clock.now().toISOString() }), {}, h.deps);
    h.clock.advance(minutes(30));
    await flushPendingNotifications({}, h.deps);
    expect(h.slack.sent.map((n) => n.kind)).toEqual(['firing']);
    await dispatchAlert(alert({ status: 'resolved', observedAt: h.clock.now().toISOString() }), {}, h.deps);
    h.clock.advance(minutes(16));
    await flushPendingNotifications({}, h.deps);
    expect(h.slack.sent.map((n) => n.kind)).toEqual(['firing', 'resolved']);
  });

  it('keeps a failed page pending, asks for redelivery, and delivers it once Slack recovers', async () => {
    h = makeHarness();
    h.slack.failNext(3);
    const attempt = dispatchAlert(runAlert(1), { deliveryAttempt: 1 }, h.deps);
    await expect(attempt).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(attempt).rejects.toMatchObject({ retryable: true });
    expect(h.email.sent).toHaveLength(1);
    const pending = (await h.state.query(COLLECTIONS.pendingNotifications)).map((d) =>
      PendingNotification.parse(d.data),
    );
    const slackDoc = pending.find((p) => p.channel === 'slack')!;
    expect(slackDoc).toMatchObject({ attempts: 1, lastError: expect.stringContaining('500') });
    expect(slackDoc.deliveredAt).toBeUndefined();

    // Not due yet: nothing is tried before the backoff is over.
    await flushPendingNotifications({}, h.deps);
    expect(h.slack.attempts).toBe(1);
    for (let i = 0; i < 3; i++) {
      h.clock.advance(minutes(2));
      await flushPendingNotifications({}, h.deps);
    }
    expect(h.slack.attempts).toBe(4);
    expect(h.slack.sent).toHaveLength(1);
    expect(h.email.sent).toHaveLength(1);
    h.clock.advance(hours(1));
    await flushPendingNotifications({}, h.deps);
    expect(h.slack.sent).toHaveLength(1);
  });

  it('does not ask for redelivery on the last delivery attempt (the notification stays pending)', async () => {
    h = makeHarness();
    h.slack.failNext(1);
    const result = await dispatchAlert(runAlert(1), { deliveryAttempt: 5 }, h.deps);
    expect(result.outcomes.find((o) => o.channel === 'slack')).toMatchObject({ status: 'retrying' });
  });

  it('gives up on a notification the channel refuses for good, without retrying', async () => {
    h = makeHarness();
    h.slack.failNext(1, false);
    const result = await dispatchAlert(runAlert(1), {}, h.deps);
    expect(result.outcomes.find((o) => o.channel === 'slack')).toMatchObject({
      status: 'gave-up',
      retryable: false,
    });
    h.clock.advance(hours(2));
    await flushPendingNotifications({}, h.deps);
    expect(h.slack.attempts).toBe(1);
  });

  it('notifies once for 100 concurrent deliveries of the same alert, and of 100 copies of it', async () => {
    h = makeHarness();
    const same = runAlert(1);
    await Promise.all(Array.from({ length: 100 }, () => dispatchAlert(same, {}, h.deps)));
    await Promise.all(Array.from({ length: 100 }, () => dispatchAlert(structuredClone(same), {}, h.deps)));
    await flushPendingNotifications({}, h.deps);
    expect(h.slack.sent).toHaveLength(1);
    expect(h.email.sent).toHaveLength(1);
  });

  it('puts the alert’s correlation id on every log line of its dispatch', async () => {
    h = makeHarness();
    await dispatchAlert(runAlert(1, { correlationId: 'corr-trace-me' }), {}, h.deps);
    const entries = h.logs.entries();
    expect(entries.length).toBeGreaterThan(3);
    for (const e of entries) expect(e).toMatchObject({ correlationId: 'corr-trace-me' });
    expect(h.logs.messages()).toEqual(
      expect.arrayContaining([expect.stringContaining('slack notification delivered')]),
    );
  });

  it('refuses a malformed alert with a ValidationError naming the field', async () => {
    h = makeHarness();
    const bad = { ...runAlert(1), severity: 'urgent' };
    await expect(dispatchAlert(bad, {}, h.deps)).rejects.toThrow(ValidationError);
    await expect(dispatchAlert(bad, {}, h.deps)).rejects.toThrow(
      /severity: must be one of critical\|warning\|info/,
    );
  });
});
