/**
 * SalesData that reads one book at a time from sales objects (a Cloud
 * Storage object, a prefix of drops, a local file or folder), so a fleet of
 * 5,000 books never sits in memory at once.
 *
 * One streaming pass per object generation builds a compact index: for each
 * ISBN, the byte ranges its rows occupy (adjacent rows merge into one range,
 * so a file grouped by book costs one range per book) and the line each range
 * starts on. `getSeries` then reads just those bytes, pinned to the indexed
 * generation; if the object was replaced meanwhile the read fails, the source
 * is re-listed and re-indexed, and the read is tried once more.
 *
 * Rules (docs/sales-data.md):
 * - ISBNs are normalised (hyphens and spaces removed) before grouping: the
 *   publisher's file writes some rows as 978-0-7225-3293-5.
 * - Volume must be a whole, non-negative number; `812.0` reads as 812, `812.5`
 *   or `-3` is a ValidationError naming the object, line and field.
 * - The same book-week twice in one object is a ValidationError naming both
 *   lines; across drops the later drop wins (drops are applied oldest first).
 * - A week missing from the data stays missing: forecast-guard treats it as a
 *   late feed, not a week of zero sales (the publisher's preprocessing fills
 *   gaps with 0 for training; doing so here would page on every late feed).
 *   `fillMissingWeeks: true` fills them for a caller that wants the
 *   pipeline's view.
 */
import type { SalesPoint, SalesSeries } from '../../contracts/model';
import { resolveColumns, type SalesColumns } from '../../config/sales-columns';
import { parseIsbn13 } from '../../domain/isbn';
import { BackendUnavailableError, NotFoundError, NotSalesSourceError, ValidationError } from '../../errors';
import { isIsoDate, isoDateToMs, isSaturday, msToIsoDate } from '../../domain/series/weeks';
import type { Clock } from '../../ports/clock';
import type { SalesData, SalesSource } from '../../ports/sales-data';
import { CsvRecordScanner, type ScannedRecord } from './csv-scan';
import { inBatches, SERIES_READS_AT_ONCE } from './in-batches';
import { GenerationGoneError, type SalesObject, type SalesObjectStore } from './object-store';

const WEEK_MS = 7 * 24 * 3600 * 1000;

interface Columns {
  isbn: number;
  week: number;
  volume: number;
  title: number | undefined;
}

/** Where one book's rows are in one object: [start, end) byte ranges and each range's first line. */
interface BookRanges {
  title: string;
  /** Flat triplets: start, end, line. */
  ranges: number[];
}

interface ObjectIndex {
  object: SalesObject;
  columns: Columns;
  books: Map<string, BookRanges>;
}

export interface SlicedSalesDataOptions {
  /** FG_SALES_COLUMNS; unset → the publisher's or forecast-guard's header is recognised. */
  columns?: SalesColumns;
  clock: Clock;
  /** How long a listing of the source is trusted before `getSeries` re-lists (default 60 s). `listIsbns` always re-lists. */
  listingMaxAgeMs?: number;
  /** Ranges of one book closer than this are read as one request, skipping other books' rows (default 64 KiB). */
  coalesceGapBytes?: number;
  /** Fill weeks missing between a book's first and last week with 0, as the publisher's training does (default false: missing stays missing). */
  fillMissingWeeks?: boolean;
}

export class SlicedSalesData implements SalesData {
  private readonly indexes = new Map<string, Promise<ObjectIndex>>(); // key: name@generation
  private listing?: { at: number; objects: SalesObject[] };
  private refreshing?: Promise<SalesObject[]>;
  private readonly maxAgeMs: number;
  private readonly gap: number;

  constructor(
    private readonly store: SalesObjectStore,
    private readonly options: SlicedSalesDataOptions,
  ) {
    this.maxAgeMs = options.listingMaxAgeMs ?? 60_000;
    this.gap = options.coalesceGapBytes ?? 64 * 1024;
  }

  async listIsbns(): Promise<string[]> {
    const indexes = await this.current(true);
    const all = new Set<string>();
    for (const index of indexes) for (const isbn of index.books.keys()) all.add(isbn);
    return [...all].sort();
  }

  async getSeries(isbn: string): Promise<SalesSeries | undefined> {
    try {
      return await this.readSeries(isbn, await this.current(false));
    } catch (err) {
      if (!(err instanceof GenerationGoneError)) throw err;
      // Replaced between indexing and reading: index what is there now and read again, once.
      return this.readSeries(isbn, await this.current(true));
    }
  }

  /**
   * One listing for the whole set, then each book's ranges, `SERIES_READS_AT_ONCE`
   * books at a time; a replaced object re-lists and reads the set again, once.
   */
  async getSeriesFor(isbns: readonly string[]): Promise<Map<string, SalesSeries>> {
    try {
      return await this.readMany(isbns, await this.current(false));
    } catch (err) {
      if (!(err instanceof GenerationGoneError)) throw err;
      return this.readMany(isbns, await this.current(true));
    }
  }

  private async readMany(
    isbns: readonly string[],
    indexes: ObjectIndex[],
  ): Promise<Map<string, SalesSeries>> {
    const found = await inBatches(isbns, SERIES_READS_AT_ONCE, (isbn) => this.readSeries(isbn, indexes));
    const out = new Map<string, SalesSeries>();
    for (const series of found) if (series) out.set(series.isbn, series);
    return out;
  }

  async isbnsIn(source: SalesSource): Promise<string[]> {
    const object = await this.store.resolve(source.uri, source.generation);
    if (!object)
      throw new NotSalesSourceError(
        `sales source ${source.uri} is not under ${this.store.location}, the source this backend reads`,
      );
    const index = await this.indexOf(object).catch((err: unknown) => {
      if (err instanceof GenerationGoneError)
        throw new NotFoundError(
          `sales source ${source.uri} generation ${object.generation} no longer exists`,
          { cause: err },
        );
      throw err;
    });
    // A drop just landed, so the cached listing is stale by definition: the health check this
    // answer triggers must read the new rows, not wait out the listing's max age.
    if (!this.listing?.objects.some((o) => keyOf(o) === keyOf(object))) this.listing = undefined;
    return [...index.books.keys()].sort();
  }

  /** Indexes of every object of the source, oldest drop first; re-lists when forced or stale. */
  private async current(force: boolean): Promise<ObjectIndex[]> {
    const now = this.options.clock.now().getTime();
    let objects =
      this.listing && !force && now - this.listing.at < this.maxAgeMs ? this.listing.objects : undefined;
    if (!objects) {
      this.refreshing ??= this.store.list().finally(() => (this.refreshing = undefined));
      objects = await this.refreshing;
      this.listing = { at: now, objects };
      const live = new Set(objects.map(keyOf));
      for (const key of this.indexes.keys()) if (!live.has(key)) this.indexes.delete(key);
    }
    // One object at a time: indexing streams, and parallel passes would only add buffers.
    const out: ObjectIndex[] = [];
    for (const object of objects) out.push(await this.indexOf(object));
    return out;
  }

  private indexOf(object: SalesObject): Promise<ObjectIndex> {
    const key = keyOf(object);
    let index = this.indexes.get(key);
    if (!index) {
      index = this.buildIndex(object);
      this.indexes.set(key, index);
      index.catch(() => this.indexes.delete(key));
    }
    return index;
  }

  /** One streaming pass: header → columns, then each row's ISBN and byte range. */
  private async buildIndex(object: SalesObject): Promise<ObjectIndex> {
    let columns: Columns | undefined;
    const books = new Map<string, BookRanges>();
    const scanner = new CsvRecordScanner(object.uri);
    const onRecord = (record: ScannedRecord) => {
      if (!columns) {
        columns = resolveColumns(record.fields, this.options.columns, object.uri);
        return;
      }
      const isbn = this.isbnOf(record, columns, object);
      const book = books.get(isbn);
      if (!book) {
        books.set(isbn, { title: titleOf(record, columns), ranges: [record.start, record.end, record.line] });
        return;
      }
      const last = book.ranges.length - 3;
      if (book.ranges[last + 1] === record.start) book.ranges[last + 1] = record.end;
      else book.ranges.push(record.start, record.end, record.line);
    };
    for await (const chunk of this.store.read(object)) scanner.push(chunk as Buffer, onRecord);
    scanner.finish(onRecord);
    if (!columns) throw new ValidationError(`${object.uri} is empty; expected a header line`, ['header']);
    return { object, columns, books };
  }

  private isbnOf(record: ScannedRecord, columns: Columns, object: SalesObject): string {
    const raw = (record.fields[columns.isbn] ?? '').trim();
    try {
      return parseIsbn13(raw);
    } catch (err) {
      throw new ValidationError(
        `${object.uri} line ${record.line}: ISBN ${(err as Error).message.replace(/^ISBN /, '')}`,
        [`line ${record.line}.isbn`],
      );
    }
  }

  /** The book's rows from every object that has it, later drops overriding earlier ones week by week. */
  private async readSeries(isbn: string, indexes: ObjectIndex[]): Promise<SalesSeries | undefined> {
    const weeks = new Map<number, number>(); // week (ms) → volume
    let title: string | undefined;
    for (const index of indexes) {
      const book = index.books.get(isbn);
      if (!book) continue;
      title = book.title;
      const seen = new Map<number, number>(); // week → line, within this object
      await this.readRanges(index, book, (record) => {
        if (this.isbnOf(record, index.columns, index.object) !== isbn) return; // a neighbour inside a coalesced read
        const where = `${index.object.uri} line ${record.line}`;
        const week = weekOf(record, index.columns, where);
        const volume = volumeOf(record, index.columns, where);
        const first = seen.get(week);
        if (first !== undefined)
          throw new ValidationError(
            `${where}: ISBN ${isbn} week ${msToIsoDate(week)} already appears on line ${first}`,
            [`line ${record.line}.week`],
          );
        seen.set(week, record.line);
        weeks.set(week, volume);
      });
    }
    if (title === undefined) return undefined;
    return { isbn, title, points: this.pointsOf(weeks) };
  }

  private pointsOf(weeks: Map<number, number>): SalesPoint[] {
    const sorted = [...weeks.keys()].sort((a, b) => a - b);
    if (!sorted.length) return [];
    if (this.options.fillMissingWeeks !== true)
      return sorted.map((w) => ({ weekEnding: msToIsoDate(w), volume: weeks.get(w) as number }));
    const points: SalesPoint[] = [];
    const last = sorted[sorted.length - 1] as number;
    for (let w = sorted[0] as number; w <= last; w += WEEK_MS)
      points.push({ weekEnding: msToIsoDate(w), volume: weeks.get(w) ?? 0 });
    return points;
  }

  /** Reads the book's ranges, merging ranges closer than the gap into one request. */
  private async readRanges(
    index: ObjectIndex,
    book: BookRanges,
    onRecord: (r: ScannedRecord) => void,
  ): Promise<void> {
    const r = book.ranges;
    for (let i = 0; i < r.length;) {
      const start = r[i] as number;
      const line = r[i + 2] as number;
      let end = r[i + 1] as number;
      i += 3;
      while (i < r.length && (r[i] as number) - end <= this.gap) {
        end = r[i + 1] as number;
        i += 3;
      }
      // Lines inside a merged read: only the first range's line is known, so count from it.
      const scanner = new CsvRecordScanner(index.object.uri, start, line);
      const stream = this.store.read(index.object, start, end - 1);
      try {
        for await (const chunk of stream) scanner.push(chunk as Buffer, onRecord);
        scanner.finish(onRecord);
      } catch (err) {
        if (
          err instanceof GenerationGoneError ||
          err instanceof ValidationError ||
          err instanceof BackendUnavailableError
        )
          throw err;
        throw new BackendUnavailableError(`cannot read ${index.object.uri}: ${String(err)}`, 'sales-data', {
          cause: err,
        });
      } finally {
        stream.destroy();
      }
    }
  }
}

const keyOf = (o: SalesObject) => `${o.name}@${o.generation}`;

function titleOf(record: ScannedRecord, columns: Columns): string {
  return columns.title === undefined ? '' : (record.fields[columns.title] ?? '').trim();
}

function weekOf(record: ScannedRecord, columns: Columns, where: string): number {
  const week = (record.fields[columns.week] ?? '').trim();
  if (!isIsoDate(week))
    throw new ValidationError(`${where}: week "${week}" must be an ISO date (YYYY-MM-DD)`, [`${where}.week`]);
  if (!isSaturday(week))
    throw new ValidationError(`${where}: week ${week} is not a Saturday (weeks end on Saturday)`, [
      `${where}.week`,
    ]);
  return isoDateToMs(week);
}

function volumeOf(record: ScannedRecord, columns: Columns, where: string): number {
  const raw = (record.fields[columns.volume] ?? '').trim();
  const volume = /^-?[0-9]+(\.[0-9]+)?$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(volume) || volume < 0)
    throw new ValidationError(`${where}: volume "${raw}" must be a whole, non-negative number of copies`, [
      `${where}.volume`,
    ]);
  return volume;
}
