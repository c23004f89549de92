/**
 * rollback-http's load is many dry runs of the whole fleet at once; the fleet
 * database now reuses its prepared statements (fleet-db.ts). A dry run's plan
 * must not depend on that: a burst of concurrent dry runs answers exactly what
 * one dry run alone answers, and after a real rollback the statements the
 * burst prepared read the new state.
 */
import type { RollbackDryRun } from '../../../shared/services/rollback';
import { applyRollback } from '../../../shared/services/rollback';
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
});
