import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvSalesData } from '../../shared/adapters/local/csv-sales-data';
import { formatCsv } from '../../shared/fleet/csv';
import { describeSalesDataContract } from './sales-data.contract';

describeSalesDataContract('CsvSalesData (forecast-guard sales.csv)', async (rows) => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-sales-csv-'));
  const path = join(dir, 'sales.csv');
  writeFileSync(
    path,
    formatCsv([
      ['isbn', 'title', 'week_ending', 'volume'],
      ...rows.map((r) => [r.isbn, r.title, r.week, r.volume]),
    ]),
  );
  return {
    sales: new CsvSalesData(path),
    source: { uri: path },
    foreign: { uri: join(dir, 'other.csv') },
    close: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
