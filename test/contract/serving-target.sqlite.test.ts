import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fleetDbPath, openFleetDb } from '../../shared/adapters/local/fleet-db';
import type { SqliteDatabase } from '../../shared/adapters/local/sqlite';
import { SqliteModelRegistry } from '../../shared/adapters/local/sqlite-model-registry';
import { SqliteServingTarget } from '../../shared/adapters/local/sqlite-serving-target';
import type { StoredForecast } from '../../shared/contracts/model';
import { ValidationError } from '../../shared/errors';
import type { Clock } from '../../shared/ports/clock';
import { aForecast, aNewModelVersion } from '../builders/model';
import { describeServingTargetContract } from './serving-target.contract';

const fixedClock: Clock = {
  now: () => new Date('2024-05-02T08:00:00.000Z'),
  sleep: async () => undefined,
};

function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'fg-serving-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

describeServingTargetContract('SqliteServingTarget (file)', async ({ random }) => {
  const { dir, remove } = tempDir();
  const db = openFleetDb(fleetDbPath(dir));
  return {
    registry: new SqliteModelRegistry(db, { clock: fixedClock }),
    serving: new SqliteServingTarget(db, { clock: fixedClock, random }),
    close: async () => {
      db.close();
      remove();
    },
  };
});

describe('SqliteServingTarget, embedded only', () => {
  let dir: { dir: string; remove: () => void };
  let db: SqliteDatabase;
  let registry: SqliteModelRegistry;
  let serving: SqliteServingTarget;

  beforeEach(() => {
    dir = tempDir();
    db = openFleetDb(fleetDbPath(dir.dir));
    registry = new SqliteModelRegistry(db, { clock: fixedClock });
    serving = new SqliteServingTarget(db, { clock: fixedClock });
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  it('keeps only the most recently used parsed forecasts, reading an evicted one again', async () => {
    const small = new SqliteServingTarget(db, { clock: fixedClock, forecastCacheSize: 2 });
    const isbns: string[] = [];
    for (let n = 0; n < 3; n++) {
      const { isbn } = await registry.registerVersion(aNewModelVersion());
      await small.setTraffic(isbn, { '1': 100 });
      isbns.push(isbn);
    }
    const [a = '', b = '', c = ''] = isbns;
    const prepare = jest.spyOn(db, 'prepare');
    const forecastReads = async (isbn: string) => {
      const before = prepare.mock.calls.filter(([sql]) => String(sql).includes('SELECT f.forecast')).length;
      const answer = await small.predict(isbn, [{ steps: 4 }]);
      expect(answer.predictions[0]?.forecast).toHaveLength(4);
      return prepare.mock.calls.filter(([sql]) => String(sql).includes('SELECT f.forecast')).length - before;
    };
    expect(await forecastReads(a)).toBe(1);
    expect(await forecastReads(b)).toBe(1);
    expect(await forecastReads(a)).toBe(0); // cached, and now the most recent
    expect(await forecastReads(c)).toBe(1); // evicts b, the least recently used
    expect(await forecastReads(a)).toBe(0);
    expect(await forecastReads(b)).toBe(1);
    prepare.mockRestore();
  });

  it('limits steps to a stored forecast shorter than 104 weeks', async () => {
    const { isbn } = await registry.registerVersion(aNewModelVersion({ forecast: aForecast({ weeks: 52 }) }));
    await serving.setTraffic(isbn, { '1': 100 });
    expect((await serving.predict(isbn, [{ steps: 52 }])).predictions[0]?.forecast).toHaveLength(52);

    const err = await serving.predict(isbn, [{ steps: 4 }, { steps: 53 }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fields).toEqual(['instances[1].steps']);
    expect((err as Error).message).toContain('must be at most 52');
  });

  it('names the deployed model as <isbn>-v<version>, in the state and the response', async () => {
    const { isbn } = await registry.registerVersion(aNewModelVersion());
    const state = await serving.setTraffic(isbn, { '1': 100 });
    expect(state.deployments[0]?.deployedModelId).toBe(`${isbn}-v1`);
    expect((await serving.predict(isbn, [{ steps: 1 }])).deployedModelId).toBe(`${isbn}-v1`);
    expect(state.updatedAt).toBe('2024-05-02T08:00:00.000Z');
  });

  it('serves a rewritten artifact at once, from this and from another connection', async () => {
    const forecast = aForecast({ weeks: 20 });
    const { isbn } = await registry.registerVersion(aNewModelVersion({ forecast }));
    await serving.setTraffic(isbn, { '1': 100 });
    expect((await serving.predict(isbn, [{ steps: 3 }])).predictions[0]?.forecast).toEqual(
      forecast.mean.slice(0, 3),
    );

    const times3 = (v: number | null) => (v === null ? v : v * 3);
    const triple = (f: StoredForecast) => ({
      mean: f.mean.map(times3),
      lower: f.lower.map(times3),
      upper: f.upper.map(times3),
    });
    await registry.corruptForecast(isbn, '1', triple);
    expect((await serving.predict(isbn, [{ steps: 3 }])).predictions[0]?.forecast).toEqual(
      triple(forecast).mean.slice(0, 3),
    );

    // A `demo degrade` runs in another process: the running endpoint must notice without a restart.
    const otherDb = openFleetDb(fleetDbPath(dir.dir));
    try {
      await new SqliteModelRegistry(otherDb, { clock: fixedClock }).corruptForecast(
        isbn,
        '1',
        () => forecast,
      );
    } finally {
      otherDb.close();
    }
    expect((await serving.predict(isbn, [{ steps: 3 }])).predictions[0]?.forecast).toEqual(
      forecast.mean.slice(0, 3),
    );
  });

  it('routes the same way on every run with the default seeded generator', async () => {
    const isbn = (await registry.registerVersion(aNewModelVersion())).isbn;
    await registry.registerVersion(aNewModelVersion({ isbn }));
    await serving.setTraffic(isbn, { '1': 50, '2': 50 });
    const route = async (target: SqliteServingTarget) => {
      const picks: string[] = [];
      for (let i = 0; i < 40; i++) picks.push((await target.predict(isbn, [{ steps: 1 }])).modelVersionId);
      return picks.join('');
    };
    const first = await route(serving);
    expect(await route(new SqliteServingTarget(db, { clock: fixedClock }))).toBe(first);
    expect(first).toMatch(/1/);
    expect(first).toMatch(/2/);
  });

  it('lists every endpoint in ISBN order', async () => {
    const a = await registry.registerVersion(aNewModelVersion());
    const b = await registry.registerVersion(aNewModelVersion());
    await registry.registerVersion(aNewModelVersion());
    await serving.setTraffic(b.isbn, { '1': 100 });
    await serving.setTraffic(a.isbn, { '1': 100 });
    expect((await serving.listServing()).map((s) => s.isbn)).toEqual([a.isbn, b.isbn].sort());
  });
});
