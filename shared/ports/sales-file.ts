/**
 * SalesFile: the embedded backend's sales file taken as a whole — what
 * `seed` writes and `demo drift` rewrites. Reading actuals week by week is
 * SalesData's job; this port exists so those two use cases never name a file.
 */
import type { SalesSeries } from '../contracts/model';

export interface SalesFile {
  /** Where the sales live (a path), for messages. */
  readonly location: string;
  /** Every book's series, in the file's order. A missing file fails; a bad row is a ValidationError naming its line. */
  readAll(): Promise<SalesSeries[]>;
  /** Replaces the whole file; a reader never sees half of it. */
  writeAll(series: readonly SalesSeries[]): Promise<void>;
}
