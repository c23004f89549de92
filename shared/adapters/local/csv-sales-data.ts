/**
 * SalesData over the sales CSV on disk (`isbn,title,week_ending,volume`), the
 * embedded backend's actuals. The file is parsed once and cached; the cache is
 * dropped when the file's size or modification time changes, so a long-running
 * local stack sees a re-seed or `demo drift` without a restart. Every row is
 * checked, and the first bad one fails the read with the line and field.
 */
import { readFile, stat } from 'node:fs/promises';
import type { SalesPoint, SalesSeries } from '../../contracts/model';
import { parseIsbn13 } from '../../domain/isbn';
import { resolve } from 'node:path';
import { BackendUnavailableError, NotFoundError, NotSalesSourceError, ValidationError } from '../../errors';
import { parseCsv } from '../../fleet/csv';
import { SALES_CSV_HEADER } from '../../fleet/sales-csv';
import { isIsoDate, isSaturday } from '../../domain/series/weeks';
import type { SalesData, SalesSource } from '../../ports/sales-data';

interface Snapshot {
  key: string;
  series: Map<string, SalesSeries>;
}

/** Parses a whole sales file; throws ValidationError naming the line and field of the first bad row. */
export function parseSalesCsv(text: string, source = 'sales.csv'): Map<string, SalesSeries> {
  const records = parseCsv(text, source);
  const header = records[0];
  if (!header)
    throw new ValidationError(`${source} is empty; expected header ${SALES_CSV_HEADER.join(',')}`, [
      'header',
    ]);
  const column = new Map(header.fields.map((name, i) => [name.trim(), i]));
  for (const name of SALES_CSV_HEADER) {
    if (!column.has(name)) {
      throw new ValidationError(`${source} line ${header.line}: header has no "${name}" column`, ['header']);
    }
  }
  const series = new Map<string, { isbn: string; title: string; points: SalesPoint[]; weeks: Set<string> }>();
  for (const { line, fields } of records.slice(1)) {
    const where = `${source} line ${line}`;
    if (fields.length !== header.fields.length) {
      throw new ValidationError(`${where}: has ${fields.length} fields, header has ${header.fields.length}`, [
        `line ${line}`,
      ]);
    }
    const get = (name: (typeof SALES_CSV_HEADER)[number]) =>
      (fields[column.get(name) as number] as string).trim();
    const bad = (field: string, reason: string) =>
      new ValidationError(`${where}: ${field} ${reason}`, [`line ${line}.${field}`]);

    const rawIsbn = get('isbn');
    if (!/^[0-9]{13}$/.test(rawIsbn)) throw bad('isbn', `"${rawIsbn}" must be 13 digits`);
    try {
      parseIsbn13(rawIsbn);
    } catch (err) {
      throw bad('isbn', `is not a valid ISBN-13 (${(err as Error).message})`);
    }
    const week = get('week_ending');
    if (!isIsoDate(week)) throw bad('week_ending', `"${week}" must be an ISO date (YYYY-MM-DD)`);
    if (!isSaturday(week)) throw bad('week_ending', `${week} is not a Saturday (weeks end on Saturday)`);
    const rawVolume = get('volume');
    if (!/^-?[0-9]+(\.[0-9]+)?$/.test(rawVolume))
      throw bad('volume', `"${rawVolume}" must be a whole number of copies`);
    const volume = Number(rawVolume);
    if (volume < 0) throw bad('volume', `${rawVolume} must not be negative`);
    if (!Number.isInteger(volume)) throw bad('volume', `${rawVolume} must be a whole number of copies`);

    let book = series.get(rawIsbn);
    if (!book) {
      book = { isbn: rawIsbn, title: get('title'), points: [], weeks: new Set() };
      series.set(rawIsbn, book);
    }
    if (book.weeks.has(week)) throw bad('week_ending', `${week} appears twice for ISBN ${rawIsbn}`);
    book.weeks.add(week);
    book.points.push(Object.freeze({ weekEnding: week, volume }));
  }
  const out = new Map<string, SalesSeries>();
  for (const book of series.values()) {
    // Points may arrive in any order; the port promises week order.
    const points = book.points.sort((a, b) =>
      a.weekEnding < b.weekEnding ? -1 : a.weekEnding > b.weekEnding ? 1 : 0,
    );
    out.set(book.isbn, { isbn: book.isbn, title: book.title, points: Object.freeze(points) as SalesPoint[] });
  }
  return out;
}

/** Weekly actuals from a CSV file on disk. */
export class CsvSalesData implements SalesData {
  private snapshot?: Promise<Snapshot>;

  constructor(private readonly path: string) {}

  async listIsbns(): Promise<string[]> {
    return [...(await this.load()).series.keys()].sort();
  }

  async getSeries(isbn: string): Promise<SalesSeries | undefined> {
    const series = (await this.load()).series.get(isbn);
    return series && { ...series, points: series.points.slice() };
  }

  /** The one source this adapter reads is its file: any other path is a ValidationError. */
  async isbnsIn(source: SalesSource): Promise<string[]> {
    if (resolve(source.uri) !== resolve(this.path)) {
      throw new NotSalesSourceError(
        `sales source ${source.uri} is not ${this.path}, the file this backend reads`,
      );
    }
    return this.listIsbns();
  }

  private async load(): Promise<Snapshot> {
    let key: string;
    try {
      const info = await stat(this.path);
      key = `${info.size}:${info.mtimeMs}`;
    } catch (err) {
      throw this.translate(err);
    }
    const current = this.snapshot;
    if (current) {
      const snap = await current.catch(() => undefined);
      if (snap?.key === key) return snap;
    }
    const next = readFile(this.path, 'utf8').then(
      (text) => ({ key, series: parseSalesCsv(text, this.path) }),
      (err: unknown) => {
        throw this.translate(err);
      },
    );
    this.snapshot = next;
    return next;
  }

  private translate(err: unknown): Error {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return new NotFoundError(`sales file ${this.path} does not exist`, { cause: err });
    return new BackendUnavailableError(
      `cannot read sales file ${this.path}: ${String(err)}`,
      'csv-sales-data',
      {
        cause: err,
      },
    );
  }
}
