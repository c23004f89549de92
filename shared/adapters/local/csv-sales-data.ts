/**
 * SalesData over the sales CSV on disk (`isbn,title,week_ending,volume`), the
 * embedded backend's actuals. The file is streamed once (never read whole)
 * into a compact cache, typed arrays of weeks and volumes per book; a
 * SalesSeries is built only for the book asked for, so a health check holds
 * only its slice's series. The cache is dropped when the file's size or
 * modification time changes, so a long-running local stack sees a re-seed or
 * `demo drift` without a restart. Every row is checked, and the first bad one
 * fails the read with the line and field.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { SalesPoint, SalesSeries } from '../../contracts/model';
import { isValidIsbn13, parseIsbn13 } from '../../domain/isbn';
import { resolve } from 'node:path';
import { BackendUnavailableError, NotFoundError, NotSalesSourceError, ValidationError } from '../../errors';
import { parseCsv, type CsvRecord } from '../../fleet/csv';
import { SALES_CSV_HEADER } from '../../fleet/sales-csv';
import { isIsoDate, isoDateToMs, isSaturday, msToIsoDate } from '../../domain/series/weeks';
import { CsvRecordScanner, type ScannedRecord } from '../sales/csv-scan';
import type { SalesData, SalesSource } from '../../ports/sales-data';

interface Snapshot {
  key: string;
  books: Map<string, CompactBook>;
}

/** One checked row of the sales file. */
interface SalesRow {
  isbn: string;
  title: string;
  week: string;
  volume: number;
}

type RowReader = (record: CsvRecord) => SalesRow;

/** The header's columns, or a ValidationError naming the missing one; then a reader that checks each row. */
function rowReader(header: CsvRecord | undefined, source: string): RowReader {
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
  const width = header.fields.length;
  // Column positions once; per row only the fields are read (a fleet file has millions of rows).
  const at = (name: (typeof SALES_CSV_HEADER)[number]) => column.get(name) as number;
  const [isbnAt, titleAt, weekAt, volumeAt] = [at('isbn'), at('title'), at('week_ending'), at('volume')];
  const goodWeeks = new Set<string>();
  return ({ line, fields }) => {
    if (fields.length !== width) {
      throw new ValidationError(`${source} line ${line}: has ${fields.length} fields, header has ${width}`, [
        `line ${line}`,
      ]);
    }
    const bad = (field: string, reason: string) => badField(source, line, field, reason);
    const isbn = (fields[isbnAt] as string).trim();
    if (!/^[0-9]{13}$/.test(isbn)) throw bad('isbn', `"${isbn}" must be 13 digits`);
    if (!isValidIsbn13(isbn)) {
      try {
        parseIsbn13(isbn); // its message says what is wrong
      } catch (err) {
        throw bad('isbn', `is not a valid ISBN-13 (${(err as Error).message})`);
      }
    }
    const week = (fields[weekAt] as string).trim();
    if (!goodWeeks.has(week)) {
      if (!isIsoDate(week)) throw bad('week_ending', `"${week}" must be an ISO date (YYYY-MM-DD)`);
      if (!isSaturday(week)) throw bad('week_ending', `${week} is not a Saturday (weeks end on Saturday)`);
      if (goodWeeks.size < 10_000) goodWeeks.add(week); // a fleet's rows share a few hundred weeks
    }
    const rawVolume = (fields[volumeAt] as string).trim();
    if (!/^-?[0-9]+(\.[0-9]+)?$/.test(rawVolume))
      throw bad('volume', `"${rawVolume}" must be a whole number of copies`);
    const volume = Number(rawVolume);
    if (volume < 0) throw bad('volume', `${rawVolume} must not be negative`);
    if (!Number.isInteger(volume)) throw bad('volume', `${rawVolume} must be a whole number of copies`);
    return { isbn, title: (fields[titleAt] as string).trim(), week, volume };
  };
}

function badField(source: string, line: number, field: string, reason: string): ValidationError {
  return new ValidationError(`${source} line ${line}: ${field} ${reason}`, [`line ${line}.${field}`]);
}

function duplicateWeek(source: string, line: number, row: SalesRow): ValidationError {
  return new ValidationError(
    `${source} line ${line}: week_ending ${row.week} appears twice for ISBN ${row.isbn}`,
    [`line ${line}.week_ending`],
  );
}

/** Parses a whole sales file; throws ValidationError naming the line and field of the first bad row. */
export function parseSalesCsv(text: string, source = 'sales.csv'): Map<string, SalesSeries> {
  const records = parseCsv(text, source);
  const read = rowReader(records[0], source);
  const series = new Map<string, { isbn: string; title: string; points: SalesPoint[]; weeks: Set<string> }>();
  for (const record of records.slice(1)) {
    const row = read(record);
    let book = series.get(row.isbn);
    if (!book) {
      book = { isbn: row.isbn, title: row.title, points: [], weeks: new Set() };
      series.set(row.isbn, book);
    }
    if (book.weeks.has(row.week)) throw duplicateWeek(source, record.line, row);
    book.weeks.add(row.week);
    book.points.push(Object.freeze({ weekEnding: row.week, volume: row.volume }));
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

/**
 * One book's actuals as the cache keeps them: week-ending days (days since
 * 1970, in week order) and volumes in typed arrays, 12 bytes a week. A
 * SalesSeries of objects and date strings costs about ten times that, and
 * 20,000 books × 156 weeks of them were most of a health check's memory.
 */
interface CompactBook {
  title: string;
  days: Int32Array;
  volumes: Float64Array;
}

/** A book while the file streams past: plain arrays that grow, the newest day for the duplicate check. */
interface GrowingBook {
  title: string;
  days: number[];
  volumes: number[];
  lastDay: number;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * Streams a sales file into compact books, checking every row as
 * `parseSalesCsv` does (same messages; the first bad row, a repeated week
 * included, fails the read). Only one chunk of the file and the rows of it
 * are in memory at once, never the whole text.
 */
async function streamSalesCsv(path: string): Promise<Map<string, CompactBook>> {
  const growing = new Map<string, GrowingBook>();
  const days = new Map<string, number>(); // week-ending date → day number: a few hundred distinct
  let read: RowReader | undefined;
  const onRecord = (record: ScannedRecord) => {
    if (!read) {
      read = rowReader(record, path);
      return;
    }
    const row = read(record);
    let day = days.get(row.week);
    if (day === undefined) {
      day = Math.round(isoDateToMs(row.week) / DAY_MS);
      days.set(row.week, day);
    }
    let book = growing.get(row.isbn);
    if (!book) {
      book = { title: row.title, days: [], volumes: [], lastDay: Number.NEGATIVE_INFINITY };
      growing.set(row.isbn, book);
    }
    // Rows in week order (the usual file) cannot repeat a week; only a step back needs the search.
    if (day <= book.lastDay && book.days.includes(day)) throw duplicateWeek(path, record.line, row);
    book.lastDay = Math.max(book.lastDay, day);
    book.days.push(day);
    book.volumes.push(row.volume);
  };
  const scanner = new CsvRecordScanner(path);
  for await (const chunk of createReadStream(path)) scanner.push(chunk as Buffer, onRecord);
  scanner.finish(onRecord);
  if (!read) rowReader(undefined, path); // throws: the file has no header
  const books = new Map<string, CompactBook>();
  for (const [isbn, book] of growing) {
    growing.delete(isbn);
    books.set(isbn, compact(book));
  }
  return books;
}

function compact(book: GrowingBook): CompactBook {
  const order = book.days.map((_, i) => i);
  order.sort((a, b) => (book.days[a] as number) - (book.days[b] as number));
  const days = new Int32Array(order.length);
  const volumes = new Float64Array(order.length);
  order.forEach((from, to) => {
    days[to] = book.days[from] as number;
    volumes[to] = book.volumes[from] as number;
  });
  return { title: book.title, days, volumes };
}

/** Week-ending dates by day number: a fleet shares a few hundred weeks, so each string is made once. */
const weekNames = new Map<number, string>();

function weekName(day: number): string {
  let name = weekNames.get(day);
  if (name === undefined) {
    name = msToIsoDate(day * DAY_MS);
    if (weekNames.size < 100_000) weekNames.set(day, name); // about 1,900 years of weeks
  }
  return name;
}

function seriesOf(isbn: string, book: CompactBook): SalesSeries {
  const points: SalesPoint[] = new Array(book.days.length);
  for (let i = 0; i < book.days.length; i++)
    points[i] = { weekEnding: weekName(book.days[i] as number), volume: book.volumes[i] as number };
  return { isbn, title: book.title, points };
}

/** Weekly actuals from a CSV file on disk. */
export class CsvSalesData implements SalesData {
  private snapshot?: Promise<Snapshot>;

  constructor(private readonly path: string) {}

  async listIsbns(): Promise<string[]> {
    return [...(await this.load()).books.keys()].sort();
  }

  async getSeries(isbn: string): Promise<SalesSeries | undefined> {
    const book = (await this.load()).books.get(isbn);
    return book && seriesOf(isbn, book);
  }

  /** One look at the file for the whole set; series are built only for the books asked for. */
  async getSeriesFor(isbns: readonly string[]): Promise<Map<string, SalesSeries>> {
    const { books } = await this.load();
    const out = new Map<string, SalesSeries>();
    for (const isbn of isbns) {
      const book = books.get(isbn);
      if (book) out.set(isbn, seriesOf(isbn, book));
    }
    return out;
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
    const next = streamSalesCsv(this.path).then(
      (books) => ({ key, books }),
      (err: unknown) => {
        throw err instanceof ValidationError ? err : this.translate(err);
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
