import { BigQuerySalesData } from '../../shared/adapters/gcp/bigquery-sales-data';
import { hyphenate } from '../builders/publisher-sales';
import { bigqueryFor } from '../helpers/bigquery-client';
import { startBigQueryServer, type BigQueryServer } from '../helpers/bigquery-server';
import { describeSalesDataContract } from './sales-data.contract';

let server: BigQueryServer;
let seq = 0;
beforeAll(async () => {
  server = await startBigQueryServer();
});
afterAll(() => server.stop());

describeSalesDataContract('BigQuery table loaded from the publisher file', async (rows) => {
  const table = `sales_${++seq}`;
  server.setTable(`local-sales.book_sales.${table}`, {
    schema: [
      { name: 'ISBN', type: 'STRING' },
      { name: 'Title', type: 'STRING' },
      { name: 'End_Date', type: 'DATE' },
      { name: 'Volume', type: 'INTEGER' },
    ],
    rows: rows.map((r, i) => [i % 3 === 2 ? hyphenate(r.isbn) : r.isbn, r.title, r.week, r.volume]),
  });
  const sales = new BigQuerySalesData({
    bigquery: bigqueryFor(server),
    table: { project: 'local-sales', dataset: 'book_sales', table },
    pageSize: 2, // several getQueryResults pages per book
  });
  return {
    sales,
    source: { uri: `bq://local-sales.book_sales.${table}` },
    foreign: { uri: 'bq://local-sales.book_sales.other' },
  };
});
