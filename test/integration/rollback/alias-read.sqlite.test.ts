/**
 * A registry that fails to read the production alias for a moment must not
 * make rollback believe the book has no alias: that backup would record none,
 * and restoring it would delete an alias that existed. Only "not found" means
 * absent; any other error stops the run before anything is switched, as
 * retryable, so a redelivery tries again.
 */
import { COLLECTIONS } from '../../../shared/contracts/collections';
import { backupIdFor } from '../../../shared/domain/rollback/ids';
import { BackendUnavailableError, isRetryable } from '../../../shared/errors';
import type { ModelRegistry } from '../../../shared/ports/model-registry';
import {
  applyRollback,
  readBackup,
  restoreBackup,
  type RollbackResult,
} from '../../../shared/services/rollback';
import { aRequest } from './helpers/scenarios';
import { openWorld, seedBook, servingOf, type TestWorld } from './helpers/fleet';

/**
 * The world's registry, whose next `failures` reads of the production alias fail as a registry
 * outage would: rollback reads the alias from the versions listing (each version names its
 * aliases), so both that listing and getAlias fail.
 */
function flakyAliasRegistry(registry: ModelRegistry, failures: { left: number }): ModelRegistry {
  return new Proxy(registry, {
    get(target, prop, receiver) {
      if (prop === 'getAlias' || prop === 'listVersions') {
        return async (...args: [string, string]) => {
          if (failures.left > 0) {
            failures.left -= 1;
            throw new BackendUnavailableError('registry: 503 Service Unavailable', 'registry');
          }
          return prop === 'getAlias' ? target.getAlias(...args) : target.listVersions(args[0]);
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function done(result: unknown): RollbackResult {
  if ((result as { dryRun?: boolean }).dryRun) throw new Error('expected a run, got a dry run');
  return result as RollbackResult;
}

describe('rollback when the production alias cannot be read [embedded]', () => {
  let world: TestWorld;
  beforeEach(async () => {
    world = await openWorld();
  });
  afterEach(async () => {
    await world.close();
  });

  it('a transient alias-read error stops the run as retryable: nothing switched, no backup without the alias', async () => {
    const book = await seedBook(world, { versions: 3 });
    const before = await servingOf(world, book.isbn);
    const request = aRequest({ scope: { isbns: [book.isbn] }, target: { kind: 'version', version: '1' } });
    // Two failures: the read that checks the request and the read under the leases.
    const failures = { left: 2 };
    const registry = flakyAliasRegistry(world.backend.registry, failures);

    const err: unknown = await applyRollback(request, ...world.parts({ registry })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(isRetryable(err)).toBe(true);
    expect(await servingOf(world, book.isbn)).toEqual(before);
    expect(
      await world.state.get(COLLECTIONS.rollbackBackups, backupIdFor(request.requestId)),
    ).toBeUndefined();
    expect(await world.state.get(COLLECTIONS.rollbackLeases, book.isbn)).toBeUndefined();

    // The redelivery of the same request runs, and its backup holds the alias.
    failures.left = 0;
    const retried = done(await applyRollback(request, ...world.parts({ registry })));
    expect(retried.results[0]).toEqual(expect.objectContaining({ from: '3', to: '1', status: 'succeeded' }));
    const backup = await readBackup(world.state, retried.backupId);
    expect(backup.entries[0]).toEqual(expect.objectContaining({ isbn: book.isbn, productionAlias: '3' }));
  });

  it('restoring the backup of a run that met a flaky alias read never deletes the alias', async () => {
    const book = await seedBook(world, { versions: 3 });
    const registry = flakyAliasRegistry(world.backend.registry, { left: 2 });
    const request = aRequest({ scope: { isbns: [book.isbn] }, target: { kind: 'version', version: '1' } });
    // Redelivered until it runs, as Pub/Sub would after a retryable failure.
    let run: RollbackResult | undefined;
    for (let attempt = 0; run === undefined && attempt < 3; attempt++) {
      run = await applyRollback(request, ...world.parts({ registry })).then(done, () => undefined);
    }
    if (run === undefined) throw new Error('the rollback never ran');

    const restored = done(
      await restoreBackup(
        {
          backupId: run.backupId,
          requestId: `${request.requestId}-restore`,
          requestedBy: 'oncall@example.com',
          reason: 'undo',
          correlationId: 'corr-restore',
        },
        ...world.parts(),
      ),
    );
    expect(restored.results[0]).toEqual(expect.objectContaining({ isbn: book.isbn, status: 'succeeded' }));
    expect((await servingOf(world, book.isbn)).alias).toBe('3');
  });

  it('a book whose alias is really absent (not found) still rolls back, and its backup records no alias', async () => {
    const book = await seedBook(world, { versions: 3 });
    await world.backend.registry.deleteAlias(book.isbn, 'production');
    const result = done(
      await applyRollback(
        aRequest({ scope: { isbns: [book.isbn] }, target: { kind: 'version', version: '1' } }),
        ...world.parts(),
      ),
    );
    expect(result.results[0]).toEqual(expect.objectContaining({ to: '1', status: 'succeeded' }));
    const backup = await readBackup(world.state, result.backupId);
    expect(backup.entries[0]).not.toHaveProperty('productionAlias');
  });
});
