import type { AlertState } from '../../../../shared/contracts/documents/alert-state';
import { AlertState as AlertStateSchema } from '../../../../shared/contracts/documents/alert-state';
import {
  transitionAlert,
  type Transition,
  type TransitionContext,
} from '../../../../shared/domain/alerting/state-machine';
import { alert, at, hours, minutes, observe, policy } from './builders';

/** Feeds observations one after another, as dispatch would, returning every transition. */
function run(
  steps: Array<{ a: ReturnType<typeof alert>; t: number; ctx?: Partial<TransitionContext> }>,
  start?: AlertState,
) {
  let state = start;
  const out: Transition[] = [];
  for (const { a, t, ctx } of steps) {
    const tr = transitionAlert(state, observe(a), {
      now: at(t),
      policy: policy(),
      resolutionSent: true,
      ...ctx,
    });
    if (tr.next) {
      // Every state written must satisfy the document contract.
      expect(AlertStateSchema.safeParse(tr.next).success).toBe(true);
      state = tr.next;
    }
    out.push(tr);
  }
  return { out, state: state! };
}

const decisions = (trs: Transition[]) =>
  trs.map((t) =>
    t.decision.action === 'notify'
      ? `notify:${t.decision.kind}`
      : `${t.decision.action}:${'reason' in t.decision ? t.decision.reason : ''}`,
  );

describe('transitionAlert: critical', () => {
  it('notifies at the first firing, holds repeats until the repeat interval, then reminds', () => {
    const { out, state } = run([
      { a: alert(), t: 0 },
      { a: alert(), t: hours(1) },
      { a: alert(), t: hours(2) },
      { a: alert(), t: hours(4) },
    ]);
    expect(decisions(out)).toEqual([
      'notify:firing',
      'hold:repeat-interval',
      'hold:repeat-interval',
      'notify:repeat',
    ]);
    expect(state).toMatchObject({
      status: 'firing',
      notifyCount: 2,
      lastNotifiedAt: at(hours(4)).toISOString(),
    });
    expect(state.firstSeenAt).toBe(at(0).toISOString());
    expect(out[0]!.newEpisode).toBe(true);
    expect(out[0]!.escalateAt).toBe(at(minutes(30)).toISOString());
    expect(out[3]!.escalateAt).toBeUndefined();
  });

  it('ignores the same observation delivered twice, writing nothing', () => {
    const a = alert();
    const { out } = run([
      { a, t: 0 },
      { a, t: 5 },
    ]);
    expect(out[1]!.next).toBeUndefined();
    expect(out[1]!.decision).toMatchObject({ action: 'ignore' });
  });

  it('stops reminding once acknowledged', () => {
    const first = run([{ a: alert(), t: 0 }]).state;
    const acked = { ...first, acknowledgedBy: 'alice', acknowledgedAt: at(minutes(5)).toISOString() };
    const { out } = run([{ a: alert(), t: hours(5) }], acked);
    expect(decisions(out)).toEqual(['hold:acknowledged']);
  });

  it('keeps a silenced alert up to date without telling anyone, and tells once the silence is over', () => {
    const silenced: AlertState = {
      ...run([{ a: alert({ status: 'firing' }), t: 0, ctx: { inhibitedBy: 'registry_unreachable' } }]).state,
      silencedUntil: at(hours(2)).toISOString(),
    };
    const { out, state } = run(
      [
        { a: alert(), t: hours(1) },
        { a: alert(), t: hours(3) },
      ],
      silenced,
    );
    expect(decisions(out)).toEqual(['hold:silenced', 'notify:firing']);
    expect(state.notifyCount).toBe(1);
  });

  it('mutes an inhibited alert and tells it once the inhibitor is gone', () => {
    const { out } = run([
      { a: alert(), t: 0, ctx: { inhibitedBy: 'registry_unreachable' } },
      { a: alert(), t: hours(1) },
    ]);
    expect(decisions(out)).toEqual(['hold:inhibited', 'notify:firing']);
  });

  it('notifies at once when a warning becomes critical', () => {
    const { out, state } = run([
      { a: alert({ severity: 'warning' }), t: 0 },
      { a: alert({ severity: 'critical' }), t: hours(1) },
    ]);
    expect(decisions(out)).toEqual(['hold:digest', 'notify:firing']);
    expect(state).toMatchObject({ severity: 'critical', status: 'firing', notifyCount: 1 });
  });
});

describe('transitionAlert: flapping guard', () => {
  const guarded = { policy: policy({ pendingPeriodMs: minutes(30) }) };

  it('holds a new condition as pending until it has held for the pending period', () => {
    const { out, state } = run([
      { a: alert(), t: 0, ctx: guarded },
      { a: alert(), t: minutes(10), ctx: guarded },
      { a: alert(), t: minutes(31), ctx: guarded },
    ]);
    expect(decisions(out)).toEqual(['hold:pending', 'hold:pending', 'notify:firing']);
    expect(state.pendingSince).toBeUndefined();
    expect(out[1]!.next!.pendingSince).toBe(at(0).toISOString());
  });

  it('holds a resolution back, and a firing before it went out continues the episode (cancelling it)', () => {
    const { out, state } = run([
      { a: alert(), t: 0, ctx: { policy: policy() } },
      { a: alert({ status: 'resolved' }), t: hours(1), ctx: guarded },
      { a: alert(), t: hours(1) + minutes(5), ctx: { ...guarded, resolutionSent: false } },
    ]);
    expect(decisions(out)).toEqual(['notify:firing', 'hold:resolution-pending', 'hold:repeat-interval']);
    expect(out[1]!.holdResolutionUntil).toBe(at(hours(1) + minutes(30)).toISOString());
    expect(out[2]!.cancelResolutionHold).toBe(true);
    expect(out[2]!.newEpisode).toBe(false);
    expect(state).toMatchObject({ status: 'firing', firstSeenAt: at(0).toISOString() });
    expect(state.resolvedAt).toBeUndefined();
  });

  it('starts a new episode when the resolution notice already went out', () => {
    const { out, state } = run([
      { a: alert(), t: 0 },
      { a: alert({ status: 'resolved' }), t: hours(1) },
      { a: alert(), t: hours(2), ctx: { resolutionSent: true } },
    ]);
    expect(decisions(out)).toEqual(['notify:firing', 'notify:resolved', 'notify:firing']);
    expect(out[2]!.newEpisode).toBe(true);
    expect(state).toMatchObject({ firstSeenAt: at(hours(2)).toISOString(), notifyCount: 1 });
  });
});

describe('transitionAlert: resolved', () => {
  it('sends one resolution notice, at the severity that fired, and ends the acknowledgement', () => {
    const fired = run([{ a: alert(), t: 0 }]).state;
    const acked = { ...fired, acknowledgedBy: 'alice', acknowledgedAt: at(1).toISOString() };
    const { out, state } = run(
      [
        { a: alert({ status: 'resolved', severity: 'info' }), t: hours(1) },
        { a: alert({ status: 'resolved', severity: 'info' }), t: hours(2) },
      ],
      acked,
    );
    expect(decisions(out)).toEqual(['notify:resolved', 'ignore:already resolved']);
    expect(out[0]!.decision).toMatchObject({ severity: 'critical' });
    expect(state).toMatchObject({
      status: 'resolved',
      resolvedAt: at(hours(1)).toISOString(),
      notifyCount: 2,
    });
    expect(state.acknowledgedBy).toBeUndefined();
    expect(state.acknowledgedAt).toBeUndefined();
  });

  it('still sends the resolution notice of a silenced alert that was notified', () => {
    const fired = run([{ a: alert(), t: 0 }]).state;
    const silenced = { ...fired, silencedUntil: at(hours(8)).toISOString() };
    const { out } = run([{ a: alert({ status: 'resolved' }), t: hours(1) }], silenced);
    expect(decisions(out)).toEqual(['notify:resolved']);
  });

  it('tells nobody about a resolution of something nobody was told about', () => {
    const { out } = run([
      { a: alert(), t: 0, ctx: { inhibitedBy: 'data_stale' } },
      { a: alert({ status: 'resolved' }), t: hours(1) },
    ]);
    expect(decisions(out)).toEqual(['hold:inhibited', 'hold:not-notified']);
    expect(out[1]!.next!.status).toBe('resolved');
  });

  it('ignores the resolution of an alert it never saw', () => {
    const tr = transitionAlert(undefined, observe(alert({ status: 'resolved' })), {
      now: at(0),
      policy: policy(),
    });
    expect(tr.next).toBeUndefined();
    expect(tr.decision).toMatchObject({ action: 'ignore' });
  });
});

describe('transitionAlert: warning, info and test', () => {
  it('keeps warnings pending for the daily summary and never pages', () => {
    const { out, state } = run([
      { a: alert({ severity: 'warning', kind: 'data_drift' }), t: 0 },
      { a: alert({ severity: 'warning', kind: 'data_drift' }), t: hours(30) },
      { a: alert({ severity: 'warning', kind: 'data_drift', status: 'resolved' }), t: hours(31) },
    ]);
    expect(decisions(out)).toEqual(['hold:digest', 'hold:digest', 'hold:not-notified']);
    expect(state.notifyCount).toBe(0);
  });

  it('tells an info alert once (to the log) and not again within the interval', () => {
    const { out } = run([
      { a: alert({ severity: 'info', kind: 'pipeline_failed', isbn: undefined }), t: 0 },
      { a: alert({ severity: 'info', kind: 'pipeline_failed', isbn: undefined }), t: hours(1) },
    ]);
    expect(decisions(out)).toEqual(['notify:firing', 'hold:repeat-interval']);
    expect(out[0]!.escalateAt).toBeUndefined();
  });

  it('sends every new test alert and closes its state at once', () => {
    const test = (c: string) => alert({ kind: 'test', isbn: undefined, correlationId: c });
    const a = test('corr-test-1');
    const { out, state } = run([
      { a, t: 0 },
      { a, t: 1 },
      { a: test('corr-test-2'), t: 2 },
    ]);
    expect(out.map((t) => t.decision.action)).toEqual(['notify', 'ignore', 'notify']);
    expect(out[2]!.decision).toMatchObject({ kind: 'test', severity: 'critical' });
    expect(state).toMatchObject({ status: 'resolved', notifyCount: 2 });
  });
});

describe('transitionAlert: updates ordered by observedAt', () => {
  const firedAt = at(0).toISOString();
  const resolvedAt = at(hours(1)).toISOString();
  const firing = () => alert({ correlationId: 'corr-fired', observedAt: firedAt });
  const resolution = () =>
    alert({ status: 'resolved', severity: 'info', correlationId: 'corr-cleared', observedAt: resolvedAt });

  it('a firing observed before the resolution (a late redelivery or a replay) is stale: no notice, no new episode, nothing written', () => {
    const { state } = run([
      { a: firing(), t: 0 },
      { a: resolution(), t: hours(1) },
    ]);
    const late = transitionAlert(state, observe(firing()), {
      now: at(hours(3)),
      policy: policy(),
      resolutionSent: true,
    });
    expect(late.decision).toMatchObject({ action: 'ignore', reason: expect.stringMatching(/stale/) });
    expect(late.stale).toBe(true);
    expect(late.newEpisode).toBe(false);
    expect(late.next).toBeUndefined();
  });

  it('a stale firing does not cancel a held-back resolution', () => {
    const guarded = { policy: policy({ pendingPeriodMs: minutes(30) }) };
    const { state } = run([
      { a: firing(), t: 0, ctx: guarded },
      { a: resolution(), t: hours(1), ctx: guarded },
    ]);
    const late = transitionAlert(state, observe(firing()), {
      now: at(hours(1) + minutes(5)),
      ...guarded,
      resolutionSent: false,
    });
    expect(late.decision.action).toBe('ignore');
    expect(late.cancelResolutionHold).toBeUndefined();
    expect(late.next).toBeUndefined();
  });

  it('a resolution observed before the latest firing does not close the newer episode', () => {
    const { state } = run([
      { a: firing(), t: 0 },
      { a: resolution(), t: hours(1) },
      { a: alert({ correlationId: 'corr-again', observedAt: at(hours(2)).toISOString() }), t: hours(2) },
    ]);
    const late = transitionAlert(state, observe(resolution()), {
      now: at(hours(3)),
      policy: policy(),
      resolutionSent: true,
    });
    expect(late.decision.action).toBe('ignore');
    expect(late.next).toBeUndefined();
    expect(state.status).toBe('firing');
  });

  it('a firing observed after the resolution is a new episode, told', () => {
    const { out } = run([
      { a: firing(), t: 0 },
      { a: resolution(), t: hours(1) },
      { a: alert({ correlationId: 'corr-again', observedAt: at(hours(2)).toISOString() }), t: hours(2) },
    ]);
    expect(decisions(out)).toEqual(['notify:firing', 'notify:resolved', 'notify:firing']);
    expect(out[2]!.newEpisode).toBe(true);
  });
});
