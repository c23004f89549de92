import type { SalesPoint, SalesSeries } from '../../../../shared/contracts/model';
import {
  assessDrift,
  DEFAULT_DRIFT_OPTIONS,
  driftFinding,
  populationStability,
} from '../../../../shared/domain/health/drift';
import { catalogue } from '../../../../shared/fleet/catalogue';
import { generateSales } from '../../../../shared/fleet/sales-generator';
import { trainingDataHash } from '../../../../shared/domain/series/data-hash';

const TRAINED = '2024-11-30';

/** Realistic weekly sales of two catalogue books (seasonal, noisy), as `seed` generates them. */
const BOOKS: SalesSeries[] = catalogue(2).map((book) =>
  generateSales(book, { seed: 42, from: '2018', to: '2024' }),
);

function input(series: SalesSeries, points: readonly SalesPoint[] = series.points) {
  return {
    isbn: series.isbn,
    points,
    trainedThrough: TRAINED,
    dataHash: trainingDataHash(series.isbn, series.points, TRAINED),
  };
}

function scaleLast(points: readonly SalesPoint[], weeks: number, factor: number): SalesPoint[] {
  return points.map((p, i) =>
    i >= points.length - weeks ? { ...p, volume: Math.round(p.volume * factor) } : p,
  );
}

describe('populationStability', () => {
  const reference = Array.from({ length: 52 }, (_, i) => i);

  it('is near zero and not significant for a sample like the reference', () => {
    const result = populationStability(reference, [3, 16, 29, 42, 8, 21, 34, 47], 4, 0.01);
    expect(result.psi).toBeLessThan(0.05);
    expect(result.significant).toBe(false);
  });

  it('is large and significant when every recent value is above the reference', () => {
    const result = populationStability(reference, [60, 61, 62, 63, 64, 65, 66, 67], 4, 0.01);
    expect(result.psi).toBeGreaterThan(1);
    expect(result.chiSquare).toBeGreaterThan(result.critical);
    expect(result.significant).toBe(true);
  });

  it('takes more than a large PSI from a tiny sample to be significant', () => {
    // Two weeks in the top quartile: PSI is big, but two weeks prove nothing.
    const result = populationStability(reference, [50, 51], 4, 0.01);
    expect(result.psi).toBeGreaterThan(0.25);
    expect(result.significant).toBe(false);
  });

  it('copes with a reference of one repeated value (every edge equal)', () => {
    const result = populationStability(new Array(30).fill(0), [0, 0, 0, 0, 0, 0, 0, 0], 4, 0.01);
    expect(Number.isFinite(result.psi)).toBe(true);
    expect(result.significant).toBe(false);
  });
});

describe('assessDrift', () => {
  it.each(BOOKS.map((s) => [s.isbn, s]))('finds no drift in the unchanged sales of %s', (_isbn, series) => {
    const drift = assessDrift(input(series as SalesSeries));
    expect(drift.hashChanged).toBe(false);
    expect(drift.psi?.recentWeeks).toBe(8);
    expect(drift.psi?.referenceWeeks).toBe(52);
    expect(drift.drifted).toBe(false);
  });

  it('flags a training window revised after training (hash differs)', () => {
    const series = BOOKS[0]!;
    const revised = series.points.map((p) =>
      p.weekEnding === '2024-06-01' ? { ...p, volume: p.volume + 1 } : p,
    );
    const drift = assessDrift(input(series, revised));
    expect(drift.hashChanged).toBe(true);
    expect(drift.recomputedHash).toBe(trainingDataHash(series.isbn, revised, TRAINED));
    expect(drift.drifted).toBe(true);
  });

  it('ignores a change after trainedThrough for the hash', () => {
    const series = BOOKS[0]!;
    const later = series.points.map((p) =>
      p.weekEnding === '2024-12-28' ? { ...p, volume: p.volume + 1 } : p,
    );
    expect(assessDrift(input(series, later)).hashChanged).toBe(false);
  });

  it.each(BOOKS.map((s) => [s.isbn, s]))(
    'flags %s when the last 8 weeks sell 1.8 times as much',
    (_isbn, series) => {
      const s = series as SalesSeries;
      const drift = assessDrift(input(s, scaleLast(s.points, 8, 1.8)));
      expect(drift.psi!.psi).toBeGreaterThan(DEFAULT_DRIFT_OPTIONS.psiThreshold);
      expect(drift.psi!.significant).toBe(true);
      expect(drift.drifted).toBe(true);
    },
  );

  it('does not judge the distribution with too little history, and says so', () => {
    const series = BOOKS[0]!;
    const short = series.points.slice(-30);
    const drift = assessDrift({
      ...input(series, short),
      dataHash: trainingDataHash(series.isbn, short, TRAINED),
    });
    expect(drift.psi).toBeUndefined();
    expect(drift.note).toMatch(/8 recent and 2\d reference weeks \(needs 8 and 26\)/);
    expect(drift.drifted).toBe(false);
  });
});

describe('driftFinding', () => {
  const series = BOOKS[0]!;

  it('is nothing for a book that did not drift', () => {
    expect(driftFinding(series.isbn, '3', assessDrift(input(series)), 'sha256:x')).toBeUndefined();
  });

  it('is one data_drift warning naming both reasons, with the figures', () => {
    const points = scaleLast(series.points, 8, 1.8);
    const drift = assessDrift(input(series, points));
    const finding = driftFinding(series.isbn, '3', drift, input(series).dataHash)!;
    expect(finding).toMatchObject({
      kind: 'data_drift',
      severity: 'warning',
      isbn: series.isbn,
      modelVersion: '3',
    });
    expect(finding.summary).toContain('training window changed');
    expect(finding.summary).toMatch(/recent sales shifted: PSI \d+\.\d\d over 8 weeks to 2024-12-28/);
    expect(finding.details).toMatchObject({
      hashChanged: true,
      expectedDataHash: input(series).dataHash,
      recomputedDataHash: drift.recomputedHash,
      psiThreshold: 0.25,
      recentWeeks: 8,
      referenceWeeks: 52,
    });
  });
});
