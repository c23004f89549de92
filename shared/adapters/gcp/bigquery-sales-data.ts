/**
 * SalesData over a BigQuery table (FG_SALES_URI=bq://project.dataset.table),
 * through @google-cloud/bigquery's jobs.query
 * (https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/query) and
 * jobs.getQueryResults paging. Every query is parameterised (the ISBN is a
 * named @isbn parameter, never spliced into SQL) and reads one book, so the
 * table never sits in memory. Column names come from FG_SALES_COLUMNS
 * (backquoted identifiers); the default is the publisher's columns as a
 * BigQuery load names them (`ISBN`, `End_Date`, `Volume`, `Title`: a CSV
 * load with autodetect turns the space in "End Date" into `_`).
 *
 * Same rules as the sliced file reader: hyphenated ISBNs match their bare
 * form, a duplicate book-week or a fractional/negative volume is a
 * ValidationError, a missing week stays missing (a late feed, not zero sales).
 */
import type { BigQuery } from '@google-cloud/bigquery';
import type * as BigQuerySdk from '@google-cloud/bigquery';
import type { SalesPoint, SalesSeries } from '../../contracts/model';
import type { SalesColumns } from '../../config/sales-columns';
import { parseIsbn13 } from '../../domain/isbn';
import { BackendUnavailableError, ConfigError, ValidationError } from '../../errors';
import { isIsoDate, isoDateToMs, isSaturday, msToIsoDate } from '../../domain/series/weeks';
import type { SalesData, SalesSource } from '../../ports/sales-data';
import { inBatches, SERIES_READS_AT_ONCE } from '../sales/in-batches';

export const BIGQUERY_DEFAULT_COLUMNS: Required<SalesColumns> = {
  isbn: 'ISBN',
  week: 'End_Date',
  volume: 'Volume',
  title: 'Title',
};

export interface BqTable {
  project: string;
  dataset: string;
  table: string;
}

/** bq://project.dataset.table → its parts; anything else is a ConfigError naming FG_SALES_URI. */
export function parseBqUri(uri: string, variable = 'FG_SALES_URI'): BqTable {
  const m = /^bq:\/\/([a-z][a-z0-9-]{4,28}[a-z0-9])\.([A-Za-z0-9_]{1,1024})\.([^.`\s]{1,1024})$/.exec(uri);
  if (!m)
    throw new ConfigError(
      `${variable} must be bq://project.dataset.table (got ${JSON.stringify(uri)})`,
      variable,
    );
  return { project: m[1] as string, dataset: m[2] as string, table: m[3] as string };
}

/** A backquoted identifier; a backquote or backslash inside would escape it, so those are refused. */
function ident(name: string): string {
  if (/[`\\]/.test(name))
    throw new ConfigError(
      `FG_SALES_COLUMNS: column ${JSON.stringify(name)} may not contain \` or \\`,
      'FG_SALES_COLUMNS',
    );
  return `\`${name}\``;
}

export interface BigQuerySalesDataOptions {
  bigquery: BigQuery;
  table: BqTable;
  columns?: SalesColumns;
  /** Rows per page (jobs.query / getQueryResults maxResults; default 10,000). */
  pageSize?: number;
}

export class BigQuerySalesData implements SalesData {
  private readonly uri: string;
  private readonly sql: { list: string; series: string };

  constructor(private readonly options: BigQuerySalesDataOptions) {
    const { project, dataset, table } = options.table;
    this.uri = `bq://${project}.${dataset}.${table}`;
    const c = { ...BIGQUERY_DEFAULT_COLUMNS, ...(options.columns ?? {}) };
    const from = `\`${project}.${dataset}.${table}\``;
    const isbn = `REPLACE(REPLACE(CAST(${ident(c.isbn)} AS STRING), '-', ''), ' ', '')`;
    // Two fixed shapes only; the local BigQuery server evaluates exactly these.
    this.sql = {
      list: `SELECT DISTINCT ${isbn} AS isbn FROM ${from} ORDER BY isbn`,
      series: `SELECT CAST(${ident(c.week)} AS STRING) AS week, ${ident(c.volume)} AS volume, CAST(${ident(c.title)} AS STRING) AS title FROM ${from} WHERE ${isbn} = @isbn ORDER BY week`,
    };
  }

  async listIsbns(): Promise<string[]> {
    const rows = await this.query<{ isbn: string | null }>(this.sql.list, {});
    const out: string[] = [];
    for (const row of rows) {
      if (row.isbn === null) continue;
      try {
        out.push(parseIsbn13(row.isbn));
      } catch (err) {
        throw new ValidationError(`${this.uri}: ${(err as Error).message}`, ['isbn']);
      }
    }
    return [...new Set(out)].sort();
  }

  async getSeries(isbn: string): Promise<SalesSeries | undefined> {
    const rows = await this.query<{ week: string | null; volume: unknown; title: string | null }>(
      this.sql.series,
      { isbn },
    );
    if (!rows.length) return undefined;
    const weeks = new Map<number, number>();
    let title = '';
    for (const row of rows) {
      const where = `${this.uri} ISBN ${isbn}`;
      const week = row.week ?? '';
      if (!isIsoDate(week) || !isSaturday(week))
        throw new ValidationError(`${where}: week "${week}" must be a Saturday as an ISO date (YYYY-MM-DD)`, [
          'week',
        ]);
      const volume = Number(row.volume);
      if (row.volume === null || !Number.isInteger(volume) || volume < 0)
        throw new ValidationError(
          `${where} week ${week}: volume "${String(row.volume)}" must be a whole, non-negative number of copies`,
          ['volume'],
        );
      const ms = isoDateToMs(week);
      if (weeks.has(ms)) throw new ValidationError(`${where}: week ${week} appears twice`, ['week']);
      weeks.set(ms, volume);
      title = row.title ?? title;
    }
    return { isbn, title, points: inWeekOrder(weeks) };
  }

  /**
   * One parameterised query per book, `SERIES_READS_AT_ONCE` at a time: the
   * same query `getSeries` runs, so each book's rows and checks are the same.
   */
  async getSeriesFor(isbns: readonly string[]): Promise<Map<string, SalesSeries>> {
    const found = await inBatches(isbns, SERIES_READS_AT_ONCE, (isbn) => this.getSeries(isbn));
    const out = new Map<string, SalesSeries>();
    for (const series of found) if (series) out.set(series.isbn, series);
    return out;
  }

  /** The table is the one source; a drop's ISBNs are the table's. */
  async isbnsIn(source: SalesSource): Promise<string[]> {
    if (source.uri !== this.uri)
      throw new ValidationError(
        `sales source ${source.uri} is not ${this.uri}, the table this backend reads`,
        ['uri'],
      );
    return this.listIsbns();
  }

  private async query<T>(query: string, params: Record<string, string>): Promise<T[]> {
    try {
      const [rows] = await this.options.bigquery.query({
        query,
        params,
        maxResults: this.options.pageSize ?? 10_000,
      });
      return rows as T[];
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code === 400 || code === 404)
        throw new ConfigError(
          `${this.uri}: BigQuery refused the sales query: ${(err as Error).message}`,
          'FG_SALES_URI',
        );
      throw new BackendUnavailableError(`cannot query ${this.uri}: ${(err as Error).message}`, 'bigquery', {
        cause: err,
      });
    }
  }
}

function inWeekOrder(weeks: Map<number, number>): SalesPoint[] {
  return [...weeks.keys()]
    .sort((a, b) => a - b)
    .map((w) => ({ weekEnding: msToIsoDate(w), volume: weeks.get(w) as number }));
}

/** FG_SALES_URI=bq://… → the adapter, with a client on Application Default Credentials. */
export function openBigQuerySalesData(
  uri: string,
  options: { projectId?: string; columns?: SalesColumns; apiEndpoint?: string },
): BigQuerySalesData {
  const table = parseBqUri(uri);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { BigQuery: Client } = require('@google-cloud/bigquery') as typeof BigQuerySdk;
  const bigquery = new Client({
    projectId: options.projectId ?? table.project,
    ...(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {}),
  });
  return new BigQuerySalesData({ bigquery, table, columns: options.columns });
}
