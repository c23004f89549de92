import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BigQuerySalesData } from '../../../../shared/adapters/gcp/bigquery-sales-data';
import { CsvSalesData } from '../../../../shared/adapters/local/csv-sales-data';
import { openSalesData } from '../../../../shared/adapters/sales/open-sales-data';
import { SlicedSalesData } from '../../../../shared/adapters/sales/sliced-sales-data';
import { loadConfig } from '../../../../shared/config';
import { parseSalesColumns } from '../../../../shared/config/sales-columns';
import { ConfigError, ValidationError } from '../../../../shared/errors';

const CWD = '/srv/forecast-guard';

describe('openSalesData', () => {
  it('refuses FG_BACKEND=gcp without FG_SALES_URI, naming the variable, rather than read a local file', () => {
    const config = loadConfig(
      { FG_BACKEND: 'gcp', FG_REGISTRY: 'vertex', GOOGLE_CLOUD_PROJECT: 'acme-forecasts' },
      { cwd: CWD },
    );
    let err: unknown;
    try {
      openSalesData(config);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe('FG_SALES_URI');
    expect((err as Error).message).toMatch(/^FG_SALES_URI is required when FG_BACKEND=gcp/);
  });

  it('keeps <FG_STATE_DIR>/sales.csv for the embedded backend (and up --emulators) when unset', () => {
    expect(openSalesData(loadConfig({}, { cwd: CWD }))).toBeInstanceOf(CsvSalesData);
    const emulated = loadConfig(
      { FG_BACKEND: 'gcp', GOOGLE_CLOUD_PROJECT: 'demo-fg', PUBSUB_EMULATOR_HOST: '127.0.0.1:8085' },
      { cwd: CWD },
    );
    expect(openSalesData(emulated)).toBeInstanceOf(CsvSalesData);
  });

  it('opens Cloud Storage, BigQuery or a local path from FG_SALES_URI', () => {
    const base = { FG_BACKEND: 'gcp', FG_REGISTRY: 'vertex', GOOGLE_CLOUD_PROJECT: 'acme-forecasts' };
    expect(
      openSalesData(loadConfig({ ...base, FG_SALES_URI: 'gs://acme-sales/raw_data/UK_weekly_data.csv' })),
    ).toBeInstanceOf(SlicedSalesData);
    expect(
      openSalesData(loadConfig({ ...base, FG_SALES_URI: 'bq://acme-forecasts.book_sales.weekly' })),
    ).toBeInstanceOf(BigQuerySalesData);
    expect(openSalesData(loadConfig({ ...base, FG_SALES_URI: 'data/sales/' }, { cwd: CWD }))).toBeInstanceOf(
      SlicedSalesData,
    );
  });

  it('reads a local file named by a relative FG_SALES_URI from the working directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-open-sales-'));
    try {
      writeFileSync(
        join(dir, 'UK.csv'),
        'ISBN,Title,End Date,Volume\n978-0-7225-3293-5,"Alchemist, The",2024-05-04,812\n',
      );
      const sales = openSalesData(loadConfig({ FG_SALES_URI: 'UK.csv' }, { cwd: dir }));
      expect(await sales.isbnsIn({ uri: join(dir, 'UK.csv') })).toEqual(['9780722532935']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('FG_SALES_URI and FG_SALES_COLUMNS', () => {
  it('refuses a URI with another scheme or a malformed bucket or table', () => {
    for (const bad of [
      's3://bucket/x.csv',
      'gs://B/x.csv',
      'bq://project.only',
      'https://example.com/sales.csv',
    ]) {
      expect(() => loadConfig({ FG_SALES_URI: bad })).toThrow(/FG_SALES_URI must be gs:\/\/bucket\/object/);
    }
  });

  it('parses field=Column pairs and refuses unknown fields, missing required ones and repeats', () => {
    expect(parseSalesColumns('isbn=ISBN,week=End Date,volume=Volume,title=Title')).toEqual({
      isbn: 'ISBN',
      week: 'End Date',
      volume: 'Volume',
      title: 'Title',
    });
    expect(() => parseSalesColumns('isbn=ISBN,week=End Date')).toThrow(
      new ValidationError('FG_SALES_COLUMNS: must map volume (e.g. isbn=ISBN,week=End Date,volume=Volume)'),
    );
    expect(() => parseSalesColumns('isbn=ISBN,date=End Date,volume=Volume')).toThrow(
      /"date" is not a sales field/,
    );
    expect(() => parseSalesColumns('isbn=ISBN,isbn=Book,week=W,volume=V')).toThrow(/isbn is mapped twice/);
    expect(() => loadConfig({ FG_SALES_COLUMNS: 'isbn=' })).toThrow(/FG_SALES_COLUMNS: isbn names no column/);
  });
});
