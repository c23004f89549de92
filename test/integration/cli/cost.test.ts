/**
 * `forecast-guard cost --json` on a seeded embedded fleet: the total and each
 * book's figure are recomputed here from the price table file and the seeded
 * serving state (replicas × price × hours, with the publisher's defaults
 * the embedded backend cannot report), independently of the cost model.
 * The fleet clock is pinned through fleet.json, so no figure depends on today.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import { FLEET_MANIFEST_FILE } from '../../../shared/wiring/fleet-clock';
import { aNewModelVersion, nextIsbn } from '../../builders/model';
import { runCli } from '../../helpers/cli';
import { embeddedWorld, type EmbeddedWorld } from '../../helpers/embedded-world';

const PRICES = join(__dirname, '../../../config/prices.json');
const SEEDED_AT = new Date('2024-05-10T00:00:00.000Z');
const AS_OF = '2024-06-10T00:00:00.000Z';
// The publisher's deployment when the backend does not say: n1-standard-2, one replica, always on.
const MACHINE = 'n1-standard-2';
const REGION = 'europe-west2';

describe('forecast-guard cost --json', () => {
  let world: EmbeddedWorld;
  let env: Record<string, string>;
  const single = [nextIsbn(), nextIsbn(), nextIsbn()];
  const triple = nextIsbn();

  beforeAll(async () => {
    const clock = { now: () => SEEDED_AT, sleep: async () => {} };
    world = await embeddedWorld({ prefix: 'fg-cost-', clock });
    for (const isbn of single) {
      await world.registry.registerVersion(aNewModelVersion({ isbn }));
      await world.serving.setTraffic(isbn, { '1': 100 });
      await world.state.set(COLLECTIONS.lastKnownGood, isbn, {
        isbn,
        version: '1',
        validatedAt: SEEDED_AT.toISOString(),
        setBy: 'test',
      });
    }
    // v1 idle (0 % since the seed, a month before AS_OF), v2 the previous version, v3 serving and last-known-good.
    for (let v = 0; v < 3; v++) await world.registry.registerVersion(aNewModelVersion({ isbn: triple }));
    await world.serving.setTraffic(triple, { '1': 0, '2': 0, '3': 100 });
    await world.state.set(COLLECTIONS.lastKnownGood, triple, {
      isbn: triple,
      version: '3',
      validatedAt: SEEDED_AT.toISOString(),
      setBy: 'test',
    });
    // Pins the CLI's fleet clock at AS_OF (it runs from there in real time).
    writeFileSync(
      join(world.dir, FLEET_MANIFEST_FILE),
      JSON.stringify({
        asOf: AS_OF,
        books: 4,
        seed: 1,
        seededAt: new Date().toISOString(),
        fingerprint: 'test',
      }),
    );
    await seedCounters(world, single);
    env = { FG_STATE_DIR: world.dir, FG_LOG_LEVEL: 'error', FG_REGION: REGION };
  });
  afterAll(() => world.close());

  /** The expected figures, from the file and the serving state alone. */
  async function expected(pricesFile: string) {
    const table = JSON.parse(readFileSync(pricesFile, 'utf8'));
    const price: number = table.regions[REGION].online[MACHINE].perNodeHour;
    const perVersion = 1 * price * table.hoursPerMonth;
    const books: Record<string, number> = {};
    for (const s of await world.serving.listServing()) books[s.isbn] = s.deployments.length * perVersion;
    const total = Object.values(books).reduce((a, b) => a + b, 0);
    return { table, perVersion, books, total };
  }

  it('gives the fleet total and each book, reproducible from the shipped price table', async () => {
    const res = await runCli(env, 'cost', '--json');
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const doc = res.json();
    const want = await expected(PRICES);
    expect(doc.currency).toBe(want.table.currency);
    expect(doc.priceTable).toEqual({
      source: 'https://cloud.google.com/vertex-ai/pricing',
      date: want.table.date,
    });
    expect(doc.total).toBeCloseTo(want.total, 2);
    expect(doc.books).toHaveLength(4);
    for (const b of doc.books) expect(b.monthly).toBeCloseTo(want.books[b.isbn]!, 2);
    // Only v1 of the three-version book is idle: v2 is the previous version, v3 serves.
    const t = doc.books.find((b: { isbn: string }) => b.isbn === triple);
    expect(t.deployments.map((d: { idle: boolean }) => d.idle)).toEqual([true, false, false]);
    expect(t.deployments[0].idleDays).toBe(31);
    const undeploy = doc.recommendations.find(
      (r: { action: string }) => r.action === 'undeploy-idle-versions',
    );
    expect(undeploy).toMatchObject({ books: [triple] });
    expect(undeploy.monthlySaving).toBeCloseTo(want.perVersion, 2);
    for (const action of [
      'shared-endpoint',
      'batch-prediction-fleet',
      'batch-prediction-per-book',
      'smaller-machine-type',
    ]) {
      const r = doc.recommendations.find((x: { action: string }) => x.action === action);
      expect(r).toBeDefined();
      expect(r.monthlySaving).toBeGreaterThan(0);
      expect(r.monthlySaving).toBeLessThanOrEqual(doc.total);
    }
  });

  it("prices forecast-guard's own counters from the table: invocations, GB-seconds, Firestore, Pub/Sub", async () => {
    const res = await runCli(env, 'cost', '--json');
    expect(res.code).toBe(0);
    const doc = res.json();
    const ops = JSON.parse(readFileSync(PRICES, 'utf8')).regions[REGION].operations;
    const month = 730 / 24 / 7; // a week of counters scaled to 730 hours
    // Seeded: 24 hourly runs of 2 s over 4 books (24 processed messages), 3 alerts handled (assumed 1 s each).
    const gbSeconds = 24 * 2 * (1024 / 1024) + 3 * 1 * (512 / 1024);
    const vcpuSeconds = 24 * 2 * 0.583 + 3 * 1 * 0.333;
    const reads = 27 + 24 * 4; // an idempotency read per message, one per book checked
    const writes = 27 + 24; // an idempotency record per message, one report per run
    const pubsubBytes = 27 * 2 * ops.pubsub.minBytesPerRequest;
    const want = {
      invocations: ((27 * month) / 1e6) * ops.functions.perMillionInvocations.price,
      memory: gbSeconds * month * ops.functions.perGbSecond.price,
      cpu: vcpuSeconds * month * ops.functions.perVcpuSecond.price,
      'firestore-reads': ((reads * month) / 1e5) * ops.firestore.per100kReads.price,
      'firestore-writes': ((writes * month) / 1e5) * ops.firestore.per100kWrites.price,
      'pubsub-throughput': ((pubsubBytes * month) / 1024 ** 4) * ops.pubsub.perTiB.price,
    };
    expect(doc.operations.priced).toBe(true);
    for (const [item, monthly] of Object.entries(want)) {
      const line = doc.operations.lines.find((l: { item: string }) => l.item === item);
      expect([item, line.monthly]).toEqual([item, Math.round(monthly * 10_000) / 10_000]);
    }
    expect(doc.grandTotal).toBeCloseTo(doc.total + doc.operations.monthly, 2);
    // Hourly checks against weekly data: the health check's cost at each cadence and the saving.
    const perRun =
      ops.functions.perMillionInvocations.price / 1e6 +
      2 * 1 * ops.functions.perGbSecond.price +
      2 * 0.583 * ops.functions.perVcpuSecond.price +
      (5 / 1e5) * ops.firestore.per100kReads.price + // 1 + 4 books
      (6 / 1e5) * ops.firestore.per100kWrites.price + // report, idempotency record, 4 points
      ((2 * ops.pubsub.minBytesPerRequest) / 1024 ** 4) * ops.pubsub.perTiB.price;
    expect(doc.checkFrequency.perRun).toBeCloseTo(perRun, 12);
    expect(doc.checkFrequency.weekly).toBeCloseTo((perRun * 730) / 168, 4);
    const freq = doc.recommendations.find((r: { action: string }) => r.action === 'check-frequency');
    // Both sides rounded to 4 places apart: within a unit of the last.
    expect(freq.monthlySaving).toBeCloseTo(doc.checkFrequency.current - doc.checkFrequency.weekly, 3);
  });

  it('reads an edited table from FG_PRICE_TABLE', async () => {
    const edited = JSON.parse(readFileSync(PRICES, 'utf8'));
    edited.regions[REGION].online[MACHINE].perNodeHour = 1;
    edited.date = '2030-01-01';
    const file = join(world.dir, 'my-prices.json');
    writeFileSync(file, JSON.stringify(edited));
    const res = await runCli({ ...env, FG_PRICE_TABLE: file }, 'cost', '--json');
    expect(res.code).toBe(0);
    const doc = res.json();
    expect(doc.total).toBeCloseTo(6 * 1 * 730, 6); // 6 deployed versions × 1 replica × 1 USD × 730 h
    expect(doc.priceTable.date).toBe('2030-01-01');
  });

  it('refuses a bad table, naming the entry', async () => {
    const bad = JSON.parse(readFileSync(PRICES, 'utf8'));
    bad.regions[REGION].online[MACHINE].perNodeHour = 'cheap';
    const file = join(world.dir, 'bad-prices.json');
    writeFileSync(file, JSON.stringify(bad));
    const res = await runCli({ ...env, FG_PRICE_TABLE: file }, 'cost', '--json');
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(`regions.${REGION}.online.${MACHINE}.perNodeHour: must be a number`);
  });

  it('prints a table, the total and the recommendations for people', async () => {
    const res = await runCli(env, 'cost');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/fleet total: \d+\.\d\d USD a month \(730 h, europe-west2\)/);
    expect(res.stdout).toMatch(/dominant cost: always-on online replicas: 4 endpoint\(s\)/);
    expect(res.stdout).toContain('batch-prediction-fleet');
    expect(res.stdout).toContain('https://cloud.google.com/vertex-ai/pricing as of');
  });
});

/** A day of hourly health checks over `books` and three alerts handled, the day before AS_OF. */
async function seedCounters(world: EmbeddedWorld, books: string[]): Promise<void> {
  const expireAt = new Date(Date.parse(AS_OF) + 8 * 86_400_000).toISOString();
  for (let h = 0; h < 24; h++) {
    const at = new Date(Date.parse(AS_OF) - (24 - h) * 3_600_000).toISOString();
    const runId = `run-${h}`;
    await world.state.set(COLLECTIONS.healthReports, runId, {
      runId,
      trigger: 'scheduled',
      startedAt: at,
      finishedAt: at,
      durationMs: 2000,
      status: 'healthy',
      registry: { ok: true, latencyMs: 1 },
      models: [...books, '9780000000000'].map((isbn) => ({ isbn, version: '1' })),
      alerts: [],
      correlationId: runId,
      expireAt,
    });
    await processed(world, 'health-check', 'health-check-requests', `hc-${h}`, at, expireAt);
  }
  for (let i = 0; i < 3; i++)
    await processed(
      world,
      'alert-dispatch',
      'alerts',
      `al-${i}`,
      new Date(Date.parse(AS_OF) - 3_600_000).toISOString(),
      expireAt,
    );
}

async function processed(
  world: EmbeddedWorld,
  consumer: string,
  topic: string,
  id: string,
  at: string,
  expireAt: string,
) {
  await world.state.set(COLLECTIONS.processedMessages, `${consumer}:${id}`, {
    id,
    topic,
    consumer,
    processedAt: at,
    expireAt,
  });
}
