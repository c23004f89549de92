/**
 * The drift picture must tell the same story as the finding: the same bins,
 * the same samples, per-bin PSI terms that add up to the PSI assessDrift
 * judged. Checked on realistic generated sales, healthy and shifted.
 */
import type { SalesPoint, SalesSeries } from '../../../../shared/contracts/model';
import {
  assessDrift,
  DEFAULT_DRIFT_OPTIONS,
  driftPicture,
  histogram,
  populationStability,
  psiTerms,
} from '../../../../shared/domain/health/drift';
import { trainingDataHash } from '../../../../shared/domain/series/data-hash';
import { catalogue } from '../../../../shared/fleet/catalogue';
import { generateSales } from '../../../../shared/fleet/sales-generator';

const TRAINED = '2024-11-30';
const BOOKS: SalesSeries[] = catalogue(3).map((book) =>
  generateSales(book, { seed: 7, from: '2018', to: '2024' }),
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

const CASES: Array<[string, SalesSeries, SalesPoint[]]> = BOOKS.flatMap(
  (s): Array<[string, SalesSeries, SalesPoint[]]> => [
    [`${s.isbn} unchanged`, s, s.points],
    [`${s.isbn} ×1.8 over 8 weeks`, s, scaleLast(s.points, 8, 1.8)],
    [`${s.isbn} ×0.4 over 8 weeks`, s, scaleLast(s.points, 8, 0.4)],
  ],
);

describe('driftPicture', () => {
  it.each(CASES)('agrees with assessDrift for %s', (_name, series, points) => {
    const finding = assessDrift(input(series, points));
    const picture = driftPicture(input(series, points));
    const bins = picture.bins!;
    expect(bins).toHaveLength(DEFAULT_DRIFT_OPTIONS.bins);
    expect(picture.psi).toBe(finding.psi!.psi);
    expect(picture.chiSquare).toBe(finding.psi!.chiSquare);
    expect(picture.significant).toBe(finding.psi!.significant);
    expect(picture.drifted).toBe(finding.drifted);
    expect(picture.hashChanged).toBe(finding.hashChanged);
    expect(picture.recentFrom).toBe(finding.psi!.recentFrom);
    // The per-bin terms add up to the finding's PSI; every week lands in one bin.
    expect(bins.reduce((s, b) => s + b.psi, 0)).toBeCloseTo(finding.psi!.psi, 12);
    expect(bins.reduce((s, b) => s + b.recentCount, 0)).toBe(finding.psi!.recentWeeks);
    expect(bins.reduce((s, b) => s + b.referenceCount, 0)).toBe(finding.psi!.referenceWeeks);
    expect(bins.reduce((s, b) => s + b.referenceShare, 0)).toBeCloseTo(1, 12);
    expect(bins.reduce((s, b) => s + b.recentShare, 0)).toBeCloseTo(1, 12);
    // Contiguous, ascending bins, open at both ends.
    expect(bins[0]!.from).toBeNull();
    expect(bins[bins.length - 1]!.to).toBeNull();
    for (let i = 1; i < bins.length; i++) expect(bins[i]!.from).toBe(bins[i - 1]!.to);
  });

  it('puts the shifted weeks in the top bin and most of the PSI there', () => {
    const series = BOOKS[0]!;
    const picture = driftPicture(input(series, scaleLast(series.points, 8, 1.8)));
    const bins = picture.bins!;
    const top = bins[bins.length - 1]!;
    expect(top.recentShare).toBeGreaterThan(top.referenceShare);
    expect(top.psi).toBe(Math.max(...bins.map((b) => b.psi)));
    expect(picture.shifted).toBe(true);
    expect(top.fromSales).toBeCloseTo(Math.expm1(top.from!), 12);
  });

  it('says why there are no bars when the history is short', () => {
    const series = BOOKS[0]!;
    const short = series.points.slice(-30);
    const picture = driftPicture({
      ...input(series, short),
      dataHash: trainingDataHash(series.isbn, short, TRAINED),
    });
    expect(picture.bins).toBeUndefined();
    expect(picture.note).toMatch(/needs 8 and 26/);
    expect(picture.drifted).toBe(false);
  });
});

describe('histogram and psiTerms', () => {
  it('sum to populationStability on hand-made samples', () => {
    const reference = Array.from({ length: 40 }, (_, i) => i % 17);
    const recent = [16, 16, 15, 2, 9, 16];
    const h = histogram(reference, recent, 4);
    // 0–5 three times and 6–16 twice: the 10th, 20th and 30th sorted values.
    expect(h.edges).toEqual([3, 7, 12]);
    expect(h.recent).toEqual([1, 0, 1, 4]);
    const sum = psiTerms(h).reduce((s, t) => s + t.psi, 0);
    expect(sum).toBe(populationStability(reference, recent, 4, 0.01).psi);
  });
});
