import type { RollbackLease } from '../../../../shared/contracts/documents/rollback';
import {
  planRecovery,
  type InterruptedBook,
  type RecoveryStep,
} from '../../../../shared/domain/rollback/recovery';
import { desiredForVersion } from '../../../../shared/domain/rollback/serving';
import { at, ISBN, servingWith } from './books';

const intent = { from: '3', to: '1', backupId: 'bk-1', desired: desiredForVersion('1'), at };
const entry = { isbn: ISBN, productionAlias: '3', serving: servingWith({ '2': 0, '3': 100 }) };
/** The backup entry as a state to put back: its alias and every deployment, nothing else. */
const restoreTo = {
  productionAlias: '3',
  split: [
    { version: '2', trafficPercent: 0 },
    { version: '3', trafficPercent: 100 },
  ],
  exact: true,
};
const lease: RollbackLease = {
  isbn: ISBN,
  holder: 'dead@host:1',
  requestId: 'req-1',
  rollbackId: 'rb-1',
  backupId: 'bk-1',
  expiresAt: at,
  held: true,
  intent,
};
const asIntended = { productionAlias: '1', serving: servingWith({ '1': 100, '3': 0 }) };
const untouched = { productionAlias: '3', serving: servingWith({ '2': 0, '3': 100 }) };
const halfSwitched = { productionAlias: '3', serving: servingWith({ '1': 100, '3': 0 }) };
const history = [{ version: '3', at, via: 'deploy' as const }];

function known(overrides: Partial<InterruptedBook>): InterruptedBook {
  return {
    lease,
    head: {
      backupId: 'bk-1',
      rollbackId: 'rb-1',
      createdAt: at,
      entries: [],
      requestedBy: 'oncall',
      reason: 'bad forecasts',
    },
    holder: 'recoverer@host:2',
    history,
    current: untouched,
    entry,
    at,
    ...overrides,
  };
}

/** The finishing step's record fields that differ between cases, and whether the lease is released. */
function ending(step: RecoveryStep) {
  if (step.step !== 'finish') return step;
  const { status, from, to, verified, error, note } = step.record;
  return { status, from, to, verified, error, note, release: step.release };
}

describe('planRecovery', () => {
  const cases: Array<[string, Partial<InterruptedBook>, ReturnType<typeof ending>]> = [
    [
      'no intent: released unchanged, reporting what serves',
      {
        lease: { ...lease, intent: undefined },
        current: { serving: servingWith({ '3': 100 }) },
        entry: undefined,
      },
      {
        status: 'failed',
        from: '3',
        to: null,
        verified: false,
        error: 'the run was interrupted before it switched this book; nothing was changed',
        note: 'released by recovery',
        release: true,
      },
    ],
    [
      'as intended, not yet verified: verify the intent',
      { current: asIntended },
      { step: 'verify', desired: intent.desired },
    ],
    [
      'as intended and verified: completed',
      { current: asIntended, verified: { ok: true } },
      {
        status: 'succeeded',
        from: '3',
        to: '1',
        verified: true,
        error: undefined,
        note: 'completed by recovery',
        release: true,
      },
    ],
    [
      'as intended, verification failed: restore from the backup',
      { current: asIntended, verified: { ok: false, detail: 'canary answered by 3' } },
      { step: 'restore', desired: restoreTo },
    ],
    [
      'as intended, verification failed, restored',
      {
        current: asIntended,
        verified: { ok: false, detail: 'canary answered by 3' },
        restored: { ok: true },
      },
      {
        status: 'restored',
        from: '3',
        to: '1',
        verified: false,
        error: 'verification after recovery failed: canary answered by 3',
        note: 'restored by recovery',
        release: true,
      },
    ],
    [
      'as intended, verification failed, no backup entry: lease kept',
      { current: asIntended, verified: { ok: false, detail: 'canary answered by 3' }, entry: undefined },
      {
        status: 'failed',
        from: '3',
        to: '1',
        verified: false,
        error: 'verification failed (canary answered by 3) and the backup cannot be restored',
        note: 'recovery impossible; lease kept',
        release: false,
      },
    ],
    ['untouched: restore (changes nothing)', { current: untouched }, { step: 'restore', desired: restoreTo }],
    [
      'untouched, restored',
      { current: untouched, restored: { ok: true } },
      {
        status: 'restored',
        from: '3',
        to: '1',
        verified: false,
        error: 'the run was interrupted before it switched this book',
        note: 'restored by recovery',
        release: true,
      },
    ],
    [
      'half-switched, restore failed: lease kept',
      { current: halfSwitched, restored: { ok: false, detail: 'switch failed: quota' } },
      {
        status: 'failed',
        from: '3',
        to: '1',
        verified: false,
        error: 'the run was interrupted mid-switch; restoring from backup bk-1 failed: switch failed: quota',
        note: 'recovery failed; lease kept',
        release: false,
      },
    ],
    [
      'no backup entry: lease kept without trying anything',
      { current: halfSwitched, entry: undefined },
      {
        status: 'failed',
        from: '3',
        to: '1',
        verified: false,
        error: 'backup bk-1 holds no entry for this book, so it cannot be put back',
        note: 'recovery impossible; lease kept',
        release: false,
      },
    ],
  ];

  it.each(cases)('%s', (_name, overrides, expected) => {
    expect(ending(planRecovery(known(overrides)))).toEqual(expected);
  });

  it('records on the interrupted run, under who asked for it, with its backup', () => {
    const step = planRecovery(known({ current: asIntended, verified: { ok: true } }));
    expect(step.step === 'finish' && step.record).toMatchObject({
      rollbackId: 'rb-1',
      requestId: 'req-1',
      isbn: ISBN,
      requestedBy: 'oncall',
      reason: 'bad forecasts',
      backupId: 'bk-1',
      at,
    });
  });

  it('falls back to the recovering process and a stock reason when the run head is gone', () => {
    const step = planRecovery(known({ head: undefined, current: untouched, restored: { ok: true } }));
    expect(step.step === 'finish' && step.record).toMatchObject({
      requestedBy: 'recoverer@host:2',
      reason: 'recovery of an interrupted rollback',
    });
  });

  it('records the switch in the history when completed, and the version put back when restored', () => {
    const done = planRecovery(known({ current: asIntended, verified: { ok: true } }));
    expect(done.step === 'finish' && done.history.map((h) => [h.version, h.via])).toEqual([
      ['3', 'deploy'],
      ['1', 'recovery'],
    ]);
    const movedOn = [...history, { version: '1', at, via: 'rollback' as const }];
    const back = planRecovery(known({ history: movedOn, current: halfSwitched, restored: { ok: true } }));
    expect(back.step === 'finish' && back.history.map((h) => [h.version, h.via])).toEqual([
      ['3', 'deploy'],
      ['1', 'rollback'],
      ['3', 'restore'],
    ]);
    const kept = planRecovery(known({ current: halfSwitched, restored: { ok: false, detail: 'x' } }));
    expect(kept.step === 'finish' && kept.history).toEqual(history);
  });
});
