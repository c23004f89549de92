/**
 * BillingExport: what Google Cloud actually charged, from the Cloud Billing
 * standard usage cost export in BigQuery
 * (https://cloud.google.com/billing/docs/how-to/export-data-bigquery-tables/standard-usage).
 * Optional: `forecast-guard cost` reads it when FG_BILLING_EXPORT_TABLE is set.
 */

/** One service's charges (`service.description`), credits included (they are negative). */
export interface BilledService {
  service: string;
  /** `SUM(cost)` plus the sum of `credits.amount`. */
  cost: number;
  currency: string;
}

export interface BillingExport {
  /** The export table, `project.dataset.table`. */
  readonly table: string;
  /** Charges per service for usage that started in [from, to), for the watched project only. */
  costByService(from: Date, to: Date): Promise<BilledService[]>;
}
