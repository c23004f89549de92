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
  rows: Rows;
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
 * The whole file's actuals as the cache keeps them: every row's week-ending
 * day (days since 1970) and volume in two typed arrays, each book's rows one
 * run in week order, 8 bytes a week (12 when a volume exceeds 32 bits). A
 * SalesSeries of objects and date strings costs about ten times that, and
 * 20,000 books × 156 weeks of them were most of a health check's memory; a
 * typed array per book still cost 180 bytes of headers each.
 */
interface Rows {
  days: Int32Array;
  volumes: Uint32Array | Float64Array;
  books: Map<string, BookRun>;
}

/** Where one book's rows are in `Rows`. */
interface BookRun {
  title: string;
  start: number;
  length: number;
}

/** Typed arrays that double as the file streams past (plain arrays would cost 8 bytes a number and more). */
class Growing {
  days = new Int32Array(1024);
  volumes = new Float64Array(1024);
  book = new Int32Array(1024);
  lines = new Int32Array(1024);
  size = 0;

  push(book: number, day: number, volume: number, line: number): void {
    if (this.size === this.days.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
        const next = make(a.length * 2);
        next.set(a);
        return next;
      };
      this.days = grow(this.days, (n) => new Int32Array(n));
      this.volumes = grow(this.volumes, (n) => new Float64Array(n));
      this.book = grow(this.book, (n) => new Int32Array(n));
      this.lines = grow(this.lines, (n) => new Int32Array(n));
    }
    const i = this.size++;
    this.days[i] = day;
    this.volumes[i] = volume;
    this.book[i] = book;
    this.lines[i] = line;
  }
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * Streams a sales file into `Rows`, checking every row as `parseSalesCsv`
 * does, with the same messages. Only one chunk of the file is in memory at
 * once, never the whole text. A row's own faults fail the read as it
 * streams past; a week repeated for a book is found once the book's rows
 * are sorted, so when a file has both, the row fault is the one named.
 */
async function streamSalesCsv(path: string): Promise<Rows> {
  const index = new Map<string, { n: number; title: string }>();
  const days = new Map<string, number>(); // week-ending date → day number: a few hundred distinct
  const rows = new Growing();
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
    let book = index.get(row.isbn);
    if (!book) {
      book = { n: index.size, title: row.title };
      index.set(row.isbn, book);
    }
    rows.push(book.n, day, row.volume, record.line);
  };
  const scanner = new CsvRecordScanner(path);
  for await (const chunk of createReadStream(path)) scanner.push(chunk as Buffer, onRecord);
  scanner.finish(onRecord);
  if (!read) rowReader(undefined, path); // throws: the file has no header
  return groupByBook(rows, index, path);
}

/** Rows grouped by book (a counting sort on the book number), each book's in week order; a repeated week throws. */
function groupByBook(rows: Growing, index: Map<string, { n: number; title: string }>, path: string): Rows {
  const starts = new Int32Array(index.size + 1);
  for (let i = 0; i < rows.size; i++) {
    const next = (rows.book[i] as number) + 1;
    starts[next] = (starts[next] as number) + 1;
  }
  for (let b = 0; b < index.size; b++) starts[b + 1] = (starts[b + 1] as number) + (starts[b] as number);
  const order = new Int32Array(rows.size);
  const fill = starts.slice(0, index.size);
  for (let i = 0; i < rows.size; i++) {
    const b = rows.book[i] as number;
    const at = fill[b] as number;
    order[at] = i;
    fill[b] = at + 1;
  }
  let wide = false;
  for (let i = 0; i < rows.size; i++) if ((rows.volumes[i] as number) > 0xffffffff) wide = true;
  const out: Rows = {
    days: new Int32Array(rows.size),
    volumes: wide ? new Float64Array(rows.size) : new Uint32Array(rows.size),
    books: new Map(),
  };
  for (const [isbn, { n, title }] of index) {
    const start = starts[n] as number;
    const length = (starts[n + 1] as number) - start;
    const mine = Array.from(order.subarray(start, start + length));
    mine.sort(
      (a, b) =>
        (rows.days[a] as number) - (rows.days[b] as number) ||
        (rows.lines[a] as number) - (rows.lines[b] as number),
    );
    checkRepeatedWeek(isbn, mine, rows, path);
    mine.forEach((from, k) => {
      out.days[start + k] = rows.days[from] as number;
      out.volumes[start + k] = rows.volumes[from] as number;
    });
    out.books.set(isbn, { title, start, length });
  }
  return out;
}

/** A book's rows in week order: the first week that repeats fails the read, naming its later line. */
function checkRepeatedWeek(isbn: string, sorted: readonly number[], rows: Growing, path: string): void {
  for (let k = 1; k < sorted.length; k++) {
    const [a, b] = [sorted[k - 1] as number, sorted[k] as number];
    if (rows.days[a] !== rows.days[b]) continue;
    const week = weekName(rows.days[b] as number);
    throw duplicateWeek(path, rows.lines[b] as number, { isbn, title: '', week, volume: 0 });
  }
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

function seriesOf(isbn: string, rows: Rows): SalesSeries | undefined {
  const book = rows.books.get(isbn);
  if (!book) return undefined;
  const points: SalesPoint[] = new Array(book.length);
  for (let k = 0; k < book.length; k++) {
    const i = book.start + k;
    points[k] = { weekEnding: weekName(rows.days[i] as number), volume: rows.volumes[i] as number };
  }
  return { isbn, title: book.title, points };
}

/** Weekly actuals from a CSV file on disk. */
export class CsvSalesData implements SalesData {
  private snapshot?: Promise<Snapshot>;

  constructor(private readonly path: string) {}

  async listIsbns(): Promise<string[]> {
    return [...(await this.load()).rows.books.keys()].sort();
  }

  async getSeries(isbn: string): Promise<SalesSeries | undefined> {
    return seriesOf(isbn, (await this.load()).rows);
  }

  /** One look at the file for the whole set; series are built only for the books asked for. */
  async getSeriesFor(isbns: readonly string[]): Promise<Map<string, SalesSeries>> {
    const { rows } = await this.load();
    const out = new Map<string, SalesSeries>();
    for (const isbn of isbns) {
      const series = seriesOf(isbn, rows);
      if (series) out.set(isbn, series);
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
      (rows) => ({ key, rows }),
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
