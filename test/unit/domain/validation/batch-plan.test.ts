import {
  BATCH_MAX_HORIZON,
  horizonGrid,
  planBatch,
  roundsPerVersion,
} from '../../../../shared/domain/validation/batch-plan';
import { ValidationError } from '../../../../shared/errors';

describe('planBatch', () => {
  it('covers every horizon 1–52 with and without the interval', () => {
    const grid = horizonGrid();
    expect(grid).toHaveLength(2 * BATCH_MAX_HORIZON);
    for (let steps = 1; steps <= 52; steps++) {
      expect(grid).toContainEqual({ steps, return_confidence_intervals: true });
      expect(grid).toContainEqual({ steps, return_confidence_intervals: false });
    }
  });

  it('repeats the grid until one version reaches 1,000 predictions', () => {
    const batch = planBatch([{ isbn: '9780722532935', version: '4' }]);
    expect(batch.length).toBeGreaterThanOrEqual(1000);
    expect(batch.length).toBe(1040);
    expect(new Set(batch.map((r) => r.version))).toEqual(new Set(['4']));
  });

  it('spreads the floor over a fleet instead of multiplying it', () => {
    const targets = Array.from({ length: 12 }, (_, i) => ({ isbn: `978000000000${i}`, version: '3' }));
    const batch = planBatch(targets);
    expect(batch.length).toBe(12 * 104);
    for (const t of targets) expect(batch.filter((r) => r.isbn === t.isbn)).toHaveLength(104);
  });

  it('honours a larger floor (the 10,000-prediction bench)', () => {
    expect(
      planBatch([{ isbn: 'x', version: '1' }], { minPredictions: 10_000 }).length,
    ).toBeGreaterThanOrEqual(10_000);
  });

  it('names a bad argument', () => {
    expect(() => roundsPerVersion(0, 1000, 104)).toThrow(ValidationError);
    expect(() => roundsPerVersion(1, -1, 104)).toThrow(/minPredictions/);
  });
});
