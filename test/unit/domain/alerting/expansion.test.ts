/** The group stage's decisions, without a store: what a due group, storm or timer job becomes. */
import {
  isMuted,
  planRunJob,
  planTimer,
  runView,
  stormToRead,
  type ExpansionContext,
} from '../../../../shared/domain/alerting/expansion';
import { groupItemFrom, type GroupItem } from '../../../../shared/domain/alerting/group-item';
import {
  groupDocId,
  newJob,
  stormDocId,
  type EscalationPayload,
  type OutboxDoc,
  type ResolutionPayload,
} from '../../../../shared/domain/alerting/outbox';
import { transitionAlert } from '../../../../shared/domain/alerting/state-machine';
import type { Alert } from '../../../../shared/contracts/messages/alert';
import { alert, at, minutes, observe, policy, T0 } from './builders';

const RUN = 'hc-7';
const ctx = (overrides: Partial<ExpansionContext> = {}): ExpansionContext => ({
  now: T0,
  policy: policy({ stormThreshold: 2 }),
  channels: ['slack', 'email', 'log'],
  ...overrides,
});

function item(overrides: Partial<Alert> = {}): GroupItem {
  const obs = observe(alert({ runId: RUN, ...overrides }));
  return groupItemFrom(obs.alert, { ...obs, notify: 'firing', severity: obs.alert.severity });
}

function group(isbn: string | undefined, items: GroupItem[]): OutboxDoc {
  const payload = { type: 'group' as const, runId: RUN, environment: 'production' as const, items };
  return newJob(
    groupDocId('production', RUN, isbn),
    isbn === undefined ? payload : { ...payload, isbn },
    items.map((i) => i.fingerprint),
    T0,
    T0,
  );
}

const book = (n: number) => `97807225329${String(n).padStart(2, '0')}`;

describe('runView', () => {
  it('keeps the book groups and adds the fleet group’s firing inhibitors to the open ones', () => {
    const fleet = group(undefined, [item({ kind: 'registry_unreachable', isbn: undefined })]);
    const a = group(book(1), [item({ isbn: book(1) })]);
    const view = runView([fleet, a], new Set(['data_stale']));
    expect(view.books).toEqual([a]);
    expect([...view.sources].sort()).toEqual(['data_stale', 'registry_unreachable']);
    expect(isMuted(item({ isbn: book(1) }), view.sources)).toBe(true);
    expect(isMuted({ ...item({ isbn: book(1) }), notify: 'resolved' }, view.sources)).toBe(false);
  });
});

describe('planRunJob', () => {
  it("turns a book group into that book's notification, routed and claimed, and closes the job", () => {
    const a = group(book(1), [
      item({ isbn: book(1) }),
      item({ isbn: book(1), kind: 'mape_above_threshold' }),
    ]);
    const view = runView([a], new Set());
    expect(stormToRead(a, view, ctx().policy)).toBeUndefined();
    const plan = planRunJob(a, view, undefined, ctx());
    expect(plan.outcome).toBe('expanded into 1 notifications');
    expect(plan.claimed.map((d) => d.channel)).toEqual(['slack', 'email', 'log']);
    expect(plan.writes.at(-1)).toMatchObject({
      id: a.id,
      deliveredAt: T0.toISOString(),
      payload: { closed: true },
    });
  });

  it("sends a book group of a storm to the run's storm summary, created once", () => {
    const books = [1, 2, 3].map((n) => group(book(n), [item({ isbn: book(n) })]));
    const view = runView(books, new Set());
    const first = books[0] as OutboxDoc;
    const stormId = stormDocId('production', RUN);
    expect(stormToRead(first, view, ctx().policy)).toBe(stormId);
    const plan = planRunJob(first, view, undefined, ctx());
    expect(plan).toMatchObject({
      claimed: [],
      outcome: 'joined the storm summary',
      storm: { id: stormId, dueAt: at(policy().groupWaitMs).toISOString() },
    });
    expect(plan.writes.map((d) => d.id)).toEqual([stormId, first.id]);
    const stormJob = plan.writes[0] as OutboxDoc;
    const again = planRunJob(books[1] as OutboxDoc, view, stormJob, ctx());
    expect(again.storm).toBeUndefined();
    expect(again.writes.map((d) => d.id)).toEqual([(books[1] as OutboxDoc).id]);

    const summary = planRunJob(stormJob, view, undefined, ctx());
    expect(summary.claimed.length).toBeGreaterThan(0);
    expect(summary.claimed[0]?.payload).toMatchObject({
      notification: { title: expect.stringContaining('Alert storm: 3 books') },
    });
  });

  it('leaves muted per-book alerts out, and the fleet-level notification counts them', () => {
    const fleet = group(undefined, [item({ kind: 'registry_unreachable', isbn: undefined })]);
    const a = group(book(1), [item({ isbn: book(1) })]);
    const view = runView([fleet, a], new Set());
    expect(planRunJob(a, view, undefined, ctx()).outcome).toBe('expanded into 0 notifications');
    const told = planRunJob(fleet, view, undefined, ctx());
    const lines = told.claimed[0]?.payload.type === 'send' ? told.claimed[0].payload.notification.lines : [];
    expect(lines).toContain(
      'Muted 1 per-book alerts on 1 books that this explains (rmse_above_threshold ×1).',
    );
  });
});

describe('planTimer', () => {
  const firing = observe(alert());
  const state = transitionAlert(undefined, firing, { now: T0, policy: policy() }).next;
  const escalation = newJob(
    'esc-1',
    { type: 'escalation', fingerprint: firing.fingerprint, episodeStartedAt: T0.toISOString() },
    [firing.fingerprint],
    T0,
    at(minutes(30)),
  ) as OutboxDoc & { payload: EscalationPayload };

  it('escalates an unacknowledged critical, recording it on the state', () => {
    const plan = planTimer(escalation, state, ctx({ now: at(minutes(30)) }));
    expect(plan.outcome).toBe('escalated');
    expect(plan.state?.escalatedAt).toBe(at(minutes(30)).toISOString());
    expect(plan.claimed[0]?.payload).toMatchObject({ notification: { kind: 'escalation' } });
  });

  it('closes the timer without a word when it no longer applies', () => {
    const acked = state && { ...state, acknowledgedBy: 'alice' };
    const plan = planTimer(escalation, acked, ctx({ now: at(minutes(30)) }));
    expect(plan).toMatchObject({ claimed: [], outcome: 'not sent: acknowledged by alice' });
    expect(plan.state).toBeUndefined();
    expect(plan.writes).toHaveLength(1);
    expect(plan.writes[0]).toMatchObject({ id: 'esc-1', payload: { closed: true } });
  });

  it('does not send a held-back resolution after a flap', () => {
    const resolution = newJob(
      'res-1',
      { type: 'resolution', fingerprint: firing.fingerprint, resolvedAt: T0.toISOString(), item: item() },
      [firing.fingerprint],
      T0,
      T0,
    ) as OutboxDoc & { payload: ResolutionPayload };
    expect(planTimer(resolution, state, ctx()).outcome).toBe(
      'not sent: it fired again before the resolution held (a flap)',
    );
  });
});
