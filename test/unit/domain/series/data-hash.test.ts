import { createHash } from 'node:crypto';
import { trainingDataHash } from '../../../../shared/domain/series/data-hash';

const isbn = '9780722532935';
const points = [
  { weekEnding: '2024-01-06', volume: 50 },
  { weekEnding: '2024-01-13', volume: 61 },
  { weekEnding: '2024-01-20', volume: 0 },
];

describe('trainingDataHash', () => {
  it('is sha256 over the canonical window: isbn, then week_ending,volume per week in order', () => {
    const expected = createHash('sha256')
      .update(`isbn,${isbn}\n2024-01-06,50\n2024-01-13,61\n2024-01-20,0\n`)
      .digest('hex');
    expect(trainingDataHash(isbn, points)).toBe(`sha256:${expected}`);
  });

  it('gives identical data the identical hash, whatever order the points came in', () => {
    expect(
      trainingDataHash(
        isbn,
        points.map((p) => ({ ...p })),
      ),
    ).toBe(trainingDataHash(isbn, points));
    expect(trainingDataHash(isbn, [...points].reverse())).toBe(trainingDataHash(isbn, points));
  });

  it('changes with any change to the window', () => {
    const base = trainingDataHash(isbn, points);
    const variants = [
      trainingDataHash('9780241003008', points),
      trainingDataHash(isbn, points.slice(1)),
      trainingDataHash(isbn, [...points, { weekEnding: '2024-01-27', volume: 3 }]),
      trainingDataHash(
        isbn,
        points.map((p, i) => (i === 1 ? { ...p, volume: 62 } : p)),
      ),
      trainingDataHash(
        isbn,
        points.map((p, i) => (i === 2 ? { ...p, weekEnding: '2024-01-27' } : p)),
      ),
    ];
    expect(new Set([base, ...variants]).size).toBe(6);
  });

  it('only counts weeks up to `through`', () => {
    expect(trainingDataHash(isbn, points, '2024-01-13')).toBe(trainingDataHash(isbn, points.slice(0, 2)));
    expect(trainingDataHash(isbn, points, '2024-01-20')).toBe(trainingDataHash(isbn, points));
  });
});
