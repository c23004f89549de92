/**
 * The sales file the embedded backend reads as actuals (`CsvSalesData`) and
 * `seed` writes: `isbn,title,week_ending,volume`, one row per book-week.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SalesSeries } from '../contracts/model';
import { formatCsv } from './csv';

export const SALES_CSV_HEADER = ['isbn', 'title', 'week_ending', 'volume'] as const;

/** One book-week of the sales file. */
export interface SalesRow {
  isbn: string;
  title: string;
  weekEnding: string;
  volume: number;
}

/** Flattens series into rows, book by book, weeks in order. */
export function toSalesRows(series: readonly SalesSeries[]): SalesRow[] {
  return series.flatMap((s) =>
    s.points.map((p) => ({ isbn: s.isbn, title: s.title, weekEnding: p.weekEnding, volume: p.volume })),
  );
}

/** The CSV text for `rows`, header first; byte-identical for identical rows. */
export function formatSalesCsv(rows: Iterable<SalesRow>): string {
  function* records() {
    yield SALES_CSV_HEADER;
    for (const r of rows) yield [r.isbn, r.title, r.weekEnding, r.volume] as const;
  }
  return formatCsv(records());
}

/**
 * Writes the sales file, creating its folder. Written to a temporary file and
 * renamed, so a reader polling the file never sees half of it.
 */
export async function writeSalesCsv(path: string, rows: Iterable<SalesRow>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, formatSalesCsv(rows), 'utf8');
  await rename(partial, path);
}
