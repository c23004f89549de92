import { DEFAULT_THRESHOLDS } from '../../../../shared/domain/thresholds';
import {
  accuracyChecks,
  forecastShiftCheck,
  regressionCheck,
  worseThan,
} from '../../../../shared/domain/validation/accuracy';
import { addWeeks } from '../../../../shared/domain/series/weeks';

const production = DEFAULT_THRESHOLDS.production;
const v = (version: string, rmse: number, mape: number) => ({ version, metrics: { rmse, mape } });

describe('accuracyChecks', () => {
  it('judges holdout RMSE and MAPE against the environment, exclusively', () => {
    const [rmse, mape] = accuracyChecks(v('4', 80, 29.9), production, 'production');
    expect(rmse).toMatchObject({ name: 'accuracy.rmse', passed: false, figure: 80 });
    expect(rmse!.detail).toBe('holdout RMSE 80 is not below the production limit 80');
    expect(mape).toMatchObject({ name: 'accuracy.mape', passed: true });
  });

  it('passes with the reason when the environment has no limit', () => {
    const [rmse] = accuracyChecks(v('4', 500, 90), DEFAULT_THRESHOLDS.development, 'development');
    expect(rmse).toMatchObject({ passed: true, detail: 'RMSE 500; no limit in development' });
  });
});

describe('regressionCheck', () => {
  it('allows up to the degradation limit and no more', () => {
    expect(regressionCheck(v('4', 105, 10), v('3', 100, 10), production, 'production').passed).toBe(true);
    const worse = regressionCheck(v('4', 105.1, 10), v('3', 100, 10), production, 'production');
    expect(worse).toMatchObject({ name: 'regression', passed: false });
    expect(worse.detail).toContain('+5.1 %');
    expect(worse.figure).toBeCloseTo(5.1);
  });

  it('passes when there is nothing to compare with', () => {
    expect(regressionCheck(v('4', 50, 10), undefined, production, 'production').detail).toBe(
      'no previous version to compare with',
    );
  });

  it('lists what makes a candidate worse than the serving version', () => {
    expect(worseThan(v('4', 12, 9), v('3', 11, 10))).toEqual([
      'RMSE 12 is worse than 11 of serving version 3',
    ]);
    expect(worseThan(v('4', 10, 9), v('3', 11, 10))).toEqual([]);
  });
});

describe('forecastShiftCheck', () => {
  const weeks = Array.from({ length: 52 }, (_, i) => addWeeks('2025-01-04', i));
  const previous = { version: '3', weeks, values: weeks.map(() => 50) };

  it('fails a forecast ten times the previous version on the weeks both cover', () => {
    const c = forecastShiftCheck(
      { version: '4', weeks: weeks.slice(2), values: weeks.slice(2).map(() => 500) },
      previous,
    );
    expect(c).toMatchObject({ name: 'shift', passed: false, figure: 10 });
    expect(c.detail).toContain('over 50 shared weeks');
  });

  it('passes a median within the factor even with a few wild weeks', () => {
    const values = weeks.map((_, i) => (i < 5 ? 400 : 55));
    expect(forecastShiftCheck({ version: '4', weeks, values }, previous).passed).toBe(true);
  });

  it('does not judge without a previous forecast or shared weeks', () => {
    expect(forecastShiftCheck({ version: '4', weeks, values: weeks.map(() => 1) }, undefined).passed).toBe(
      true,
    );
    const later = weeks.map((w) => addWeeks(w, 60));
    expect(
      forecastShiftCheck({ version: '4', weeks: later, values: later.map(() => 900) }, previous).detail,
    ).toContain('0 weeks in common');
  });
});
