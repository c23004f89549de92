import type { AlertState } from '../../../../shared/contracts/documents/alert-state';
import {
  acknowledgeAlert,
  escalationVerdict,
  markDigested,
  resolutionVerdict,
  silenceAlert,
} from '../../../../shared/domain/alerting/operator-actions';
import { transitionAlert } from '../../../../shared/domain/alerting/state-machine';
import { ConflictError } from '../../../../shared/errors';
import { alert, at, hours, minutes, observe, policy } from './builders';

function firing(overrides: Partial<Parameters<typeof alert>[0]> = {}): AlertState {
  return transitionAlert(undefined, observe(alert(overrides)), { now: at(0), policy: policy() }).next!;
}

describe('acknowledgeAlert', () => {
  it('records who and when, and refuses a resolved alert', () => {
    const acked = acknowledgeAlert(firing(), 'alice', at(minutes(3)));
    expect(acked).toMatchObject({
      acknowledgedBy: 'alice',
      acknowledgedAt: at(minutes(3)).toISOString(),
      version: 1,
    });
    const resolved = { ...firing(), status: 'resolved' as const };
    expect(() => acknowledgeAlert(resolved, 'alice', at(0))).toThrow(ConflictError);
    expect(() => acknowledgeAlert(resolved, 'alice', at(0))).toThrow(/ends when an alert resolves/);
  });
});

describe('silenceAlert', () => {
  it('sets the end of the silence and refuses one in the past', () => {
    expect(silenceAlert(firing(), at(hours(2)), at(0)).silencedUntil).toBe(at(hours(2)).toISOString());
    expect(() => silenceAlert(firing(), at(-1), at(0))).toThrow(/must end in the future/);
  });
});

describe('escalationVerdict', () => {
  const episode = at(0).toISOString();

  it('escalates a firing, unacknowledged critical of the same episode once', () => {
    const verdict = escalationVerdict(firing(), episode, at(minutes(30)));
    expect(verdict.due).toBe(true);
    if (!verdict.due) return;
    expect(verdict.next).toMatchObject({ escalatedAt: at(minutes(30)).toISOString(), notifyCount: 2 });
    expect(escalationVerdict(verdict.next, episode, at(minutes(31)))).toMatchObject({
      due: false,
      reason: expect.stringContaining('already escalated'),
    });
  });

  it.each([
    [
      'acknowledged',
      (s: AlertState) => ({ ...s, acknowledgedBy: 'bob', acknowledgedAt: at(1).toISOString() }),
      'acknowledged by bob',
    ],
    ['resolved', (s: AlertState) => ({ ...s, status: 'resolved' as const }), 'it is resolved'],
    ['silenced', (s: AlertState) => ({ ...s, silencedUntil: at(hours(1)).toISOString() }), 'silenced until'],
    [
      'a later episode',
      (s: AlertState) => ({ ...s, firstSeenAt: at(hours(1)).toISOString() }),
      'later episode',
    ],
    ['downgraded', (s: AlertState) => ({ ...s, severity: 'warning' as const }), 'now warning'],
  ])('does not escalate when %s', (_name, change, reason) => {
    expect(escalationVerdict(change(firing()), episode, at(minutes(30)))).toEqual({
      due: false,
      reason: expect.stringContaining(reason),
    });
  });

  it('does not escalate an alert that no longer exists', () => {
    expect(escalationVerdict(undefined, episode, at(0))).toMatchObject({ due: false });
  });
});

describe('resolutionVerdict', () => {
  it('sends the held-back resolution only while the alert is still resolved from that moment', () => {
    const resolved = { ...firing(), status: 'resolved' as const, resolvedAt: at(hours(1)).toISOString() };
    expect(resolutionVerdict(resolved, at(hours(1)).toISOString())).toMatchObject({
      due: true,
      next: { notifyCount: 2 },
    });
    expect(resolutionVerdict({ ...resolved, status: 'firing' }, at(hours(1)).toISOString())).toMatchObject({
      due: false,
      reason: expect.stringContaining('flap'),
    });
  });
});

describe('markDigested', () => {
  it('turns a pending warning into a told one and counts it', () => {
    const warning = transitionAlert(undefined, observe(alert({ severity: 'warning' })), {
      now: at(0),
      policy: policy(),
    }).next!;
    expect(warning.status).toBe('pending');
    const told = markDigested(warning, at(hours(20)));
    expect(told).toMatchObject({
      status: 'firing',
      notifyCount: 1,
      lastNotifiedAt: at(hours(20)).toISOString(),
    });
    expect(told.pendingSince).toBeUndefined();
  });
});
