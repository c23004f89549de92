import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SalesSeries } from '../../../shared/contracts/model';
import { ValidationError } from '../../../shared/errors';
import { catalogue, DEFAULT_BOOKS, isChildrens } from '../../../shared/fleet/catalogue';
import { formatSalesCsv, toSalesRows, writeSalesCsv } from '../../../shared/fleet/sales-csv';
import { generateFleetSales, generateSales } from '../../../shared/fleet/sales-generator';
import { isSaturday, saturdaysBetween } from '../../../shared/domain/series/weeks';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] as number;
};

function byYear(series: SalesSeries): Map<string, SalesSeries['points']> {
  const years = new Map<string, SalesSeries['points']>();
  for (const p of series.points) {
    const year = p.weekEnding.slice(0, 4);
    years.set(year, [...(years.get(year) ?? []), p]);
  }
  return years;
}

describe('generateSales', () => {
  const fleet = generateFleetSales(DEFAULT_BOOKS, { seed: 42 });

  it('is deterministic: the same seed gives a byte-identical CSV, another seed does not', async () => {
    const again = formatSalesCsv(toSalesRows(generateFleetSales(catalogue(12), { seed: 42 })));
    expect(formatSalesCsv(toSalesRows(fleet))).toBe(again);
    expect(formatSalesCsv(toSalesRows(generateFleetSales(DEFAULT_BOOKS, { seed: 43 })))).not.toBe(again);

    const dir = mkdtempSync(join(tmpdir(), 'fg-sales-'));
    try {
      await writeSalesCsv(join(dir, 'a', 'sales.csv'), toSalesRows(fleet));
      await writeSalesCsv(
        join(dir, 'b', 'sales.csv'),
        toSalesRows(generateFleetSales(DEFAULT_BOOKS, { seed: 42 })),
      );
      const a = readFileSync(join(dir, 'a', 'sales.csv'));
      expect(a.equals(readFileSync(join(dir, 'b', 'sales.csv')))).toBe(true);
      expect(a.toString('utf8').split('\r\n')[0]).toBe('isbn,title,week_ending,volume');
      // RFC 4180: a title with commas is quoted.
      expect(a.toString('utf8')).toContain(
        '9781529105100,"The Boy, the Mole, the Fox and the Horse",2019-10-12,',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("does not depend on which other books are generated (each book's stream is its own)", () => {
    const alone = generateSales(DEFAULT_BOOKS[1]!, { seed: 42 });
    expect(alone).toEqual(fleet[1]);
  });

  it('emits Saturdays only, in order, from 2012-01-07 to 2024-12-28, starting at publication inside the window', () => {
    for (const [i, series] of fleet.entries()) {
      const book = DEFAULT_BOOKS[i]!;
      const weeks = series.points.map((p) => p.weekEnding);
      expect(weeks.every(isSaturday)).toBe(true);
      expect([...weeks].sort()).toEqual(weeks);
      expect(new Set(weeks).size).toBe(weeks.length);
      expect(weeks[weeks.length - 1]! <= '2024-12-28').toBe(true);
      if (book.releaseDate) {
        expect(weeks[0]! >= book.releaseDate).toBe(true);
        expect(saturdaysBetween(book.releaseDate, weeks[0]!).length).toBeLessThanOrEqual(3);
      } else {
        expect(weeks[0]! <= '2012-01-21').toBe(true);
      }
      for (const p of series.points) expect(Number.isInteger(p.volume) && p.volume >= 0).toBe(true);
    }
  });

  it('sells tens to a few hundred copies a typical week', () => {
    for (const series of fleet) {
      const typical = median(series.points.map((p) => p.volume));
      expect(typical).toBeGreaterThanOrEqual(20);
      expect(typical).toBeLessThanOrEqual(400);
    }
  });

  it('peaks at Christmas: for every title and seed, the last shopping week is above that year’s median', () => {
    for (const seed of [42, 1, 2]) {
      for (const series of generateFleetSales(DEFAULT_BOOKS, { seed })) {
        for (const [year, points] of byYear(series)) {
          if (points.length < 50) continue; // a launch year is not a full year
          const yearMedian = median(points.map((p) => p.volume));
          const peak = points.filter(
            (p) => p.weekEnding >= `${year}-12-18` && p.weekEnding <= `${year}-12-24`,
          );
          for (const week of peak.filter((p) => p.volume > 0)) {
            expect({ isbn: series.isbn, week: week.weekEnding, above: week.volume > yearMedian }).toEqual({
              isbn: series.isbn,
              week: week.weekEnding,
              above: true,
            });
          }
        }
      }
    }
  });

  it("bumps children's books in the summer holidays and not adult titles", () => {
    const ratios = (children: boolean) =>
      catalogue(60)
        .filter((book) => isChildrens(book.genre) === children)
        .flatMap((book) =>
          [...byYear(generateSales(book, { seed: 42 }))].map(([year, points]) => {
            const summer = points.filter(
              (p) => p.weekEnding >= `${year}-07-25` && p.weekEnding <= `${year}-08-21`,
            );
            const spring = points.filter(
              (p) => p.weekEnding >= `${year}-04-01` && p.weekEnding <= `${year}-06-30`,
            );
            return summer.length && spring.length
              ? median(summer.map((p) => p.volume)) / median(spring.map((p) => p.volume))
              : 1;
          }),
        );
    const childrens = ratios(true);
    expect(childrens.filter((r) => r > 1.15).length / childrens.length).toBeGreaterThan(0.8);
    expect(median(childrens)).toBeGreaterThan(1.25);
    expect(median(ratios(false))).toBeLessThan(1.2);
  });

  it('has the odd zero week and the odd missing week, but rarely', () => {
    const fleet60 = generateFleetSales(catalogue(60), { seed: 42 });
    let weeks = 0;
    let zeros = 0;
    let missing = 0;
    for (const series of fleet60) {
      const present = series.points.map((p) => p.weekEnding);
      const expected = saturdaysBetween(present[0]!, present[present.length - 1]!);
      weeks += expected.length;
      missing += expected.length - present.length;
      zeros += series.points.filter((p) => p.volume === 0).length;
    }
    expect(zeros).toBeGreaterThan(0);
    expect(missing).toBeGreaterThan(0);
    expect(zeros / weeks).toBeLessThan(0.01);
    expect(missing / weeks).toBeLessThan(0.01);
  });

  it('has occasional promotions: weeks at 2× or more the surrounding level outside the Christmas season', () => {
    let spikes = 0;
    for (const series of fleet) {
      const v = series.points.map((p) => p.volume);
      series.points.forEach((p, i) => {
        if (p.weekEnding.slice(5) >= '10-15' || i < 8 || i + 8 >= v.length) return;
        const around = median([...v.slice(i - 8, i - 4), ...v.slice(i + 5, i + 9)]);
        if (p.volume >= 2 * around) spikes++;
      });
    }
    expect(spikes).toBeGreaterThan(5);
  });

  it('honours a custom window and rejects a bad one, naming the field', () => {
    const short = generateSales(DEFAULT_BOOKS[0]!, { seed: 1, from: '2020', to: '2021' });
    expect(short.points[0]!.weekEnding >= '2020-01-04').toBe(true);
    expect(short.points[short.points.length - 1]!.weekEnding <= '2021-12-25').toBe(true);
    expect(() => generateSales(DEFAULT_BOOKS[0]!, { seed: 1, from: '20x0' })).toThrow(/from must be a year/);
    expect(() => generateSales(DEFAULT_BOOKS[0]!, { seed: 1.5 })).toThrow(ValidationError);
    expect(() => generateSales(DEFAULT_BOOKS[0]!, { seed: 1, from: '2024', to: '2012' })).toThrow(/after/);
  });
});
