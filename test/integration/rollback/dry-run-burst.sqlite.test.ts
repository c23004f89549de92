/**
 * rollback-http's load is many dry runs of the whole fleet at once; the fleet
 * database now reuses its prepared statements (fleet-db.ts). A dry run's plan
 * must not depend on that: a burst of concurrent dry runs answers exactly what
 * one dry run alone answers, and after a real rollback the statements the
 * burst prepared read the new state. Dry runs of the whole fleet that arrive
 * together share their reads (services/rollback/dry-run-reads.ts).
 */
import type { RollbackDryRun } from '../../../shared/services/rollback';
import { applyRollback } from '../../../shared/services/rollback';
import type { ModelRegistry } from '../../../shared/ports/model-registry';
import { openWorld, seedBook, servingOf, type TestWorld } from './helpers/fleet';
import { aRequest } from './helpers/scenarios';

jest.setTimeout(60_000);

/** The answer without what derives from the requestId or the clock. */
function planOf(answer: unknown): unknown {
  const dry = answer as RollbackDryRun;
  expect(dry.dryRun).toBe(true);
  return { kind: dry.kind, results: dry.results, items: dry.plan.items };
}

describe('concurrent dry runs of the whole fleet (embedded)', () => {
  let world: TestWorld;
  beforeEach(async () => {
    world = await openWorld();
  });
  afterEach(async () => {
    await world.close();
  });

  it('answer, each of 30 at once, the plan one dry run alone answers, and see a rollback made after them', async () => {
    const three = await seedBook(world, { versions: 3 });
    const two = await seedBook(world, { versions: 2, lastKnownGood: null });
    const one = await seedBook(world, { versions: 1 });
    const dryRun = () => applyRollback(aRequest({ scope: { all: true }, dryRun: true }), ...world.parts());

    const alone = planOf(await dryRun());
    expect((alone as { results: Array<{ isbn: string }> }).results.map((r) => r.isbn).sort()).toEqual(
      [three.isbn, two.isbn, one.isbn].sort(),
    );
    const burst = await Promise.all(Array.from({ length: 30 }, dryRun));
    for (const answer of burst) expect(planOf(answer)).toEqual(alone);
    expect(await servingOf(world, three.isbn)).toEqual({ alias: '3', traffic: { '2': 0, '3': 100 } });

    await applyRollback(
      aRequest({ scope: { isbns: [three.isbn] }, target: { kind: 'version', version: '1' } }),
      ...world.parts(),
    );
    const after = planOf(await dryRun()) as { results: Array<{ isbn: string; from: string | null }> };
    expect(after).not.toEqual(alone);
    expect(after.results.find((r) => r.isbn === three.isbn)?.from).toBe('1');
  });

  it('share the fleet read among dry runs that arrive together: 30 dry runs of 3 books list versions far fewer than 90 times', async () => {
    const books = await Promise.all([
      seedBook(world, { versions: 3 }),
      seedBook(world, { versions: 2 }),
      seedBook(world, { versions: 2 }),
    ]);
    const listed: string[] = [];
    const registry: ModelRegistry = Object.create(world.backend.registry) as ModelRegistry;
    registry.listVersions = (isbn) => {
      listed.push(isbn);
      return world.backend.registry.listVersions(isbn);
    };
    const dryRun = () =>
      applyRollback(aRequest({ scope: { all: true }, dryRun: true }), ...world.parts({ registry }));

    const burst = await Promise.all(Array.from({ length: 30 }, dryRun));
    const first = planOf(burst[0]);
    for (const answer of burst) expect(planOf(answer)).toEqual(first);
    // One read for the first caller, one shared by every caller that asked while it ran.
    expect(listed.length).toBeLessThanOrEqual(2 * books.length);
    expect(new Set(listed)).toEqual(new Set(books.map((b) => b.isbn)));

    // A dry run named by ISBN reads on its own, as before.
    listed.length = 0;
    await applyRollback(
      aRequest({ scope: { isbns: [books[0]?.isbn ?? ''] }, dryRun: true }),
      ...world.parts({ registry }),
    );
    expect(listed).toEqual([books[0]?.isbn]);
  });
});
