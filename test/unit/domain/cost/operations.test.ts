/**
 * Forecast-guard's own cost and the check-frequency advice, with unit prices
 * chosen so the products are easy to check by hand, and idle days counted
 * from the serving history.
 */
import { estimateCost, stoppedServing, type CostSettings } from '../../../../shared/domain/cost/model';
import {
  checkFrequencyCost,
  checkFrequencyRecommendation,
  defaultVcpu,
  operationsCost,
  type OperationsUsage,
} from '../../../../shared/domain/cost/operations';
import { parsePriceTable, type OperationsPrices } from '../../../../shared/domain/cost/price-table';

const F = 'https://cloud.google.com/functions/pricing';
const unit = (price: number, u: string, source = F) => ({ price, unit: u, source, date: '2026-12-03' });
const PRICES: OperationsPrices = {
  functions: {
    perMillionInvocations: unit(0.4, '1M invocations'),
    perGbSecond: unit(0.00001, 'GiB-second'),
    perVcpuSecond: unit(0.0001, 'vCPU-second'),
  },
  firestore: {
    per100kReads: unit(0.05, '100k reads', 'https://cloud.google.com/firestore/pricing'),
    per100kWrites: unit(0.1, '100k writes', 'https://cloud.google.com/firestore/pricing'),
  },
  pubsub: { perTiB: unit(40, 'TiB', 'https://cloud.google.com/pubsub/pricing'), minBytesPerRequest: 1000 },
};
const HOURS = 730; // a month is 730 / 24 = 30.4167 days

const USAGE: OperationsUsage = {
  from: '2026-06-23T00:00:00.000Z',
  to: '2026-06-30T00:00:00.000Z',
  windowDays: 7,
  functions: [
    {
      name: 'health-check',
      invocations: 168,
      seconds: 336,
      secondsMeasured: true,
      memoryMb: 1024,
      vcpu: 0.5,
    },
    {
      name: 'alert-dispatch',
      invocations: 10,
      seconds: 10,
      secondsMeasured: false,
      memoryMb: 512,
      vcpu: 0.25,
    },
  ],
  firestoreReads: 7000,
  firestoreWrites: 14000,
  pubsubRequests: 356,
  pubsubPayloadBytes: 0,
  how: [],
};

describe('operationsCost', () => {
  const factor = 730 / 24 / 7;
  const cost = operationsCost(USAGE, PRICES, HOURS);
  const line = (item: string) => cost.lines.find((l) => l.item === item)!;

  it('scales a week of counters to a month (730 h)', () => {
    expect(cost.monthFactor).toBeCloseTo(factor, 12);
    expect(line('invocations').perMonth).toBeCloseTo(178 * factor, 9);
  });

  it('prices each counter from the table', () => {
    expect(line('invocations').monthly).toBeCloseTo(((178 * factor) / 1e6) * 0.4, 12);
    // 336 s × 1 GiB + 10 s × 0.5 GiB = 341 GiB-s; 336 × 0.5 + 10 × 0.25 = 170.5 vCPU-s.
    expect(line('memory').monthly).toBeCloseTo(341 * factor * 0.00001, 12);
    expect(line('cpu').monthly).toBeCloseTo(170.5 * factor * 0.0001, 12);
    expect(line('firestore-reads').monthly).toBeCloseTo(((7000 * factor) / 1e5) * 0.05, 12);
    expect(line('firestore-writes').monthly).toBeCloseTo(((14000 * factor) / 1e5) * 0.1, 12);
    // Small messages bill the 1000-byte minimum per request.
    expect(line('pubsub-throughput').quantity).toBe(356_000);
    expect(line('pubsub-throughput').monthly).toBeCloseTo(((356_000 * factor) / 1024 ** 4) * 40, 15);
    expect(cost.monthly).toBeCloseTo(
      cost.lines.reduce((s, l) => s + l.monthly, 0),
      15,
    );
  });

  it('attributes a month to each function', () => {
    const hc = cost.functions.find((f) => f.name === 'health-check')!;
    expect(hc.monthly).toBeCloseTo(factor * ((168 / 1e6) * 0.4 + 336 * 0.00001 + 336 * 0.5 * 0.0001), 12);
  });

  it('is nothing for an empty window', () => {
    expect(operationsCost({ ...USAGE, windowDays: 0 }, PRICES, HOURS).monthly).toBe(0);
  });
});

describe('check frequency', () => {
  const run = {
    runs: 168,
    meanSeconds: 2,
    memoryMb: 1024,
    vcpu: 0.5,
    firestoreReadsPerRun: 11,
    firestoreWritesPerRun: 12,
    pubsubRequestsPerRun: 2,
  };
  const perRun =
    0.4 / 1e6 +
    2 * 1 * 0.00001 +
    2 * 0.5 * 0.0001 +
    (11 / 1e5) * 0.05 +
    (12 / 1e5) * 0.1 +
    (2000 / 1024 ** 4) * 40;
  const f = checkFrequencyCost(run, 7, PRICES, HOURS);

  it('prices one run and a month at each cadence', () => {
    expect(f.perRun).toBeCloseTo(perRun, 15);
    expect(f.runsPerMonth).toBeCloseTo(730, 9); // 168 runs a week = hourly
    expect(f.hourly).toBeCloseTo(perRun * 730, 12);
    expect(f.daily).toBeCloseTo((perRun * 730) / 24, 12);
    expect(f.weekly).toBeCloseTo((perRun * 730) / 168, 12);
    expect(f.current).toBeCloseTo(f.hourly, 12);
  });

  it('recommends the weekly cadence with its saving when checks run hourly', () => {
    const r = checkFrequencyRecommendation(f, 'USD')!;
    expect(r.action).toBe('check-frequency');
    expect(r.monthlySaving).toBeCloseTo(f.hourly - f.weekly, 12);
    expect(r.detail).toMatch(/hourly .* daily .* weekly/);
  });

  it('recommends nothing when checks already run weekly', () => {
    const weekly = checkFrequencyCost({ ...run, runs: 1 }, 7, PRICES, HOURS);
    expect(checkFrequencyRecommendation(weekly, 'USD')).toBeUndefined();
  });

  it('gives 2nd gen functions the vCPU their memory brings', () => {
    expect([256, 512, 1024, 2048, 4096].map(defaultVcpu)).toEqual([0.167, 0.333, 0.583, 1, 2]);
  });
});

describe('idle days from the serving history', () => {
  const SRC = 'https://cloud.google.com/vertex-ai/pricing';
  const entry = (perNodeHour: number) => ({ perNodeHour, source: SRC, date: '2026-12-03' });
  const table = parsePriceTable(
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
  );
  const settings: CostSettings = {
    region: 'europe-west2',
    defaultMachineType: 'n1-standard-2',
    defaultMinReplicas: 1,
    idleAfterDays: 7,
    smallerMachineType: 'e2-standard-2',
    booksPerSharedReplica: 50,
    batchNodeHoursPerBookJob: 0.25,
    batchNodeHoursPerFleetJob: 1,
  };
  const history = [
    { version: '1', at: '2026-01-01T00:00:00Z' },
    { version: '2', at: '2026-03-01T00:00:00Z' },
    { version: '3', at: '2026-06-20T00:00:00Z' },
    { version: '4', at: '2026-06-25T00:00:00Z' },
  ];

  it('takes when each version stopped serving from the next entry', () => {
    expect(stoppedServing(history)).toEqual({
      '1': '2026-03-01T00:00:00Z',
      '2': '2026-06-20T00:00:00Z',
      '3': '2026-06-25T00:00:00Z',
    });
    expect(stoppedServing([...history, { version: '1', at: '2026-06-28T00:00:00Z' }])['4']).toBe(
      '2026-06-28T00:00:00Z',
    );
  });

  it('counts idle days from the history, and from the endpoint change when the history does not name a version', () => {
    const e = estimateCost(
      [
        {
          isbn: '9780000000001',
          deployments: [
            { version: '1', trafficPercent: 0 },
            { version: '2', trafficPercent: 0 },
            { version: '3', trafficPercent: 0 },
            { version: '5', trafficPercent: 0 },
            { version: '4', trafficPercent: 100 },
          ],
          // The last traffic change: every 0 % version would look 5 days idle from this alone.
          updatedAt: '2026-06-25T00:00:00Z',
          stoppedServingAt: stoppedServing(history),
          lastKnownGood: '4',
        },
      ],
      table,
      settings,
      new Date('2026-06-30T00:00:00Z'),
    );
    const d = e.books[0]!.deployments;
    expect(d.map((x) => [x.version, x.idleDays, x.idleSinceFrom, x.idle])).toEqual([
      ['1', 121, 'serving-history', true],
      ['2', 10, 'serving-history', true],
      ['3', 5, 'serving-history', false], // the previous version, and only 5 days
      ['5', 5, 'endpoint-updated', false], // never served: deployed at 0 %, counted from the endpoint change
      ['4', undefined, undefined, false],
    ]);
  });
});
