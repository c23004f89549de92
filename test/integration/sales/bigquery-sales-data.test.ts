/**
 * The BigQuery sales adapter against the local BigQuery REST server: one
 * parameterised query per book (the ISBN never in the SQL text), results paged
 * through jobs.getQueryResults, the same row rules as the file reader; and the
 * server refusing what BigQuery refuses.
 */
import { BigQuerySalesData, parseBqUri } from '../../../shared/adapters/gcp/bigquery-sales-data';
import { parseSalesColumns } from '../../../shared/config/sales-columns';
import { ConfigError, ValidationError } from '../../../shared/errors';
import { bigqueryFor } from '../../helpers/bigquery-client';
import { startBigQueryServer, type BigQueryServer, type BqTableData } from '../../helpers/bigquery-server';

const ALCHEMIST = '9780722532935';
const POTTER = '9780747532743';

let server: BigQueryServer;
let seq = 0;
beforeAll(async () => {
  server = await startBigQueryServer();
});
afterAll(() => server.stop());

function table(data: BqTableData, options: { pageSize?: number; columns?: string } = {}) {
  const name = `t${++seq}`;
  server.setTable(`local-sales.book_sales.${name}`, data);
  return new BigQuerySalesData({
    bigquery: bigqueryFor(server),
    table: { project: 'local-sales', dataset: 'book_sales', table: name },
    pageSize: options.pageSize,
    columns: options.columns ? parseSalesColumns(options.columns) : undefined,
  });
}

const SCHEMA: BqTableData['schema'] = [
  { name: 'ISBN', type: 'STRING' },
  { name: 'Title', type: 'STRING' },
  { name: 'End_Date', type: 'DATE' },
  { name: 'Volume', type: 'FLOAT' },
];

describe('BigQuerySalesData', () => {
  it('sends the ISBN as a named parameter, never in the SQL, and pages the rows', async () => {
    const weeks = ['2024-04-27', '2024-05-04', '2024-05-11', '2024-05-18', '2024-05-25'];
    const sales = table(
      {
        schema: SCHEMA,
        rows: weeks.map((w, i) => [i % 2 ? '978-0-7225-3293-5' : ALCHEMIST, 'Alchemist, The', w, 800 + i]),
      },
      { pageSize: 2 },
    );
    const before = server.requests.length;
    const series = await sales.getSeries(ALCHEMIST);
    expect(series?.points.map((p) => p.volume)).toEqual([800, 801, 802, 803, 804]);
    const sent = server.requests.slice(before);
    const query = sent.find((r) => r.method === 'POST')!;
    expect(String(query.body?.query)).not.toContain(ALCHEMIST);
    expect(query.body?.queryParameters).toEqual([
      { name: 'isbn', parameterType: { type: 'STRING' }, parameterValue: { value: ALCHEMIST } },
    ]);
    expect(query.body?.maxResults).toBe(2);
    // The first 2 rows come with jobs.query; the client asks for the rest by pageToken without
    // maxResults, so (as BigQuery does up to its 10 MB page) the remaining 3 come in one page.
    const pages = sent.filter((r) => r.method === 'GET');
    expect(pages).toHaveLength(1);
    expect(pages[0]!.query.get('pageToken')).toBeTruthy();
  });

  it('reads a float 812.0 as 812, leaves a missing week missing, and refuses a fractional volume or a repeated week', async () => {
    const sales = table({
      schema: SCHEMA,
      rows: [
        [ALCHEMIST, 'A', '2024-05-18', 812.0],
        [ALCHEMIST, 'A', '2024-05-04', 790],
        [POTTER, 'P', '2024-05-04', 1.5],
        ['9780241003008', 'C', '2024-05-04', 1],
        ['978-0-241-00300-8', 'C', '2024-05-04', 2],
      ],
    });
    expect((await sales.getSeries(ALCHEMIST))?.points).toEqual([
      { weekEnding: '2024-05-04', volume: 790 },
      { weekEnding: '2024-05-18', volume: 812 },
    ]);
    await expect(sales.getSeries(POTTER)).rejects.toThrow(
      /volume "1.5" must be a whole, non-negative number/,
    );
    await expect(sales.getSeries('9780241003008')).rejects.toThrow(/week 2024-05-04 appears twice/);
    await expect(sales.getSeries(POTTER)).rejects.toBeInstanceOf(ValidationError);
  });

  it('follows FG_SALES_COLUMNS, and names FG_SALES_URI when BigQuery refuses the query (unknown column or table)', async () => {
    const data: BqTableData = {
      schema: [
        { name: 'book', type: 'STRING' },
        { name: 'wk', type: 'STRING' },
        { name: 'units', type: 'INTEGER' },
        { name: 'name', type: 'STRING' },
      ],
      rows: [[ALCHEMIST, '2024-05-04', 5, 'Alchemist, The']],
    };
    const mapped = table(data, { columns: 'isbn=book,week=wk,volume=units,title=name' });
    expect(await mapped.getSeries(ALCHEMIST)).toEqual({
      isbn: ALCHEMIST,
      title: 'Alchemist, The',
      points: [{ weekEnding: '2024-05-04', volume: 5 }],
    });
    const unmapped = table(data);
    const err = await unmapped.listIsbns().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe('FG_SALES_URI');
    expect((err as Error).message).toMatch(/Unrecognized name: ISBN/);
    const missing = new BigQuerySalesData({
      bigquery: bigqueryFor(server),
      table: { project: 'local-sales', dataset: 'book_sales', table: 'nope' },
    });
    await expect(missing.listIsbns()).rejects.toThrow(/Not found: Table local-sales:book_sales.nope/);
  });

  it('parses bq://project.dataset.table and refuses anything else, naming FG_SALES_URI', () => {
    expect(parseBqUri('bq://acme-forecasts.book_sales.uk_weekly')).toEqual({
      project: 'acme-forecasts',
      dataset: 'book_sales',
      table: 'uk_weekly',
    });
    expect(() => parseBqUri('bq://acme-forecasts.book_sales')).toThrow(ConfigError);
  });
});

describe('local BigQuery server', () => {
  const post = (body: unknown) =>
    fetch(`${server.apiEndpoint}/bigquery/v2/projects/local-sales/queries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('refuses SQL other than the adapter’s two shapes with 400 invalidQuery, in BigQuery’s error envelope', async () => {
    const res = await post({ query: 'SELECT * FROM `local-sales.book_sales.t1`', useLegacySql: false });
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      error: { code: number; errors: { reason: string }[]; status: string };
    };
    expect(body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(body.error.errors[0]?.reason).toBe('invalidQuery');
  });

  it('refuses legacy SQL, a query missing its @isbn parameter, and an unknown job', async () => {
    server.setTable('local-sales.d.t', { schema: SCHEMA, rows: [] });
    const series =
      "SELECT CAST(`End_Date` AS STRING) AS week, `Volume` AS volume, CAST(`Title` AS STRING) AS title FROM `local-sales.d.t` WHERE REPLACE(REPLACE(CAST(`ISBN` AS STRING), '-', ''), ' ', '') = @isbn ORDER BY week";
    expect((await post({ query: series })).status).toBe(400); // useLegacySql defaults to true
    const noParam = await post({ query: series, useLegacySql: false });
    expect(noParam.status).toBe(400);
    expect(JSON.stringify(await noParam.json())).toContain("Query parameter 'isbn' not found");
    const ok = await post({
      query: series,
      useLegacySql: false,
      parameterMode: 'NAMED',
      queryParameters: [
        { name: 'isbn', parameterType: { type: 'STRING' }, parameterValue: { value: ALCHEMIST } },
      ],
    });
    const answer = (await ok.json()) as Record<string, unknown>;
    expect(answer).toMatchObject({ kind: 'bigquery#queryResponse', jobComplete: true, totalRows: '0' });
    expect(answer).not.toHaveProperty('rows'); // no rows: the key is absent
    expect(
      (await fetch(`${server.apiEndpoint}/bigquery/v2/projects/local-sales/queries/job_nope`)).status,
    ).toBe(404);
  });
});
