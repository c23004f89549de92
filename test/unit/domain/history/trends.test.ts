/** The history views' decisions: version changes in a series, threshold lines per version, worst movers. */
import { limitLines, versionChanges, worstMovers } from '../../../../shared/domain/history/trends';
import { DEFAULT_THRESHOLDS, thresholdsFor } from '../../../../shared/domain/thresholds';

describe('versionChanges', () => {
  it('marks the first point of each new version, going back included', () => {
    const at = (h: number) => `2025-01-01T${String(h).padStart(2, '0')}:00:00.000Z`;
    expect(
      versionChanges([
        { at: at(1), version: '3' },
        { at: at(2), version: '3' },
        { at: at(3), version: '4' },
        { at: at(4), version: '3' },
      ]),
    ).toEqual([
      { at: at(3), from: '3', to: '4' },
      { at: at(4), from: '4', to: '3' },
    ]);
    expect(versionChanges([{ at: at(1), version: '3' }])).toEqual([]);
  });
});

describe('limitLines', () => {
  it("draws the absolute limits and the version's baseline raised by the relative ones", () => {
    const t = DEFAULT_THRESHOLDS.production;
    const lines = limitLines(t, { rmse: 40, mape: 20 });
    expect(lines.rmseMax).toBe(t.rmseMax);
    expect(lines.mapeMax).toBe(t.mapeMax);
    expect(lines.rmseSpike).toBeCloseTo(40 * (1 + (t.rmseSpikePct ?? NaN) / 100), 3);
    expect(lines.mapeIncrease).toBeCloseTo(20 * (1 + (t.mapeIncreasePct ?? NaN) / 100), 3);
  });

  it('draws no relative line without a baseline, or where a rule is off', () => {
    const off = thresholdsFor('production', '9780722532935', {
      '9780722532935': { rmseSpikePct: null, rmseMax: null },
    });
    expect(limitLines(off, { rmse: 40, mape: 20 })).toMatchObject({ rmseMax: null, rmseSpike: null });
    expect(limitLines(DEFAULT_THRESHOLDS.production, undefined)).toMatchObject({
      rmseSpike: null,
      mapeIncrease: null,
    });
  });
});

describe('worstMovers', () => {
  const f = (isbn: string, mape: number, rmse: number, version = '1') => ({ isbn, version, mape, rmse });

  it('ranks rises in MAPE first, then relative rises in RMSE, and leaves out books that improved', () => {
    const before = [f('A', 10, 10), f('B', 10, 10), f('C', 10, 100), f('D', 30, 30), f('E', 10, 0)];
    const after = [
      f('A', 25, 12, '2'),
      f('B', 10, 30),
      f('C', 10, 130),
      f('D', 20, 20),
      f('E', 10, 5),
      f('F', 99, 99),
    ];
    const movers = worstMovers(before, after, 10);
    expect(movers.map((m) => m.isbn)).toEqual(['A', 'E', 'B', 'C']);
    expect(movers[0]).toMatchObject({
      fromVersion: '1',
      toVersion: '2',
      mapeRise: 15,
      rmseRise: 2,
      rmseRisePct: 20,
    });
    expect(movers.find((m) => m.isbn === 'B')?.rmseRisePct).toBe(200);
    expect(movers.find((m) => m.isbn === 'C')?.rmseRisePct).toBe(30);
    // From zero RMSE a rise has no percentage; it ranks ahead of any finite one.
    expect(movers.find((m) => m.isbn === 'E')?.rmseRisePct).toBeNull();
  });

  it('keeps the `limit` worst', () => {
    const before = [f('A', 1, 1), f('B', 1, 1), f('C', 1, 1)];
    const after = [f('A', 2, 1), f('B', 4, 1), f('C', 3, 1)];
    expect(worstMovers(before, after, 2).map((m) => m.isbn)).toEqual(['B', 'C']);
  });
});
