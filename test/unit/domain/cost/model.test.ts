/**
 * The serving cost model, by table, with figures computed by hand from a
 * small price table (prices chosen so the products are easy to check).
 */
import { estimateCost, type CostBook, type CostSettings } from '../../../../shared/domain/cost/model';
import { parsePriceTable, type PriceTable } from '../../../../shared/domain/cost/price-table';
import { ConfigError } from '../../../../shared/errors';

const SRC = 'https://cloud.google.com/vertex-ai/pricing';
const entry = (perNodeHour: number) => ({ perNodeHour, source: SRC, date: '2026-12-03' });
const TABLE: PriceTable = parsePriceTable(
  {
    source: SRC,
    date: '2026-12-03',
    currency: 'USD',
    hoursPerMonth: 730,
    regions: {
      'europe-west2': {
        online: { 'n1-standard-2': entry(0.1), 'n1-standard-4': entry(0.2), 'e2-standard-2': entry(0.08) },
        batch: { 'n1-standard-2': entry(0.1) },
      },
    },
  },
  'test table',
);

const SETTINGS: CostSettings = {
  region: 'europe-west2',
  defaultMachineType: 'n1-standard-2',
  defaultMinReplicas: 1,
  idleAfterDays: 7,
  smallerMachineType: 'e2-standard-2',
  booksPerSharedReplica: 50,
  batchNodeHoursPerBookJob: 0.25,
  batchNodeHoursPerFleetJob: 1,
};
const NOW = new Date('2026-06-30T00:00:00Z');
const WEEKS = 730 / 168;

/** The publisher's layout: one version at 100 %, machine and replicas unknown (defaults apply). */
const plain = (isbn: string): CostBook => ({
  isbn,
  deployments: [{ version: '3', trafficPercent: 100 }],
  updatedAt: '2026-06-01T00:00:00Z',
  lastKnownGood: '3',
});

describe('estimateCost', () => {
  it('prices each deployed version as replicas × price × 730 h, defaults where the backend does not say', () => {
    const e = estimateCost(
      [
        plain('9780000000002'),
        {
          isbn: '9780000000001',
          deployments: [{ version: '1', trafficPercent: 100, machineType: 'n1-standard-4', minReplicas: 2 }],
          updatedAt: '2026-06-01T00:00:00Z',
          lastKnownGood: null,
        },
      ],
      TABLE,
      SETTINGS,
      NOW,
    );
    // 1 × 0.1 × 730 = 73; 2 × 0.2 × 730 = 292
    expect(e.books.map((b) => [b.isbn, b.monthly])).toEqual([
      ['9780000000001', expect.closeTo(292, 9)],
      ['9780000000002', expect.closeTo(73, 9)],
    ]);
    expect(e.total).toBeCloseTo(365, 9);
    expect(e.books[1]!.deployments[0]).toMatchObject({ machineType: 'n1-standard-2', replicas: 1 });
  });

  it.each([
    // version 1 at 0 % for 29 days, not protected: idle; 2 is previous; 3 serves and is lkg
    ['old, unprotected', { lkg: '3', updatedAt: '2026-06-01T00:00:00Z' }, ['1'], 73],
    // the same version, but it is the last-known-good: never idle
    ['last-known-good', { lkg: '1', updatedAt: '2026-06-01T00:00:00Z' }, [], 0],
    // traffic changed 7 days ago: not more than 7 days at 0 %
    ['at 0 % for exactly 7 days', { lkg: '3', updatedAt: '2026-06-23T00:00:00Z' }, [], 0],
    ['at 0 % for 8 days', { lkg: '3', updatedAt: '2026-06-22T00:00:00Z' }, ['1'], 73],
  ])('idle versions: %s', (_name, { lkg, updatedAt }, idle, idleMonthly) => {
    const book: CostBook = {
      isbn: '9780000000001',
      deployments: [
        { version: '1', trafficPercent: 0 },
        { version: '2', trafficPercent: 0 },
        { version: '3', trafficPercent: 100 },
      ],
      updatedAt,
      lastKnownGood: lkg,
    };
    const e = estimateCost([book], TABLE, SETTINGS, NOW);
    expect(e.books[0]!.deployments.filter((d) => d.idle).map((d) => d.version)).toEqual(idle);
    expect(e.idleTotal).toBeCloseTo(idleMonthly, 9);
    expect(e.total).toBeCloseTo(219, 9); // 3 versions × 73: idle versions still bill
    const undeploy = e.recommendations.find((r) => r.action === 'undeploy-idle-versions');
    if (idle.length === 0) expect(undeploy).toBeUndefined();
    else expect(undeploy).toMatchObject({ books: ['9780000000001'], monthlySaving: expect.closeTo(73, 9) });
  });

  it('for the publisher layout (100 books, one n1-standard-2 each) gives every alternative with its saving', () => {
    const books = Array.from({ length: 100 }, (_, i) => plain(`978000000${String(i).padStart(4, '0')}`));
    const e = estimateCost(books, TABLE, SETTINGS, NOW);
    expect(e.total).toBeCloseTo(7300, 6); // 100 × 73
    const by = Object.fromEntries(e.recommendations.map((r) => [r.action, r]));
    // batch per book: 100 × 0.25 h × 0.1 × 730/168 = 10.863…
    expect(by['batch-prediction-per-book']!.monthlyAfter).toBeCloseTo(100 * 0.25 * 0.1 * WEEKS, 9);
    expect(by['batch-prediction-per-book']!.monthlySaving).toBeCloseTo(7300 - 2.5 * WEEKS, 9);
    // one fleet job: 1 h × 0.1 × 730/168
    expect(by['batch-prediction-fleet']!.monthlySaving).toBeCloseTo(7300 - 0.1 * WEEKS, 9);
    // shared pool: ceil(100/50) = 2 replicas × 73 = 146
    expect(by['shared-endpoint']).toMatchObject({
      monthlyAfter: expect.closeTo(146, 9),
      monthlySaving: expect.closeTo(7154, 9),
    });
    expect(by['shared-endpoint']!.books).toHaveLength(100);
    // e2-standard-2: 100 × 0.08 × 730 = 5840, saving 1460
    expect(by['smaller-machine-type']!.monthlySaving).toBeCloseTo(1460, 6);
    // one replica each already: nothing to lower
    expect(by['reduce-min-replicas']).toBeUndefined();
    expect(e.recommendations[0]!.action).toBe('batch-prediction-fleet');
    expect(e.dominant).toMatch(/always-on online replicas: 100 endpoint\(s\) bill 7300 USD a month/);
    // The floor and the way out, in the same sentence.
    expect(e.dominant).toContain('min replicas are already 1, the floor');
    expect(e.dominant).toContain(
      `cheapest alternative: batch-prediction-fleet, ${Math.round(0.1 * WEEKS * 100) / 100} USD a month`,
    );
  });

  it('min replicas: saves all but one replica per deployment, never going to zero', () => {
    const e = estimateCost(
      [
        {
          isbn: '9780000000001',
          deployments: [{ version: '1', trafficPercent: 100, minReplicas: 3 }],
          updatedAt: '2026-06-01T00:00:00Z',
          lastKnownGood: '1',
        },
      ],
      TABLE,
      SETTINGS,
      NOW,
    );
    expect(e.total).toBeCloseTo(219, 9);
    const r = e.recommendations.find((x) => x.action === 'reduce-min-replicas');
    expect(r).toMatchObject({ monthlySaving: expect.closeTo(146, 9), monthlyAfter: expect.closeTo(73, 9) });
    expect(r!.detail).toMatch(/no scale-to-zero/);
  });

  it('a machine type the table does not price is a ConfigError naming it and the region', () => {
    const book: CostBook = {
      ...plain('9780000000001'),
      deployments: [{ version: '1', trafficPercent: 100, machineType: 'a2-highgpu-1g' }],
    };
    expect(() => estimateCost([book], TABLE, SETTINGS, NOW)).toThrow(ConfigError);
    expect(() => estimateCost([book], TABLE, SETTINGS, NOW)).toThrow(
      /no online price for a2-highgpu-1g in europe-west2 \(regions\.europe-west2\.online\.a2-highgpu-1g\)/,
    );
  });

  it('nothing deployed: zero, and no recommendation', () => {
    const e = estimateCost([{ ...plain('9780000000001'), deployments: [] }], TABLE, SETTINGS, NOW);
    expect(e.total).toBe(0);
    expect(e.recommendations).toEqual([]);
    expect(e.dominant).toBe('nothing is deployed');
  });
});
