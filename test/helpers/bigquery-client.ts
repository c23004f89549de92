/**
 * @google-cloud/bigquery pointed at the local BigQuery server with its
 * apiEndpoint option. With a custom endpoint the client sends no
 * credentials, so none are needed (and no metadata server is asked).
 */
import { BigQuery } from '@google-cloud/bigquery';
import type { BigQueryServer } from './bigquery-server';

export function bigqueryFor(server: BigQueryServer, projectId = 'local-sales'): BigQuery {
  return new BigQuery({ projectId, apiEndpoint: server.apiEndpoint, autoRetry: false });
}
