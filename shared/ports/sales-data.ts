/** SalesData: actual weekly sales per book (CSV on disk, or in Cloud Storage). */
import type { SalesSeries } from '../contracts/model';

export interface SalesData {
  listIsbns(): Promise<string[]>;
  /** Unknown ISBN → undefined. Points are in week order. */
  getSeries(isbn: string): Promise<SalesSeries | undefined>;
}
