/**
 * The ModelRegistry contract: what SqliteModelRegistry, the Vertex AI
 * registry and the MLflow registry must all do. It seeds only through the
 * port (`registerVersion`), so any backend can run it.
 */
import { NotFoundError, ValidationError } from '../../shared/errors';
import type { ModelRegistry } from '../../shared/ports/model-registry';
import { PRODUCTION_ALIAS } from '../../shared/ports/model-registry';
import { aNewModelVersion, aQuarantine, nextIsbn } from '../builders/model';

export interface ModelRegistryFixture {
  registry: ModelRegistry;
  /** Releases what `make` opened (files, servers). */
  close?: () => Promise<void>;
}

/** Runs the contract against a fresh registry from `make` for every test. */
export function describeModelRegistryContract(
  label: string,
  make: () => Promise<ModelRegistryFixture>,
): void {
  describe(`ModelRegistry contract: ${label}`, () => {
    let fixture: ModelRegistryFixture;
    let registry: ModelRegistry;

    beforeEach(async () => {
      fixture = await make();
      registry = fixture.registry;
    });
    afterEach(async () => {
      await fixture.close?.();
    });

    /** Registers `count` versions of one new book; returns the ISBN and what was sent. */
    async function registerBook(count: number) {
      const isbn = nextIsbn();
      const inputs = Array.from({ length: count }, (_, i) =>
        aNewModelVersion({
          isbn,
          createdAt: `2024-05-0${i + 1}T10:00:00.000Z`,
          metrics: { rmse: 40 + i, mape: 10 + i / 4 },
          dataHash: `sha256:window-${i + 1}`,
          pipelineRunId: `run-${i + 1}`,
        }),
      );
      const versions = [];
      for (const input of inputs) versions.push(await registry.registerVersion(input));
      return { isbn, inputs, versions };
    }

    it('assigns increasing ids per ISBN and lists versions oldest first with every field', async () => {
      const a = await registerBook(3);
      const b = await registerBook(1);

      expect(a.versions.map((v) => v.version)).toEqual(['1', '2', '3']);
      expect(b.versions.map((v) => v.version)).toEqual(['1']);

      const listed = await registry.listVersions(a.isbn);
      expect(listed.map((v) => v.version)).toEqual(['1', '2', '3']);
      listed.forEach((version, i) => {
        const { forecast: _artifact, ...sent } = a.inputs[i]!;
        expect(version).toMatchObject({ ...sent, version: String(i + 1) });
        expect(version.quarantine).toBeUndefined();
        expect(version.aliases).not.toContain(PRODUCTION_ALIAS);
      });
      expect(listed[2]).toEqual(a.versions[2]);
      expect(await registry.listModels()).toEqual(expect.arrayContaining([a.isbn, b.isbn]));
    });

    it('gives distinct ids to registrations that race for one ISBN', async () => {
      const isbn = nextIsbn();
      const registered = await Promise.all(
        Array.from({ length: 8 }, () => registry.registerVersion(aNewModelVersion({ isbn }))),
      );
      const ids = registered.map((v) => Number(v.version)).sort((x, y) => x - y);
      expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    });

    it('stamps createdAt when a registration leaves it out', async () => {
      const { createdAt: _omitted, ...input } = aNewModelVersion();
      const version = await registry.registerVersion(input);
      expect(Number.isNaN(Date.parse(version.createdAt))).toBe(false);
      expect((await registry.getVersion(input.isbn, version.version))?.createdAt).toBe(version.createdAt);
    });

    it('getVersion returns one version, and undefined for an unknown version or ISBN', async () => {
      const { isbn, versions } = await registerBook(2);
      expect(await registry.getVersion(isbn, '2')).toEqual(versions[1]);
      expect(await registry.getVersion(isbn, '99')).toBeUndefined();
      expect(await registry.getVersion(nextIsbn(), '1')).toBeUndefined();
    });

    it('listVersions of an unknown ISBN is NotFoundError naming that ISBN and no other', async () => {
      const known = await registerBook(1);
      const unknown = nextIsbn();
      const err = await registry.listVersions(unknown).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotFoundError);
      expect((err as Error).message).toContain(unknown);
      expect((err as Error).message).not.toContain(known.isbn);
    });

    it('moves an alias: production on v2 leaves v1', async () => {
      const { isbn } = await registerBook(2);
      await registry.setAlias(isbn, PRODUCTION_ALIAS, '1');
      expect(await registry.getAlias(isbn, PRODUCTION_ALIAS)).toBe('1');
      expect((await registry.getVersion(isbn, '1'))?.aliases).toContain(PRODUCTION_ALIAS);

      await registry.setAlias(isbn, PRODUCTION_ALIAS, '2');
      expect(await registry.getAlias(isbn, PRODUCTION_ALIAS)).toBe('2');
      const listed = await registry.listVersions(isbn);
      expect(listed.find((v) => v.version === '1')?.aliases).not.toContain(PRODUCTION_ALIAS);
      expect(listed.find((v) => v.version === '2')?.aliases).toContain(PRODUCTION_ALIAS);
    });

    it('keeps aliases per ISBN and per name', async () => {
      const a = await registerBook(2);
      const b = await registerBook(2);
      await registry.setAlias(a.isbn, PRODUCTION_ALIAS, '2');
      await registry.setAlias(a.isbn, 'last-known-good', '1');
      await registry.setAlias(b.isbn, PRODUCTION_ALIAS, '1');
      expect(await registry.getAlias(a.isbn, PRODUCTION_ALIAS)).toBe('2');
      expect(await registry.getAlias(a.isbn, 'last-known-good')).toBe('1');
      expect(await registry.getAlias(b.isbn, PRODUCTION_ALIAS)).toBe('1');
      expect(await registry.getAlias(b.isbn, 'last-known-good')).toBeUndefined();
    });

    it('setAlias to an unknown version is NotFoundError listing the versions there are', async () => {
      const { isbn } = await registerBook(2);
      const err = await registry.setAlias(isbn, PRODUCTION_ALIAS, '9').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotFoundError);
      expect((err as Error).message).toContain('"9"');
      expect((err as Error).message).toContain('versions: 1, 2');
      expect(await registry.getAlias(isbn, PRODUCTION_ALIAS)).toBeUndefined();
    });

    it('deleteAlias removes an alias, and is a no-op when it is not set', async () => {
      const { isbn } = await registerBook(1);
      await registry.setAlias(isbn, 'challenger', '1');
      await registry.deleteAlias(isbn, 'challenger');
      expect(await registry.getAlias(isbn, 'challenger')).toBeUndefined();
      expect((await registry.getVersion(isbn, '1'))?.aliases).not.toContain('challenger');
      await expect(registry.deleteAlias(isbn, 'challenger')).resolves.toBeUndefined();
    });

    it('sets and clears a quarantine mark', async () => {
      const { isbn } = await registerBook(2);
      const mark = aQuarantine();
      await registry.setQuarantine(isbn, '2', mark);
      expect((await registry.getVersion(isbn, '2'))?.quarantine).toEqual(mark);
      expect((await registry.getVersion(isbn, '1'))?.quarantine).toBeUndefined();

      await registry.setQuarantine(isbn, '2', undefined);
      expect((await registry.getVersion(isbn, '2'))?.quarantine).toBeUndefined();
      await expect(registry.setQuarantine(isbn, '7', mark)).rejects.toThrow(NotFoundError);
    });

    it('rejects a bad registration with a ValidationError naming each field', async () => {
      const good = aNewModelVersion();
      const cases: Array<[string, unknown]> = [
        ['isbn', { ...good, isbn: '9780722532936' }],
        ['metrics.rmse', { ...good, metrics: { ...good.metrics, rmse: -1 } }],
        ['trainedThrough', { ...good, trainedThrough: '27/04/2024' }],
        ['forecast.lower', { ...good, forecast: { ...good.forecast, lower: [1, 2] } }],
      ];
      for (const [field, input] of cases) {
        const err = await registry.registerVersion(input as typeof good).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ValidationError);
        expect((err as ValidationError).fields).toContain(field);
        expect((err as Error).message).toContain(field);
      }
      await expect(registry.listVersions(good.isbn)).rejects.toThrow(NotFoundError);
    });

    it('answers a ping with its latency', async () => {
      const ping = await registry.ping();
      expect(ping.ok).toBe(true);
      expect(ping.latencyMs).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(ping.latencyMs)).toBe(true);
    });
  });
}
