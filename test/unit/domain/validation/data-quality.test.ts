import { DEFAULT_HOLDOUT_WEEKS, MIN_FIT_WEEKS } from '../../../../shared/forecasting/train-model';
import { trainingDataHash } from '../../../../shared/domain/series/data-hash';
import {
  DEFAULT_DATA_QUALITY_LIMITS,
  dataQualityChecks,
} from '../../../../shared/domain/validation/data-quality';
import { aWindow } from './fixtures';

const ISBN = '9780722532935';
const THROUGH = '2024-11-30';
const byName = (checks: Array<{ name: string; passed: boolean; detail: string }>) =>
  Object.fromEntries(checks.map((c) => [c.name, c]));

describe('dataQualityChecks', () => {
  it('passes a clean two-year window that still hashes as trained', () => {
    const points = aWindow(104, THROUGH);
    const checks = dataQualityChecks({
      isbn: ISBN,
      points,
      trainedThrough: THROUGH,
      dataHash: trainingDataHash(ISBN, points, THROUGH),
    });
    expect(checks.map((c) => c.name)).toEqual([
      'data.week-endings',
      'data.history-length',
      'data.duplicate-weeks',
      'data.missing-weeks',
      'data.negative-sales',
      'data.hash',
    ]);
    expect(checks.every((c) => c.passed)).toBe(true);
  });

  it('names each problem of a dirty window at once', () => {
    const points = aWindow(40, THROUGH).filter((_, i) => i < 10 || i > 19);
    points.push({ weekEnding: points[3]!.weekEnding, volume: 12 });
    points[5] = { ...points[5]!, volume: -3 };
    points.push({ weekEnding: '2024-11-27', volume: 4 });
    const c = byName(
      dataQualityChecks({ isbn: ISBN, points, trainedThrough: THROUGH, dataHash: 'sha256:old' }),
    );
    expect(c['data.week-endings']!.detail).toBe('1 rows do not end on a Saturday: 2024-11-27');
    expect(c['data.history-length']!.detail).toBe(
      '40 weeks from 2024-03-02 to 2024-11-30; needs at least 58',
    );
    expect(c['data.duplicate-weeks']!.detail).toBe('1 weeks appear more than once: 2024-03-23');
    expect(c['data.missing-weeks']!.detail).toMatch(
      /^10 of 40 weeks missing \(25 %, limit 5 %\); longest gap 10 weeks ending 2024-07-13/,
    );
    expect(c['data.negative-sales']!.detail).toBe(
      '1 weeks with negative or unreadable sales: 2024-04-06 (-3)',
    );
    expect(c['data.hash']!.detail).toContain('the sales it was trained on were revised since');
    expect(Object.values(c).filter((x) => !x.passed)).toHaveLength(6);
  });

  it('ignores weeks after the cutoff', () => {
    const points = [...aWindow(80, THROUGH), { weekEnding: '2024-12-07', volume: -1 }];
    expect(dataQualityChecks({ isbn: ISBN, points, trainedThrough: THROUGH }).every((c) => c.passed)).toBe(
      true,
    );
  });

  it('requires the history training itself needs', () => {
    expect(DEFAULT_DATA_QUALITY_LIMITS.minWeeks).toBe(MIN_FIT_WEEKS + DEFAULT_HOLDOUT_WEEKS);
  });
});
