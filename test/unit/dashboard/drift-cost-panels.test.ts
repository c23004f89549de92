/**
 * The drift and cost panels' routes over stub ports: the drift picture is
 * the one the health check judges (same PSI as assessDrift), the cost view
 * is the cost report with the costliest books first, and both sections and
 * their scripts are on the page.
 */
import { request } from 'node:http';
import type { SalesSeries, ServingState } from '../../../shared/contracts/model';
import { DASHBOARD_PAGE } from '../../../shared/dashboard/page';
import { startDashboard, type DashboardServer } from '../../../shared/dashboard/server';
import type { ViewPorts } from '../../../shared/dashboard/views';
import { parsePriceTable } from '../../../shared/domain/cost/price-table';
import { assessDrift } from '../../../shared/domain/health/drift';
import { trainingDataHash } from '../../../shared/domain/series/data-hash';
import { catalogue } from '../../../shared/fleet/catalogue';
import { generateSales } from '../../../shared/fleet/sales-generator';
import type { CostServiceSettings } from '../../../shared/services/cost';

const TRAINED = '2024-11-30';
const SERIES: SalesSeries[] = catalogue(12).map((book) =>
  generateSales(book, { seed: 3, from: '2018', to: '2024' }),
);
const SHIFTED = SERIES[0]!;
// The last 8 weeks of the first book sell twice as much: drift.
const shiftedPoints = SHIFTED.points.map((p, i, a) =>
  i >= a.length - 8 ? { ...p, volume: p.volume * 2 } : p,
);
const series = (isbn: string) =>
  isbn === SHIFTED.isbn ? { ...SHIFTED, points: shiftedPoints } : SERIES.find((s) => s.isbn === isbn);
const states: ServingState[] = SERIES.map((s, i) => ({
  isbn: s.isbn,
  deployments: [{ version: '2', trafficPercent: 100, ...(i === 0 ? { minReplicas: 3 } : {}) }],
  updatedAt: '2024-12-01T00:00:00.000Z',
}));

const SRC = 'https://cloud.google.com/vertex-ai/pricing';
const entry = (perNodeHour: number) => ({ perNodeHour, source: SRC, date: '2026-12-03' });
const SETTINGS: CostServiceSettings = {
  priceTable: parsePriceTable(
    {
      source: SRC,
      date: '2026-12-03',
      currency: 'USD',
      regions: {
        'europe-west2': {
          online: { 'n1-standard-2': entry(0.1), 'e2-standard-2': entry(0.08) },
          batch: { 'n1-standard-2': entry(0.1) },
        },
      },
    },
    'test',
  ),
  region: 'europe-west2',
  defaultMachineType: 'n1-standard-2',
  defaultMinReplicas: 1,
  idleAfterDays: 7,
  smallerMachineType: 'e2-standard-2',
  booksPerSharedReplica: 50,
  batchNodeHoursPerBookJob: 0.25,
  batchNodeHoursPerFleetJob: 1,
  usage: { windowDays: 7, assumedSecondsPerInvocation: 1, assumedReadsPerBookChecked: 1 },
};

function ports(withCost: boolean): ViewPorts {
  return {
    config: { environment: 'production', thresholds: {} },
    clock: { now: () => new Date('2024-12-28T00:00:00Z'), sleep: async () => {} },
    state: { get: async () => undefined, query: async () => [] },
    sales: { getSeries: async (isbn: string) => series(isbn) },
    serving: {
      getServing: async (isbn: string) => states.find((s) => s.isbn === isbn),
      listServing: async () => states,
    },
    registry: {
      getAlias: async () => undefined,
      getVersion: async (isbn: string, version: string) => ({
        isbn,
        version,
        trainedThrough: TRAINED,
        dataHash: trainingDataHash(isbn, SERIES.find((s) => s.isbn === isbn)!.points, TRAINED),
      }),
    },
    ...(withCost
      ? {
          costSettings: () => SETTINGS,
          costBilling: {
            table: 'acme-billing.billing.gcp_billing_export_v1_X',
            costByService: async () => [
              { service: 'Vertex AI', cost: 1000, currency: 'USD' },
              { service: 'Cloud Firestore', cost: 0.3, currency: 'USD' },
            ],
          },
        }
      : {}),
  } as unknown as ViewPorts;
}

function get(port: number, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(body) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('drift and cost panels', () => {
  let server: DashboardServer;
  let bare: DashboardServer;
  beforeAll(async () => {
    server = await startDashboard({ port: 0, source: { backend: ports(true) } });
    bare = await startDashboard({ port: 0, source: { backend: ports(false) } });
  });
  afterAll(async () => {
    await server.close();
    await bare.close();
  });

  it('draws the drift the health check judges: same PSI, bins adding up to it', async () => {
    const { status, body } = await get(server.port, `/api/books/${SHIFTED.isbn}/drift`);
    expect(status).toBe(200);
    const judged = assessDrift({
      isbn: SHIFTED.isbn,
      points: shiftedPoints,
      trainedThrough: TRAINED,
      dataHash: trainingDataHash(SHIFTED.isbn, SHIFTED.points, TRAINED),
    });
    expect(body).toMatchObject({
      isbn: SHIFTED.isbn,
      version: '2',
      drifted: judged.drifted,
      psi: judged.psi!.psi,
    });
    const bins = body.bins as Array<{ psi: number }>;
    expect(bins).toHaveLength(4);
    expect(bins.reduce((s, b) => s + b.psi, 0)).toBeCloseTo(judged.psi!.psi, 12);
    expect(body.shifted).toBe(true);
  });

  it('accepts a hyphenated ISBN and refuses an unknown one with 404', async () => {
    const isbn = SERIES[1]!.isbn;
    const hyphenated = `${isbn.slice(0, 3)}-${isbn.slice(3)}`;
    expect((await get(server.port, `/api/books/${hyphenated}/drift`)).body.isbn).toBe(isbn);
    const missing = await get(server.port, '/api/books/9780000000002/drift');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toContain('9780000000002');
    expect((await get(server.port, '/api/books/12345/drift')).status).toBe(400);
  });

  it('gives the fleet total, the costliest 10 of 12 books first, and the recommendations', async () => {
    const { status, body } = await get(server.port, '/api/cost');
    expect(status).toBe(200);
    // 11 books × 1 replica + 1 book × 3 replicas, 0.1 USD × 730 h each.
    expect(body.total).toBeCloseTo(14 * 0.1 * 730, 6);
    expect(body.bookCount).toBe(12);
    const books = body.books as Array<{ isbn: string; monthly: number }>;
    expect(books).toHaveLength(10);
    expect(books[0]).toMatchObject({ isbn: SHIFTED.isbn, monthly: 219 });
    const actions = (body.recommendations as Array<{ action: string }>).map((r) => r.action);
    expect(actions).toEqual(
      expect.arrayContaining(['reduce-min-replicas', 'batch-prediction-fleet', 'shared-endpoint']),
    );
    expect(String(body.dominant)).toMatch(/^always-on online replicas: 12 endpoint/);
    // The billing export's last 30 days beside the estimate.
    expect(body.actual).toMatchObject({ days: 30, byArea: { 'vertex-ai': 1000, firestore: 0.3 } });
  });

  it('says so when no price table is behind the dashboard, without failing the request', async () => {
    const { status, body } = await get(bare.port, '/api/cost');
    expect(status).toBe(200);
    expect(body).toEqual({ unavailable: 'no price table behind this dashboard: cost is not estimated' });
  });

  it('puts both sections on the page', () => {
    expect(DASHBOARD_PAGE).toContain('<section id="drift-section">');
    expect(DASHBOARD_PAGE).toContain('<section id="cost-section">');
    expect(DASHBOARD_PAGE).toContain("'/api/books/' + encodeURIComponent(isbn) + '/drift'");
  });
});
