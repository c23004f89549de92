/** SalesFile over the sales CSV on disk: parsed as CsvSalesData parses it, written whole (temporary file, then rename). */
import { readFile } from 'node:fs/promises';
import type { SalesSeries } from '../../contracts/model';
import { toSalesRows, writeSalesCsv } from '../../fleet/sales-csv';
import type { SalesFile } from '../../ports/sales-file';
import { parseSalesCsv } from './csv-sales-data';

export class CsvSalesFile implements SalesFile {
  constructor(readonly location: string) {}

  async readAll(): Promise<SalesSeries[]> {
    return [...parseSalesCsv(await readFile(this.location, 'utf8'), this.location).values()];
  }

  async writeAll(series: readonly SalesSeries[]): Promise<void> {
    await writeSalesCsv(this.location, toSalesRows(series));
  }
}
