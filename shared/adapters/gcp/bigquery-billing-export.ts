/**
 * BillingExport over the Cloud Billing standard usage cost export
 * (FG_BILLING_EXPORT_TABLE=project.dataset.gcp_billing_export_v1_XXXXXX_XXXXXX_XXXXXX),
 * through @google-cloud/bigquery's jobs.query
 * (https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/query).
 * The export's columns, from
 * https://cloud.google.com/billing/docs/how-to/export-data-bigquery-tables/standard-usage:
 * `service.description` (e.g. "Vertex AI", "Cloud Run Functions", "Cloud
 * Firestore", "Cloud Pub/Sub"), `cost` (FLOAT, in the billing account's
 * `currency`), `credits` (ARRAY of STRUCT with a negative `amount`),
 * `usage_start_time` (TIMESTAMP), `project.id`. The billing account exports
 * every project it pays for, so the query keeps the watched project's rows.
 * One parameterised query (time bounds and project are named parameters,
 * never spliced into SQL); the export is partitioned on usage time, so the
 * time filter also bounds the bytes scanned.
 */
import type { BigQuery } from '@google-cloud/bigquery';
import type * as BigQuerySdk from '@google-cloud/bigquery';
import { BackendUnavailableError, ConfigError } from '../../errors';
import type { BilledService, BillingExport } from '../../ports/billing-export';

const VARIABLE = 'FG_BILLING_EXPORT_TABLE';
const TABLE_ID = /^([a-z][a-z0-9-]{4,28}[a-z0-9])\.([A-Za-z0-9_]{1,1024})\.([A-Za-z0-9_]{1,1024})$/;

/** The exact query; the local BigQuery server in the tests evaluates this shape. */
export function billingQuery(table: string): string {
  return (
    'SELECT service.description AS service, ' +
    'SUM(cost) + SUM(IFNULL((SELECT SUM(c.amount) FROM UNNEST(credits) c), 0)) AS cost, ' +
    'ANY_VALUE(currency) AS currency ' +
    `FROM \`${table}\` ` +
    'WHERE usage_start_time >= TIMESTAMP(@from) AND usage_start_time < TIMESTAMP(@to) AND project.id = @project ' +
    'GROUP BY service ORDER BY cost DESC'
  );
}

export interface BigQueryBillingExportOptions {
  bigquery: BigQuery;
  /** project.dataset.table of the export. */
  table: string;
  /** The project whose charges count (`project.id`). */
  project: string;
}

export class BigQueryBillingExport implements BillingExport {
  readonly table: string;

  constructor(private readonly options: BigQueryBillingExportOptions) {
    if (!TABLE_ID.test(options.table))
      throw new ConfigError(
        `${VARIABLE} must be project.dataset.table (got ${JSON.stringify(options.table)})`,
        VARIABLE,
      );
    this.table = options.table;
  }

  async costByService(from: Date, to: Date): Promise<BilledService[]> {
    let rows: Array<{ service: string | null; cost: unknown; currency: string | null }>;
    try {
      [rows] = await this.options.bigquery.query({
        query: billingQuery(this.table),
        params: { from: from.toISOString(), to: to.toISOString(), project: this.options.project },
      });
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code === 400 || code === 403 || code === 404)
        throw new ConfigError(
          `${VARIABLE} ${this.table}: BigQuery refused the billing query: ${(err as Error).message}`,
          VARIABLE,
        );
      throw new BackendUnavailableError(`cannot query ${this.table}: ${(err as Error).message}`, 'bigquery', {
        cause: err,
      });
    }
    return rows.map((r) => ({
      service: r.service ?? '(no service)',
      cost: Number(r.cost ?? 0),
      currency: r.currency ?? '',
    }));
  }
}

/** FG_BILLING_EXPORT_TABLE → the adapter, with a client on Application Default Credentials. */
export function openBillingExport(
  table: string,
  options: { project: string; apiEndpoint?: string },
): BigQueryBillingExport {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { BigQuery: Client } = require('@google-cloud/bigquery') as typeof BigQuerySdk;
  // The query job runs (and bills its bytes) in the watched project, whose credentials forecast-guard has.
  const bigquery = new Client({
    projectId: options.project,
    ...(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {}),
  });
  return new BigQueryBillingExport({ bigquery, table, project: options.project });
}
