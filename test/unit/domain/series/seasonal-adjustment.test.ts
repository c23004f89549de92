import {
  adjustSeries,
  interpolateGaps,
  seasonalProfile,
  weeklyGrid,
  winsorize,
} from '../../../../shared/domain/series/seasonal-adjustment';
import { saturdaysBetween, seasonalSlot } from '../../../../shared/domain/series/weeks';

describe('seasonal adjustment', () => {
  it('lays points on a weekly grid with NaN for absent weeks, ignoring weeks after `through`', () => {
    const grid = weeklyGrid(
      [
        { weekEnding: '2024-01-06', volume: 5 },
        { weekEnding: '2024-01-20', volume: 7 },
        { weekEnding: '2024-01-27', volume: 9 },
      ],
      '2024-01-20',
    );
    expect(grid.weeks).toEqual(['2024-01-06', '2024-01-13', '2024-01-20']);
    expect(grid.values).toEqual([5, Number.NaN, 7]);
  });

  it('interpolates gaps linearly and carries the ends', () => {
    expect(interpolateGaps([Number.NaN, 1, Number.NaN, Number.NaN, 4, Number.NaN])).toEqual([
      1, 1, 2, 3, 4, 4,
    ]);
  });

  it('pulls a one-off spike back to the local level and leaves ordinary noise alone', () => {
    const values = Array.from({ length: 40 }, (_, i) => 4 + 0.05 * Math.sin(i));
    values[20] = 6; // a promotion week, ~7× on the log1p scale
    const { values: cleaned, replaced } = winsorize(values, 4);
    expect(replaced).toBe(1);
    expect(cleaned[20]).toBeCloseTo(4, 0);
    expect(cleaned.filter((v, i) => v !== values[i])).toHaveLength(1);
  });

  it('recovers a known seasonal profile from several years', () => {
    const weeks = saturdaysBetween('2015-01-01', '2022-12-31');
    const truth = (slot: number): number => (slot >= 46 ? 0.8 : slot <= 1 ? -0.3 : 0);
    const logs = weeks.map((w, i) => 4 + 0.0005 * i + truth(seasonalSlot(w)));
    const profile = seasonalProfile(weeks, logs);
    const meanTruth = Array.from({ length: 52 }, (_, s) => truth(s)).reduce((a, b) => a + b, 0) / 52;
    for (let slot = 0; slot < 52; slot++) expect(profile[slot]).toBeCloseTo(truth(slot) - meanTruth, 1);
    expect(profile.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 8);
  });

  it('adjusts a series into a flat, gap-free log series and reports what it changed', () => {
    const weeks = saturdaysBetween('2019-01-01', '2023-12-31');
    const values: number[] = weeks.map((w) => (seasonalSlot(w) >= 46 ? 300 : 100));
    values[30] = Number.NaN;
    const adjusted = adjustSeries({ weeks, values });
    expect(adjusted.filledWeeks).toBe(1);
    expect(adjusted.values.every(Number.isFinite)).toBe(true);
    const spread = Math.max(...adjusted.values) - Math.min(...adjusted.values);
    expect(spread).toBeLessThan(0.2); // the 3× Christmas step is gone
  });
});
