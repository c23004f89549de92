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
