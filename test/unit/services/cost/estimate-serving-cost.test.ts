/**
 * The cost use case over stub ports: it hands the model what the serving
 * target reports (machine type and replicas where known), the last-known-good
 * from the state store and the time it is given, and rounds money to cents.
 */
import type { ServingState } from '../../../../shared/contracts/model';
import { parsePriceTable } from '../../../../shared/domain/cost/price-table';
import type { ServingTarget } from '../../../../shared/ports/serving-target';
import type { StateStore } from '../../../../shared/ports/state-store';
import { estimateServingCost, type CostServiceSettings } from '../../../../shared/services/cost';

const SRC = 'https://cloud.google.com/vertex-ai/pricing';
const entry = (perNodeHour: number) => ({ perNodeHour, source: SRC, date: '2026-12-03' });
const SETTINGS: CostServiceSettings = {
  priceTable: parsePriceTable(
    {
      source: SRC,
      date: '2026-12-03',
      currency: 'USD',
      regions: {
        'us-central1': {
          online: {
            'n1-standard-2': entry(0.1095),
            'n1-standard-4': entry(0.219),
            'e2-standard-2': entry(0.0771),
          },
          batch: { 'n1-standard-2': entry(0.1095) },
        },
      },
    },
    'test',
  ),
  region: 'us-central1',
  defaultMachineType: 'n1-standard-2',
  defaultMinReplicas: 1,
  idleAfterDays: 7,
  smallerMachineType: 'e2-standard-2',
  booksPerSharedReplica: 50,
  batchNodeHoursPerBookJob: 0.25,
  batchNodeHoursPerFleetJob: 1,
  usage: { windowDays: 7, assumedSecondsPerInvocation: 1, assumedReadsPerBookChecked: 1 },
};

const A = '9780000000001';
const B = '9780000000002';
const states: ServingState[] = [
  {
    isbn: A,
    endpoint: 'projects/p/locations/us-central1/endpoints/1',
    deployments: [
      { version: '4', trafficPercent: 100, machineType: 'n1-standard-4', minReplicas: 2, maxReplicas: 3 },
    ],
    updatedAt: '2026-05-01T00:00:00.000Z',
  },
  {
    isbn: B,
    deployments: [
      { version: '1', trafficPercent: 0 },
      { version: '2', trafficPercent: 0 },
      { version: '3', trafficPercent: 100 },
    ],
    updatedAt: '2026-05-01T00:00:00.000Z',
  },
];
const ports = {
  serving: { listServing: async () => states } as unknown as ServingTarget,
  state: {
    get: async (_c: string, id: string) => (id === B ? { id, data: { isbn: B, version: '2' } } : undefined),
  } as unknown as StateStore,
  clock: { now: () => new Date('2026-05-20T00:00:00Z'), sleep: async () => {} },
};

describe('estimateServingCost', () => {
  it('prices what the serving target reports, defaults elsewhere, in cents', async () => {
    const r = await estimateServingCost({}, ports, SETTINGS);
    // A: 2 × 0.219 × 730 = 319.74; B: 3 × 0.1095 × 730 = 239.805 → 239.81 (cents)
    expect(r.books.map((b) => [b.isbn, b.monthly])).toEqual([
      [A, 319.74],
      [B, 239.81],
    ]);
    expect(r.total).toBe(559.55); // 319.74 + 239.805 = 559.545 → 559.55
    expect(r.priceTable).toEqual({ source: SRC, date: '2026-12-03' });
    expect(r.books[0]!.endpoint).toBe('projects/p/locations/us-central1/endpoints/1');
    // B: v3 serves; v2 is both previous and last-known-good; v1 has been at 0 % for 19 days: idle.
    expect(r.books[1]!.deployments.map((d) => d.idle)).toEqual([true, false, false]);
    expect(r.recommendations.find((x) => x.action === 'undeploy-idle-versions')?.monthlySaving).toBe(79.94); // 79.935
    expect(r.recommendations.find((x) => x.action === 'reduce-min-replicas')).toMatchObject({
      books: [A],
      monthlySaving: 159.87, // 1 × 0.219 × 730
    });
  });

  it("says forecast-guard's own cost is not priced when the table has no operations prices", async () => {
    const r = await estimateServingCost({}, ports, SETTINGS);
    expect(r.operations).toEqual({
      priced: false,
      note: expect.stringContaining('regions.us-central1.operations'),
    });
    expect(r.grandTotal).toBe(r.total);
  });

  it('counts idle days to the time it is asked about, not the clock', async () => {
    const r = await estimateServingCost({ at: new Date('2026-05-05T00:00:00Z') }, ports, SETTINGS);
    expect(r.books[1]!.deployments[0]).toMatchObject({ idle: false, idleDays: 4 });
    expect(r.idleTotal).toBe(0);
  });
});
