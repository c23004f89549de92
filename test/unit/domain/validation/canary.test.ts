import {
  canarySplit,
  decideCanary,
  liveAccuracy,
  type ArmFigures,
} from '../../../../shared/domain/validation/canary';
import { ValidationError } from '../../../../shared/errors';

const arm = (version: string, over: Partial<ArmFigures> = {}): ArmFigures => ({
  version,
  trafficPercent: 50,
  requests: 20,
  errors: 0,
  ...over,
});

describe('canary', () => {
  it('splits the share and refuses a bad one', () => {
    expect(canarySplit('3', '4', 10)).toEqual({ '3': 90, '4': 10 });
    expect(() => canarySplit('3', '4', 100)).toThrow(ValidationError);
    expect(() => canarySplit('3', '3', 10)).toThrow(/already serves/);
  });

  it('scores a forecast on the weeks that have actuals', () => {
    const acc = liveAccuracy(
      { weeks: ['a', 'b', 'c'], values: [10, 20, 99] },
      new Map([
        ['a', 12],
        ['b', 20],
      ]),
    )!;
    expect(acc.weeks).toBe(2);
    expect(acc.rmse).toBeCloseTo(Math.sqrt(2));
    expect(acc.mape).toBeCloseTo((100 * (2 / 12)) / 2);
    expect(liveAccuracy({ weeks: ['a'], values: [null] }, new Map([['a', 1]]))).toBeUndefined();
    expect(liveAccuracy({ weeks: ['z'], values: [1] }, new Map([['a', 1]]))).toBeUndefined();
  });

  it('promotes a canary within the tolerance and demotes one beyond it', () => {
    const base = arm('3', { accuracy: { rmse: 10, weeks: 4 } });
    expect(decideCanary(base, arm('4', { accuracy: { rmse: 10.4, weeks: 4 } }), 5).decision).toBe('promote');
    const worse = decideCanary(base, arm('4', { accuracy: { rmse: 10.6, weeks: 4 } }), 5);
    expect(worse.decision).toBe('demote');
    expect(worse.reason).toBe('live RMSE 10.6 vs 10 of version 3 over 4 weeks (6 %); tolerance +5 %');
    expect(worse.rmseChangePct).toBeCloseTo(6);
  });

  it('demotes a canary that errs, and promotes a clean one when no actuals have arrived', () => {
    expect(decideCanary(arm('3'), arm('4', { errors: 2 }), 5).decision).toBe('demote');
    const early = decideCanary(arm('3'), arm('4'), 5);
    expect(early.decision).toBe('promote');
    expect(early.reason).toContain('no actual sales yet');
  });
});
