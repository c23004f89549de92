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
   * Several books' series in one read: what a health check asks for one
   * slice of the fleet, so an adapter can serve the set in one pass (one
   * look at the file, one listing of the objects) instead of one per book.
   * Each series is what `getSeries` returns for it; an ISBN without rows is
   * absent from the map. Optional: a SalesData without it is read with one
   * `getSeries` per book.
   */
  getSeriesFor?(isbns: readonly string[]): Promise<Map<string, SalesSeries>>;
  /**
   * ISBNs that have rows in one source (a new drop), sorted; what a
   * `sales-data-updates` notification re-checks. A source outside what this
   * adapter reads → ValidationError naming it; a source that no longer exists
   * → NotFoundError.
   */
  isbnsIn(source: SalesSource): Promise<string[]>;
}
