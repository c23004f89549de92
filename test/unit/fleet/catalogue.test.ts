import {
  catalogue,
  DEFAULT_BOOKS,
  GENRES,
  MAX_CATALOGUE_SIZE,
  syntheticBook,
} from '../../../shared/fleet/catalogue';
import { isValidIsbn13 } from '../../../shared/domain/isbn';
import { ValidationError } from '../../../shared/errors';

describe('catalogue', () => {
  it('has twelve real UK editions with valid ISBN-13s, including the two the publisher names', () => {
    expect(DEFAULT_BOOKS).toHaveLength(12);
    for (const book of DEFAULT_BOOKS) expect(isValidIsbn13(book.isbn)).toBe(true);
    expect(DEFAULT_BOOKS).toContainEqual(
      expect.objectContaining({
        isbn: '9780722532935',
        title: 'The Alchemist',
        author: 'Paulo Coelho',
        genre: 'adult-fiction',
      }),
    );
    expect(DEFAULT_BOOKS).toContainEqual(
      expect.objectContaining({
        isbn: '9780241003008',
        title: 'The Very Hungry Caterpillar',
        genre: 'childrens-picture-book',
      }),
    );
    expect(new Set(DEFAULT_BOOKS.map((b) => b.isbn)).size).toBe(12);
    for (const book of DEFAULT_BOOKS) {
      expect(GENRES).toContain(book.genre);
      expect(book.releaseYear).toBeGreaterThan(1960);
      if (book.releaseDate) expect(book.releaseDate.startsWith(String(book.releaseYear))).toBe(true);
    }
  });

  it('defaults to the twelve, and grows deterministically with unique valid ISBNs up to 500', () => {
    expect(catalogue().map((b) => b.isbn)).toEqual(DEFAULT_BOOKS.map((b) => b.isbn));
    const big = catalogue(MAX_CATALOGUE_SIZE);
    expect(big).toHaveLength(500);
    expect(big.slice(0, 12).map((b) => b.isbn)).toEqual(DEFAULT_BOOKS.map((b) => b.isbn));
    expect(new Set(big.map((b) => b.isbn)).size).toBe(500);
    expect(new Set(big.map((b) => b.title)).size).toBe(500);
    for (const book of big) expect(isValidIsbn13(book.isbn)).toBe(true);
    expect(catalogue(40)).toEqual(big.slice(0, 40));
    expect(syntheticBook(7)).toEqual(syntheticBook(7));
    expect(new Set(big.map((b) => b.genre))).toEqual(new Set(GENRES));
  });

  it('takes the first n for a small fleet', () => {
    expect(catalogue(2).map((b) => b.isbn)).toEqual(['9780722532935', '9780241003008']);
  });

  it.each([0, 501, 2.5, Number.NaN])('rejects %p books, naming the field', (n) => {
    expect(() => catalogue(n)).toThrow(ValidationError);
    expect(() => catalogue(n)).toThrow(/books must be an integer from 1 to 500/);
  });
});
