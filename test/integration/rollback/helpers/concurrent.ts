/**
 * 50 rollback requests for one book at once, spread over five "instances"
 * (each its own StateStore client, lease holder and in-process queue, as five
 * function instances would be): the book ends in one consistent state and
 * every request has exactly one audit record.
 */
import { COLLECTIONS } from '../../../../shared/contracts/collections';
import type { RollbackLease, RollbackRecord } from '../../../../shared/contracts/documents/rollback';
import type { StateStore } from '../../../../shared/ports/state-store';
import { applyRollback, BookLocks, type RollbackResult } from '../../../../shared/services/rollback';
import { reportFigure } from '../../../helpers/figures';
import { consistent, openWorld, seedBook, servingOf, type TestWorld } from './fleet';
import { aRequest } from './scenarios';
import { portsAndSettings } from '../../../builders/rollback';

const REQUESTS = 50;
const INSTANCES = 5;

/**
 * `makeState` gives the world's StateStore (undefined: the embedded one);
 * `makeClient` another client on the same storage, for the other instances.
 */
export function describeConcurrentRequests(
  label: string,
  makeState: () => StateStore | undefined,
  makeClient: (world: TestWorld) => StateStore,
): void {
  describe(`50 concurrent rollback requests on one book [${label}]`, () => {
    let world: TestWorld;
    const extra: StateStore[] = [];
    beforeEach(async () => {
      world = await openWorld(makeState());
    });
    afterEach(async () => {
      for (const s of extra.splice(0)) await s.close();
      await world.close();
    });

    it('leave one consistent state (alias = the version at 100 %) and one audit record per request', async () => {
      const book = await seedBook(world, { versions: 3 });
      const instances = Array.from({ length: INSTANCES }, (_, i) => {
        const state = i === 0 ? world.state : makeClient(world);
        if (state !== world.state) extra.push(state);
        return world.deps({
          state,
          holder: `instance-${i}@test:${process.pid}`,
          locks: new BookLocks(),
          options: { leaseWaitMs: 120_000 },
        });
      });
      const requests = Array.from({ length: REQUESTS }, (_, i) =>
        aRequest({
          scope: { isbns: [book.isbn] },
          target: { kind: 'version', version: String((i % 3) + 1) },
        }),
      );
      const started = Date.now();
      const results = (await Promise.all(
        requests.map((r, i) => applyRollback(r, ...portsAndSettings(instances[i % INSTANCES]!))),
      )) as RollbackResult[];
      const elapsed = Date.now() - started;

      const final = await servingOf(world, book.isbn);
      expect(consistent(final)).toBe(true);
      expect(await world.state.get(COLLECTIONS.rollbackLeases, book.isbn)).toBeUndefined();
      const history = (
        await world.state.get<RollbackLease>(COLLECTIONS.rollbackLeases, `${book.isbn}:history`)
      )?.data;
      expect(history?.servingHistory?.at(-1)?.version).toBe(final.alias);

      const records = await world.state.query<RollbackRecord>(COLLECTIONS.rollbackRecords, {
        where: [{ field: 'isbn', op: '==', value: book.isbn }],
      });
      expect(records).toHaveLength(REQUESTS);
      expect(new Set(records.map((r) => r.data.requestId))).toEqual(
        new Set(requests.map((r) => r.requestId)),
      );
      for (const r of records) expect(['succeeded', 'skipped']).toContain(r.data.status);
      for (const result of results) expect(result.results).toHaveLength(1);
      const switched = records.filter((r) => r.data.status === 'succeeded').length;
      reportFigure(
        `rollback[${label}]`,
        'concurrent-50',
        `${REQUESTS} requests over ${INSTANCES} instances in ${elapsed} ms: ${switched} switched, ${REQUESTS - switched} skipped (already there); final alias ${final.alias}`,
      );
    }, 120_000);
  });
}
