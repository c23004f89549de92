/**
 * The fleet's books: twelve real UK editions (real ISBN-13s, genre, year the
 * edition came out) that every demo and drill uses, then deterministic
 * synthetic titles for load tests up to 500 books.
 */
import { isbn13CheckDigit, isValidIsbn13 } from '../domain/isbn';
import { ValidationError } from '../errors';

/** Genres the sales generator knows a sales shape for. */
export const GENRES = [
  'adult-fiction',
  'crime-thriller',
  'classic',
  'childrens-picture-book',
  'childrens-fiction',
  'non-fiction',
  'self-help',
  'gift',
] as const;
export type Genre = (typeof GENRES)[number];

/** One book of the fleet; one forecasting model per ISBN. */
export interface Book {
  isbn: string;
  title: string;
  author: string;
  genre: Genre;
  /** Year this edition was published. */
  releaseYear: number;
  /** Publication date when known (ISO); titles published inside the sales window start selling that week. */
  releaseDate?: string;
  /** Multiplier on the genre's typical weekly volume (1 = typical). */
  popularity: number;
}

/** True for the genres whose sales follow school holidays. */
export function isChildrens(genre: Genre): boolean {
  return genre === 'childrens-picture-book' || genre === 'childrens-fiction';
}

/**
 * Twelve real UK editions. The Alchemist and The Very Hungry Caterpillar are
 * the publisher's named examples (adult backlist, children's backlist); the
 * rest cover the shapes a UK list has: picture books, a school-holiday
 * children's novel, a classic, launches inside the window (memoir, crime,
 * gift book, self-help with its New Year bump).
 */
export const DEFAULT_BOOKS: readonly Book[] = Object.freeze([
  {
    isbn: '9780722532935',
    title: 'The Alchemist',
    author: 'Paulo Coelho',
    genre: 'adult-fiction',
    releaseYear: 1995,
    popularity: 1.3,
  },
  {
    isbn: '9780241003008',
    title: 'The Very Hungry Caterpillar',
    author: 'Eric Carle',
    genre: 'childrens-picture-book',
    releaseYear: 1970,
    popularity: 1.2,
  },
  {
    isbn: '9780747532743',
    title: "Harry Potter and the Philosopher's Stone",
    author: 'J.K. Rowling',
    genre: 'childrens-fiction',
    releaseYear: 1997,
    popularity: 1.5,
  },
  {
    isbn: '9780141439518',
    title: 'Pride and Prejudice',
    author: 'Jane Austen',
    genre: 'classic',
    releaseYear: 2003,
    popularity: 1.0,
  },
  {
    isbn: '9780333710937',
    title: 'The Gruffalo',
    author: 'Julia Donaldson',
    genre: 'childrens-picture-book',
    releaseYear: 1999,
    popularity: 1.0,
  },
  {
    isbn: '9780007215997',
    title: 'The Tiger Who Came to Tea',
    author: 'Judith Kerr',
    genre: 'childrens-picture-book',
    releaseYear: 2006,
    popularity: 0.7,
  },
  {
    isbn: '9780099590088',
    title: 'Sapiens: A Brief History of Humankind',
    author: 'Yuval Noah Harari',
    genre: 'non-fiction',
    releaseYear: 2015,
    releaseDate: '2015-04-30',
    popularity: 1.2,
  },
  {
    isbn: '9780571334650',
    title: 'Normal People',
    author: 'Sally Rooney',
    genre: 'adult-fiction',
    releaseYear: 2018,
    releaseDate: '2018-08-28',
    popularity: 1.0,
  },
  {
    isbn: '9780241334140',
    title: 'Becoming',
    author: 'Michelle Obama',
    genre: 'non-fiction',
    releaseYear: 2018,
    releaseDate: '2018-11-13',
    popularity: 1.1,
  },
  {
    isbn: '9781847941831',
    title: 'Atomic Habits',
    author: 'James Clear',
    genre: 'self-help',
    releaseYear: 2018,
    releaseDate: '2018-10-18',
    popularity: 1.3,
  },
  {
    isbn: '9781529105100',
    title: 'The Boy, the Mole, the Fox and the Horse',
    author: 'Charlie Mackesy',
    genre: 'gift',
    releaseYear: 2019,
    releaseDate: '2019-10-10',
    popularity: 1.0,
  },
  {
    isbn: '9780241425442',
    title: 'The Thursday Murder Club',
    author: 'Richard Osman',
    genre: 'crime-thriller',
    releaseYear: 2020,
    releaseDate: '2020-09-03',
    popularity: 1.1,
  },
]);

/** Largest fleet `catalogue` builds. */
export const MAX_CATALOGUE_SIZE = 500;

const TITLE_ADJECTIVES = [
  'Silent',
  'Hidden',
  'Last',
  'Winter',
  'Golden',
  'Broken',
  'Little',
  'Secret',
  'Lost',
  'Midnight',
  'Wild',
  'Paper',
];
const TITLE_NOUNS = [
  'Harbour',
  'Garden',
  'Lighthouse',
  'Orchard',
  'Letters',
  'Map',
  'Fox',
  'Island',
  'Kingdom',
  'Kitchen',
  'River',
  'Clockmaker',
];
const FIRST_NAMES = [
  'Ava',
  'Oliver',
  'Isla',
  'George',
  'Amelia',
  'Harry',
  'Freya',
  'Arthur',
  'Maya',
  'Noah',
  'Ruth',
  'Idris',
];
const SURNAMES = [
  'Hughes',
  'Patel',
  'Murray',
  'Okafor',
  'Bennett',
  'Walsh',
  'Kaur',
  'Fletcher',
  'Doyle',
  'Ahmed',
  'Price',
  'Lloyd',
];

/**
 * The `index`-th synthetic book (0-based). Everything comes from the index, so
 * book 37 is the same book in every fleet that has one. ISBNs use the
 * 978-1-91… block with a computed check digit.
 */
export function syntheticBook(index: number): Book {
  const first12 = `978191${String(index).padStart(6, '0')}`;
  const isbn = first12 + String(isbn13CheckDigit(first12));
  const at = <T>(list: readonly T[], i: number): T => list[i % list.length] as T;
  // 12 × 12 distinct titles, then numbered sequels, so titles stay unique.
  const sequel = index >= 144 ? ` ${Math.floor(index / 144) + 1}` : '';
  // Released by 2022: every seeded version needs more than a year of history before its cutoff.
  const releaseYear = 1990 + ((index * 7) % 33);
  return {
    isbn,
    title: `The ${at(TITLE_ADJECTIVES, index)} ${at(TITLE_NOUNS, Math.floor(index / 12))}${sequel}`,
    author: `${at(FIRST_NAMES, index * 5)} ${at(SURNAMES, index + Math.floor(index / 12))}`,
    genre: at(GENRES, index * 3),
    releaseYear,
    ...(releaseYear >= 2012
      ? { releaseDate: `${releaseYear}-${String(1 + (index % 12)).padStart(2, '0')}-15` }
      : {}),
    popularity: 0.3 + ((index * 37) % 100) / 80,
  };
}

/**
 * A fleet of `n` books (default 12): the twelve real editions first, then
 * synthetic ones. Deterministic, so `catalogue(50)` always starts with
 * `catalogue(12)`.
 */
export function catalogue(n: number = DEFAULT_BOOKS.length): Book[] {
  if (!Number.isInteger(n) || n < 1 || n > MAX_CATALOGUE_SIZE) {
    throw new ValidationError(`books must be an integer from 1 to ${MAX_CATALOGUE_SIZE}, got ${n}`, [
      'books',
    ]);
  }
  const books = DEFAULT_BOOKS.slice(0, n).map((book) => ({ ...book }));
  for (let i = 0; books.length < n; i++) books.push(syntheticBook(i));
  for (const book of books) {
    // A typo in the table above must fail loudly, not seed a fleet with an unusable ISBN.
    if (!isValidIsbn13(book.isbn))
      throw new ValidationError(`catalogue ISBN ${book.isbn} is not a valid ISBN-13`, ['isbn']);
  }
  return books;
}
