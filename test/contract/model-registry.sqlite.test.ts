import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLEET_SCHEMA_VERSION, fleetDbPath, openFleetDb } from '../../shared/adapters/local/fleet-db';
import type { SqliteDatabase } from '../../shared/adapters/local/sqlite';
import { SqliteModelRegistry } from '../../shared/adapters/local/sqlite-model-registry';
import { BackendUnavailableError, ConflictError, NotFoundError, ValidationError } from '../../shared/errors';
import type { Clock } from '../../shared/ports/clock';
import { aForecast, aNewModelVersion, aQuarantine, nextIsbn } from '../builders/model';
import { describeModelRegistryContract } from './model-registry.contract';

const fixedClock: Clock = {
  now: () => new Date('2024-05-02T08:00:00.000Z'),
  sleep: async () => undefined,
};

function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'fg-registry-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

describeModelRegistryContract('SqliteModelRegistry (file)', async () => {
  const { dir, remove } = tempDir();
  const db = openFleetDb(fleetDbPath(dir));
  return {
    registry: new SqliteModelRegistry(db, { clock: fixedClock }),
    close: async () => {
      db.close();
      remove();
    },
  };
});

describe('SqliteModelRegistry, embedded only', () => {
  let dir: { dir: string; remove: () => void };
  let db: SqliteDatabase;
  let registry: SqliteModelRegistry;

  beforeEach(() => {
    dir = tempDir();
    db = openFleetDb(fleetDbPath(dir.dir));
    registry = new SqliteModelRegistry(db, { clock: fixedClock });
  });
  afterEach(() => {
    if (db.open) db.close();
    dir.remove();
  });

  it('stamps createdAt from the injected clock', async () => {
    const { createdAt: _omitted, ...input } = aNewModelVersion();
    expect((await registry.registerVersion(input)).createdAt).toBe('2024-05-02T08:00:00.000Z');
  });

  it('keeps the stored forecast as the artifact and rewrites it for demos', async () => {
    const forecast = aForecast({ weeks: 12 });
    const { isbn } = await registry.registerVersion(aNewModelVersion({ forecast }));
    expect(await registry.getForecast(isbn, '1')).toEqual(forecast);

    const scaled = await registry.corruptForecast(isbn, '1', (f) => ({
      mean: f.mean.map((v) => (v === null ? v : v * 3)),
      lower: f.lower.map((v) => (v === null ? v : v * 3)),
      upper: f.upper.map((v) => (v === null ? v : v * 3)),
    }));
    expect(scaled.mean[0]).toBeCloseTo(forecast.mean[0]! * 3);
    expect(await registry.getForecast(isbn, '1')).toEqual(scaled);
    await expect(registry.getForecast(isbn, '2')).rejects.toThrow(NotFoundError);
  });

  it('refuses a rewrite that breaks the forecast shape, keeping the old one', async () => {
    const forecast = aForecast({ weeks: 6 });
    const { isbn } = await registry.registerVersion(aNewModelVersion({ forecast }));
    const err = await registry
      .corruptForecast(isbn, '1', (f) => ({ ...f, upper: f.upper.slice(1) }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fields).toEqual(['forecast.upper']);
    expect(await registry.getForecast(isbn, '1')).toEqual(forecast);
  });

  it('survives a reopen: versions, aliases and quarantine are on disk', async () => {
    const { isbn } = await registry.registerVersion(aNewModelVersion());
    await registry.registerVersion(aNewModelVersion({ isbn }));
    await registry.setAlias(isbn, 'production', '2');
    await registry.setQuarantine(isbn, '1', aQuarantine());
    db.close();

    db = openFleetDb(fleetDbPath(dir.dir));
    const reopened = new SqliteModelRegistry(db, { clock: fixedClock });
    expect((await reopened.listVersions(isbn)).map((v) => [v.version, v.aliases])).toEqual([
      ['1', []],
      ['2', ['production']],
    ]);
    expect((await reopened.getVersion(isbn, '1'))?.quarantine).toEqual(aQuarantine());
    expect(db.pragma('user_version', { simple: true })).toBe(FLEET_SCHEMA_VERSION);
  });

  it('gives distinct ids to two connections registering the same book', async () => {
    const otherDb = openFleetDb(fleetDbPath(dir.dir));
    try {
      const other = new SqliteModelRegistry(otherDb, { clock: fixedClock });
      const isbn = nextIsbn();
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) {
        ids.push((await (i % 2 ? other : registry).registerVersion(aNewModelVersion({ isbn }))).version);
      }
      expect(ids).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
      expect((await other.listVersions(isbn)).map((v) => v.version)).toHaveLength(10);
    } finally {
      // Not an event-loop handle: left open, it stays open (and checkpoints at exit) for the worker's life.
      otherDb.close();
    }
  });

  it('names a malformed ISBN or alias', async () => {
    await expect(registry.listVersions('978-0722532935')).rejects.toThrow(/isbn: must be a valid ISBN-13/);
    const { isbn } = await registry.registerVersion(aNewModelVersion());
    const err = await registry.setAlias(isbn, 'Production!', '1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fields).toEqual(['alias']);
  });

  it('lists a long version history briefly in a NotFoundError', async () => {
    const isbn = nextIsbn();
    for (let i = 0; i < 25; i++)
      await registry.registerVersion(aNewModelVersion({ isbn, forecast: aForecast({ weeks: 2 }) }));
    const err = await registry.setAlias(isbn, 'production', '30').catch((e: unknown) => e);
    expect((err as Error).message).toContain('versions: 1, 2, 3, …, 9, 10');
    expect((err as Error).message).toContain('24, 25)');
  });

  it('refuses a database written by a newer schema', () => {
    db.pragma(`user_version = ${FLEET_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openFleetDb(fleetDbPath(dir.dir))).toThrow(ConflictError);
  });

  it('turns a closed database into BackendUnavailableError, and a failed ping into ok: false', async () => {
    db.close();
    await expect(registry.listModels()).rejects.toThrow(BackendUnavailableError);
    const ping = await registry.ping();
    expect(ping.ok).toBe(false);
    expect(ping.detail).toMatch(/not open/);
  });
});
