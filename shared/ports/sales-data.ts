/** SalesData: actual weekly sales per book (CSV on disk, or in Cloud Storage / BigQuery). */
import type { SalesSeries } from '../contracts/model';

/**
 * One source object of sales rows: a drop in Cloud Storage (`gs://bucket/name`
 * with the generation that landed) or a file on disk (`path`).
 */
export interface SalesSource {
  uri: string;
  /** Cloud Storage object generation (decimal string); the read is pinned to it when given. */
  generation?: string;
}

export interface SalesData {
  listIsbns(): Promise<string[]>;
  /** Unknown ISBN → undefined. Points are in week order. */
  getSeries(isbn: string): Promise<SalesSeries | undefined>;
  /**
   * ISBNs that have rows in one source (a new drop), sorted; what a
   * `sales-data-updates` notification re-checks. A source outside what this
   * adapter reads → ValidationError naming it; a source that no longer exists
   * → NotFoundError.
   */
  isbnsIn(source: SalesSource): Promise<string[]>;
}
