/**
 * The SalesData contract: what the embedded CSV adapter, the Cloud Storage
 * reader (one object, a prefix of drops, a local path) and the BigQuery
 * adapter must all do. Each implementation is seeded with the same rows,
 * written in its own format and deliberately out of week and ISBN order.
 */
import type { SalesData, SalesSource } from '../../shared/ports/sales-data';
import { ValidationError } from '../../shared/errors';

export interface SalesRow {
  isbn: string;
  title: string;
  week: string;
  volume: number;
}

export interface SalesDataFixture {
  sales: SalesData;
  /** The source (object, file, table) every seeded row is in, as a notification would name it. */
  source: SalesSource;
  /** A source this adapter does not read. */
  foreign: SalesSource;
  close?: () => Promise<void>;
}

// Three real ISBN-13s (the publisher sample's books), and weeks without gaps.
const ALCHEMIST = '9780722532935';
const CATERPILLAR = '9780241003008';
const POTTER = '9780747532743';
const WEEKS = ['2024-04-27', '2024-05-04', '2024-05-11', '2024-05-18', '2024-05-25'];

/** Rows for three books, ISBNs and weeks interleaved and reversed so no adapter can rely on file order. */
export function contractRows(): SalesRow[] {
  const rows: SalesRow[] = [];
  const books = [
    { isbn: POTTER, title: "Harry Potter and the Philosopher's Stone", base: 1100 },
    { isbn: ALCHEMIST, title: 'Alchemist, The', base: 800 },
    { isbn: CATERPILLAR, title: 'Very Hungry Caterpillar, The', base: 1500 },
  ];
  for (const [w, week] of [...WEEKS.entries()].reverse())
    for (const b of books) rows.push({ isbn: b.isbn, title: b.title, week, volume: b.base + w * 7 });
  return rows;
}

export function describeSalesDataContract(
  label: string,
  make: (rows: SalesRow[]) => Promise<SalesDataFixture>,
): void {
  describe(`SalesData contract: ${label}`, () => {
    let fixture: SalesDataFixture;
    beforeEach(async () => {
      fixture = await make(contractRows());
    });
    afterEach(async () => {
      await fixture.close?.();
    });

    it('lists every book once, sorted', async () => {
      expect(await fixture.sales.listIsbns()).toEqual([CATERPILLAR, ALCHEMIST, POTTER]);
    });

    it('returns a book’s points in week order with its title', async () => {
      const series = await fixture.sales.getSeries(ALCHEMIST);
      expect(series).toEqual({
        isbn: ALCHEMIST,
        title: 'Alchemist, The',
        points: WEEKS.map((weekEnding, w) => ({ weekEnding, volume: 800 + w * 7 })),
      });
    });

    it('keeps a title with a comma and an apostrophe intact', async () => {
      expect((await fixture.sales.getSeries(POTTER))?.title).toBe("Harry Potter and the Philosopher's Stone");
      expect((await fixture.sales.getSeries(CATERPILLAR))?.points.map((p) => p.volume)).toEqual([
        1500, 1507, 1514, 1521, 1528,
      ]);
    });

    it('answers undefined for an ISBN it has no rows for', async () => {
      expect(await fixture.sales.getSeries('9780141036144')).toBeUndefined();
    });

    it('reads a set of books in one call, each as getSeries reads it, an unknown ISBN absent', async () => {
      const { sales } = fixture;
      // Optional on the port; every adapter forecast-guard ships has it (the health check reads its slices with it).
      if (sales.getSeriesFor === undefined) throw new Error('getSeriesFor is missing');
      const unknown = '9780141036144';
      const many = await sales.getSeriesFor([POTTER, unknown, ALCHEMIST]);
      expect([...many.keys()].sort()).toEqual([ALCHEMIST, POTTER]);
      expect(many.get(ALCHEMIST)).toEqual(await sales.getSeries(ALCHEMIST));
      expect(many.get(POTTER)).toEqual(await sales.getSeries(POTTER));
      expect((await sales.getSeriesFor([])).size).toBe(0);
    });

    it('names the books in a source, sorted', async () => {
      expect(await fixture.sales.isbnsIn(fixture.source)).toEqual([CATERPILLAR, ALCHEMIST, POTTER]);
    });

    it('refuses a source it does not read with a ValidationError naming it', async () => {
      const err = await fixture.sales.isbnsIn(fixture.foreign).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as Error).message).toContain(fixture.foreign.uri);
    });
  });
}
