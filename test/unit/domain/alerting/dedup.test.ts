/**
 * The dedup stage's plan, without a store: which outbox documents to read,
 * and what to write with the state the state machine decided.
 */
import {
  dedupReadIds,
  planDedup,
  resolutionSent,
  type DedupContext,
} from '../../../../shared/domain/alerting/dedup';
import {
  closed,
  directNotificationId,
  escalationDocId,
  groupDocId,
  newJob,
  resolutionDocId,
  type OutboxDoc,
} from '../../../../shared/domain/alerting/outbox';
import { transitionAlert } from '../../../../shared/domain/alerting/state-machine';
import { alert, at, minutes, observe, policy, T0 } from './builders';

const CHANNELS = ['slack', 'email', 'log'];
const ctx = (overrides: Partial<DedupContext> = {}): DedupContext => ({
  now: T0,
  policy: policy(),
  channels: CHANNELS,
  ...overrides,
});

describe('dedupReadIds', () => {
  it("reads the run's group for an alert of a run, and nothing for a test alert", () => {
    const obs = observe(alert({ runId: 'hc-1' }));
    expect(dedupReadIds(obs, undefined, 0)).toEqual({
      groupId: groupDocId('production', 'hc-1', obs.alert.isbn),
    });
    expect(
      dedupReadIds(observe(alert({ kind: 'test', runId: 'hc-1', isbn: undefined })), undefined, 0),
    ).toEqual({});
  });

  it('reads the held-back resolution only when resolutions are held back', () => {
    const obs = observe(alert());
    const resolved = transitionAlert(
      transitionAlert(undefined, obs, { now: T0, policy: policy() }).next,
      observe({ ...obs.alert, status: 'resolved', observedAt: at(minutes(1)).toISOString() }),
      { now: at(minutes(1)), policy: policy() },
    ).next;
    expect(resolved?.status).toBe('resolved');
    const resolvedAt = resolved?.resolvedAt ?? '';
    expect(dedupReadIds(obs, resolved, 0)).toEqual({});
    expect(dedupReadIds(obs, resolved, minutes(5))).toEqual({
      holdId: resolutionDocId(obs.fingerprint, resolvedAt),
    });
  });
});

describe('resolutionSent', () => {
  it('counts a missing or closed hold as sent, an open one as not', () => {
    const hold = newJob(
      'res-x',
      { type: 'escalation', fingerprint: 'x', episodeStartedAt: T0.toISOString() },
      ['x'],
      T0,
      T0,
    );
    expect(resolutionSent(undefined)).toBe(true);
    expect(resolutionSent(hold)).toBe(false);
    expect(resolutionSent(closed(hold, 'sent', T0, true))).toBe(true);
  });
});

describe('planDedup', () => {
  it('writes nothing when the transition changes nothing', () => {
    const obs = observe(alert({ status: 'resolved' }));
    const transition = transitionAlert(undefined, obs, { now: T0, policy: policy() });
    expect(planDedup(obs, transition, {}, ctx())).toEqual({ writes: [], claimed: [] });
  });

  it('routes an alert without a run to its channels, claimed, with an escalation timer for a critical', () => {
    const obs = observe(alert());
    const transition = transitionAlert(undefined, obs, { now: T0, policy: policy() });
    const plan = planDedup(obs, transition, {}, ctx());
    const id = directNotificationId(obs.fingerprint, 0);
    expect(plan.claimed.map((d) => d.id)).toEqual(CHANNELS.map((c) => `${id}:${obs.alert.isbn}:f:${c}`));
    expect(plan.claimed.every((d) => d.attempts === 1)).toBe(true);
    const escalation = plan.writes.find((d) => d.payload.type === 'escalation');
    expect(escalation?.id).toBe(escalationDocId(obs.fingerprint, T0.toISOString()));
    expect(escalation?.nextAttemptAt).toBe(at(policy().escalateAfterMs).toISOString());
    expect(plan.writes).toEqual(expect.arrayContaining(plan.claimed));
    expect(plan.group).toBeUndefined();
  });

  it("opens the run's group, due after the group wait, instead of notifying at once", () => {
    const obs = observe(alert({ runId: 'hc-1' }));
    const transition = transitionAlert(undefined, obs, { now: T0, policy: policy() });
    const groupId = groupDocId('production', 'hc-1', obs.alert.isbn);
    const plan = planDedup(obs, transition, { groupId }, ctx());
    const dueAt = at(policy().groupWaitMs).toISOString();
    expect(plan.claimed).toEqual([]);
    expect(plan.group).toEqual({ id: groupId, created: true, dueAt });
    const group = plan.writes.find((d) => d.id === groupId);
    expect(group?.payload).toMatchObject({ type: 'group', runId: 'hc-1', isbn: obs.alert.isbn });
    expect(group?.nextAttemptAt).toBe(dueAt);
  });

  it('joins an open group, replacing its earlier entry for the same alert, and keeps its due time', () => {
    const first = observe(alert({ runId: 'hc-1' }));
    const groupId = groupDocId('production', 'hc-1', first.alert.isbn);
    const opened = planDedup(
      first,
      transitionAlert(undefined, first, { now: T0, policy: policy() }),
      { groupId },
      ctx(),
    );
    const group = opened.writes.find((d) => d.id === groupId) as OutboxDoc;
    const other = observe(alert({ runId: 'hc-1', kind: 'mape_above_threshold' }));
    const plan = planDedup(
      other,
      transitionAlert(undefined, other, { now: at(500), policy: policy() }),
      { groupId, group },
      ctx({ now: at(500) }),
    );
    const joined = plan.writes.find((d) => d.id === groupId);
    expect(plan.group).toEqual({ id: groupId, created: false, dueAt: group.nextAttemptAt });
    expect(joined?.fingerprints).toEqual([first.fingerprint, other.fingerprint]);
    expect(joined?.payload.type === 'group' && joined.payload.items.map((i) => i.kind)).toEqual([
      'rmse_above_threshold',
      'mape_above_threshold',
    ]);
  });

  it("tells a late alert on its own once the run's group went out", () => {
    const first = observe(alert({ runId: 'hc-1' }));
    const groupId = groupDocId('production', 'hc-1', first.alert.isbn);
    const opened = planDedup(
      first,
      transitionAlert(undefined, first, { now: T0, policy: policy() }),
      { groupId },
      ctx(),
    );
    const sent = closed(opened.writes.find((d) => d.id === groupId) as OutboxDoc, 'expanded', T0, true);
    const late = observe(alert({ runId: 'hc-1', kind: 'mape_above_threshold' }));
    const plan = planDedup(
      late,
      transitionAlert(undefined, late, { now: T0, policy: policy() }),
      { groupId, group: sent },
      ctx(),
    );
    expect(plan.group).toBeUndefined();
    expect(plan.claimed.map((d) => d.channel)).toEqual(CHANNELS);
  });

  it('holds a resolution back as a job due at the end of the pending period', () => {
    const held = policy({ pendingPeriodMs: minutes(5) });
    const firing = observe(alert());
    let state = transitionAlert(undefined, firing, { now: T0, policy: policy() }).next;
    const resolved = observe({
      ...firing.alert,
      status: 'resolved',
      observedAt: at(minutes(1)).toISOString(),
    });
    const transition = transitionAlert(state, resolved, {
      now: at(minutes(1)),
      policy: held,
      resolutionSent: true,
    });
    state = transition.next;
    const plan = planDedup(resolved, transition, {}, ctx({ now: at(minutes(1)), policy: held }));
    expect(plan.claimed).toEqual([]);
    expect(plan.writes).toHaveLength(1);
    expect(plan.writes[0]).toMatchObject({
      id: resolutionDocId(firing.fingerprint, state?.resolvedAt ?? ''),
      nextAttemptAt: at(minutes(6)).toISOString(),
      payload: { type: 'resolution', item: { notify: 'resolved', fingerprint: firing.fingerprint } },
    });
  });
});
