/**
 * The Cloud Billing export adapter through @google-cloud/bigquery against
 * the local BigQuery REST server: charges per service for the watched
 * project over the window, credits included, and the cost report's actual
 * figures beside the estimate. The table's rows follow the standard usage
 * export (https://cloud.google.com/billing/docs/how-to/export-data-bigquery-tables/standard-usage).
 */
import { BigQueryBillingExport, billingQuery } from '../../../shared/adapters/gcp/bigquery-billing-export';
import { parsePriceTable } from '../../../shared/domain/cost/price-table';
import { ConfigError } from '../../../shared/errors';
import type { ServingTarget } from '../../../shared/ports/serving-target';
import type { StateStore } from '../../../shared/ports/state-store';
import { estimateServingCost, type CostServiceSettings } from '../../../shared/services/cost';
import { bigqueryFor } from '../../helpers/bigquery-client';
import { startBigQueryServer, type BigQueryServer } from '../../helpers/bigquery-server';

const TABLE = 'acme-billing.billing_export.gcp_billing_export_v1_0123AB_4567CD_89EF01';
const PROJECT = 'acme-forecasts';
const NOW = new Date('2026-06-30T00:00:00.000Z');
const FROM = new Date('2026-05-31T00:00:00.000Z'); // 30 days before

const COLUMNS = [
  'service.description',
  'cost',
  'credits.amount',
  'currency',
  'usage_start_time',
  'project.id',
];
const row = (service: string, cost: number, credits: number, at: string, project = PROJECT) => [
  service,
  cost,
  credits,
  'USD',
  at,
  project,
];

describe('Cloud Billing export over BigQuery', () => {
  let server: BigQueryServer;
  let billing: BigQueryBillingExport;

  beforeAll(async () => {
    server = await startBigQueryServer();
    server.setTable(TABLE, {
      schema: COLUMNS.map((name, i) => ({
        name,
        type: (['STRING', 'FLOAT', 'FLOAT', 'STRING', 'TIMESTAMP', 'STRING'] as const)[i]!,
      })),
      rows: [
        row('Vertex AI', 2000, 0, '2026-06-01T10:00:00Z'),
        row('Vertex AI', 573.25, 0, '2026-06-29T23:00:00Z'),
        row('Vertex AI', 999, 0, '2026-05-30T23:59:59Z'), // before the window
        row('Vertex AI', 5000, 0, '2026-06-10T00:00:00Z', 'someone-else'), // another project the account pays for
        row('Cloud Run Functions', 0.42, -0.1, '2026-06-05T00:00:00Z'), // a free-tier credit
        row('Cloud Firestore', 0.2, 0, '2026-06-05T00:00:00Z'),
        row('Cloud Pub/Sub', 0.01, 0, '2026-06-05T00:00:00Z'),
        row('BigQuery', 0.05, 0, '2026-06-05T00:00:00Z'),
      ],
    });
    billing = new BigQueryBillingExport({
      bigquery: bigqueryFor(server, PROJECT),
      table: TABLE,
      project: PROJECT,
    });
  });
  afterAll(() => server.stop());

  it('sums each service for the watched project over the window, credits included, costliest first', async () => {
    const rows = await billing.costByService(FROM, NOW);
    expect(rows.map((r) => [r.service, Math.round(r.cost * 100) / 100, r.currency])).toEqual([
      ['Vertex AI', 2573.25, 'USD'],
      ['Cloud Run Functions', 0.32, 'USD'],
      ['Cloud Firestore', 0.2, 'USD'],
      ['BigQuery', 0.05, 'USD'],
      ['Cloud Pub/Sub', 0.01, 'USD'],
    ]);
    // The bounds and the project travel as named parameters, never in the SQL text.
    const sent = server.requests.at(-1)!.body!;
    expect(sent.query).toBe(billingQuery(TABLE));
    expect(sent.parameterMode).toMatch(/named/i);
    expect(sent.queryParameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'project', parameterValue: { value: PROJECT } }),
        expect.objectContaining({ name: 'from', parameterValue: { value: FROM.toISOString() } }),
      ]),
    );
  });

  it('puts the actual cost beside the estimate in the cost report', async () => {
    const settings: CostServiceSettings = {
      priceTable: parsePriceTable(
        {
          source: 'https://cloud.google.com/vertex-ai/pricing',
          date: '2026-12-03',
          currency: 'USD',
          regions: {
            'europe-west2': {
              online: {
                'n1-standard-2': {
                  perNodeHour: 0.141,
                  source: 'https://cloud.google.com/vertex-ai/pricing',
                  date: '2026-12-03',
                },
              },
              batch: {},
            },
          },
        },
        'test',
      ),
      region: 'europe-west2',
      defaultMachineType: 'n1-standard-2',
      defaultMinReplicas: 1,
      idleAfterDays: 7,
      smallerMachineType: 'n1-standard-2',
      booksPerSharedReplica: 50,
      batchNodeHoursPerBookJob: 0.25,
      batchNodeHoursPerFleetJob: 1,
      usage: { windowDays: 7, assumedSecondsPerInvocation: 1, assumedReadsPerBookChecked: 1 },
    };
    const ports = {
      serving: { listServing: async () => [] } as unknown as ServingTarget,
      state: { get: async () => undefined, query: async () => [] } as unknown as StateStore,
      clock: { now: () => NOW, sleep: async () => {} },
      billing,
    };
    const report = await estimateServingCost({}, ports, settings);
    const actual = report.actual!;
    if ('error' in actual) throw new Error(actual.error);
    expect(actual).toMatchObject({ table: TABLE, days: 30, currency: 'USD', from: FROM.toISOString() });
    expect(actual.byArea).toEqual({
      'vertex-ai': 2573.25,
      functions: 0.32,
      firestore: 0.2,
      pubsub: 0.01,
      other: 0.05,
    });
    // 30 days scaled to the table's 730-hour month.
    expect(actual.monthly.vertexAi).toBeCloseTo(Math.round(2573.25 * (730 / 24 / 30) * 100) / 100, 2);
    expect(actual.monthly.operations).toBeCloseTo(Math.round(0.53 * (730 / 24 / 30) * 100) / 100, 2);
  });

  it('reports a table BigQuery does not have beside the estimate, naming the variable', async () => {
    const missing = new BigQueryBillingExport({
      bigquery: bigqueryFor(server, PROJECT),
      table: 'acme-billing.billing_export.gcp_billing_export_v1_NOPE',
      project: PROJECT,
    });
    await expect(missing.costByService(FROM, NOW)).rejects.toThrow(
      /FG_BILLING_EXPORT_TABLE acme-billing\.billing_export\.gcp_billing_export_v1_NOPE: BigQuery refused the billing query: Not found: Table/,
    );
  });

  it('refuses a table id that is not project.dataset.table', () => {
    expect(
      () =>
        new BigQueryBillingExport({
          bigquery: bigqueryFor(server),
          table: 'billing.export',
          project: PROJECT,
        }),
    ).toThrow(ConfigError);
    expect(
      () =>
        new BigQueryBillingExport({ bigquery: bigqueryFor(server), table: 'a.b.c`; DROP', project: PROJECT }),
    ).toThrow(/FG_BILLING_EXPORT_TABLE must be project\.dataset\.table \(got "a\.b\.c`; DROP"\)/);
  });
});
