/**
 * The rollback service's behaviour, written once and run against the
 * embedded backend and again with the StateStore on the Firestore emulator.
 */
import { COLLECTIONS } from '../../../../shared/contracts/collections';
import type { RollbackLease, RollbackRecord } from '../../../../shared/contracts/documents/rollback';
import type { Alert } from '../../../../shared/contracts/messages/alert';
import type { LifecycleEvent } from '../../../../shared/contracts/messages/lifecycle-event';
import type { RollbackRequest } from '../../../../shared/contracts/messages/rollback-request';
import { backupIdFor } from '../../../../shared/domain/rollback/ids';
import { NotFoundError, ValidationError } from '../../../../shared/errors';
import type { StateStore } from '../../../../shared/ports/state-store';
import {
  applyRollback,
  readBackup,
  restoreBackup,
  type RollbackResult,
} from '../../../../shared/services/rollback';
import { aQuarantine, isbnFor, nextIsbn } from '../../../builders/model';
import { consistent, openWorld, seedBook, seedFleet, servingOf, type TestWorld } from './fleet';

let counter = 0;
/** A request with defaults; a new requestId each time. */
export function aRequest(overrides: Partial<RollbackRequest> = {}): RollbackRequest {
  counter += 1;
  return {
    requestId: `req-${process.pid}-${Date.now()}-${counter}`,
    scope: { isbns: [nextIsbn()] },
    target: { kind: 'previous' },
    reason: 'RMSE spike after the last deploy',
    requestedBy: 'oncall@example.com',
    correlationId: `corr-test-${counter}`,
    ...overrides,
  };
}

async function subscribe(world: TestWorld, topic: string): Promise<string> {
  const name = `test-${topic}-${Math.random().toString(36).slice(2, 8)}`;
  await world.backend.bus.ensureSubscription({
    name,
    topic,
    ackDeadlineSeconds: 10,
    maxDeliveryAttempts: 5,
    minBackoffSeconds: 1,
    maxBackoffSeconds: 1,
  });
  return name;
}

async function drain<T>(world: TestWorld, sub: string): Promise<T[]> {
  const got = await world.backend.bus.pull(sub, 100, 200);
  if (got.length)
    await world.backend.bus.ack(
      sub,
      got.map((m) => m.ackId),
    );
  return got.map((m) => JSON.parse(m.data.toString('utf8')) as T);
}

function done(result: unknown): RollbackResult {
  if ((result as { dryRun?: boolean }).dryRun) throw new Error('expected a run, got a dry run');
  return result as RollbackResult;
}

/** Registers the scenarios; `makeState` gives the StateStore (undefined: the embedded one). */
export function describeRollbackScenarios(label: string, makeState: () => StateStore | undefined): void {
  describe(`rollback service [${label}]`, () => {
    let world: TestWorld;
    beforeEach(async () => {
      world = await openWorld(makeState());
    });
    afterEach(async () => {
      await world.close();
    });

    it('rolls one book back to a named version: alias and 100 % traffic move, the backup, record, history and event are written', async () => {
      const book = await seedBook(world, { versions: 3 });
      const lifecycle = await subscribe(world, 'model-lifecycle');
      const request = aRequest({ scope: { isbns: [book.isbn] }, target: { kind: 'version', version: '1' } });
      const result = done(await applyRollback(request, ...world.parts()));

      expect(result.results).toEqual([
        expect.objectContaining({ isbn: book.isbn, from: '3', to: '1', status: 'succeeded', verified: true }),
      ]);
      expect(await servingOf(world, book.isbn)).toEqual({
        alias: '1',
        traffic: { '1': 100, '2': 0, '3': 0 },
      });
      const backup = await readBackup(world.state, result.backupId);
      expect(backup.entries).toEqual([
        expect.objectContaining({
          isbn: book.isbn,
          productionAlias: '3',
          serving: expect.objectContaining({
            deployments: [
              expect.objectContaining({ version: '2', trafficPercent: 0 }),
              expect.objectContaining({ version: '3', trafficPercent: 100 }),
            ],
          }),
        }),
      ]);
      expect(backup.head.status).toBe('done');
      const record = await world.state.get<RollbackRecord>(
        COLLECTIONS.rollbackRecords,
        `${result.rollbackId}:${book.isbn}`,
      );
      expect(record?.data).toEqual(
        expect.objectContaining({
          status: 'succeeded',
          from: '3',
          to: '1',
          requestId: request.requestId,
          requestedBy: 'oncall@example.com',
        }),
      );
      expect(await world.state.get(COLLECTIONS.rollbackLeases, book.isbn)).toBeUndefined();
      const history = await world.state.get<RollbackLease>(
        COLLECTIONS.rollbackLeases,
        `${book.isbn}:history`,
      );
      expect(history?.data.servingHistory?.map((h) => h.version)).toEqual(['3', '1']);
      const events = await drain<LifecycleEvent>(world, lifecycle);
      expect(events).toEqual([
        expect.objectContaining({
          type: 'rollback.succeeded',
          isbn: book.isbn,
          fromVersion: '3',
          toVersion: '1',
          rollbackId: result.rollbackId,
          correlationId: request.correlationId,
        }),
      ]);
    });

    it('previous: the deployed lower version first, then the serving history (so two rollbacks toggle)', async () => {
      const book = await seedBook(world, { versions: 3 });
      const first = done(await applyRollback(aRequest({ scope: { isbns: [book.isbn] } }), ...world.parts()));
      expect(first.results[0]).toEqual(expect.objectContaining({ from: '3', to: '2', status: 'succeeded' }));
      const second = done(await applyRollback(aRequest({ scope: { isbns: [book.isbn] } }), ...world.parts()));
      expect(second.results[0]).toEqual(expect.objectContaining({ from: '2', to: '3', status: 'succeeded' }));
      expect(await servingOf(world, book.isbn)).toEqual({ alias: '3', traffic: { '2': 0, '3': 100 } });
    });

    it('emergency: every book not on its last-known-good goes there; the others are not touched', async () => {
      const drifted = await seedBook(world, { versions: 3, lastKnownGood: '2' });
      const healthy = await seedBook(world, { versions: 2 });
      const noPointer = await seedBook(world, { versions: 2, lastKnownGood: null });
      const result = done(
        await applyRollback(
          aRequest({ scope: { emergency: true }, target: { kind: 'last-known-good' } }),
          ...world.parts(),
        ),
      );
      const mine = result.results.filter((r) =>
        [drifted.isbn, healthy.isbn, noPointer.isbn].includes(r.isbn),
      );
      expect(mine).toEqual([
        expect.objectContaining({
          isbn: drifted.isbn,
          from: '3',
          to: '2',
          status: 'succeeded',
          verified: true,
        }),
      ]);
      expect((await servingOf(world, drifted.isbn)).alias).toBe('2');
      expect(await servingOf(world, healthy.isbn)).toEqual({ alias: '2', traffic: { '1': 0, '2': 100 } });
    });

    it('one book with --emergency goes to its last-known-good; already there is a skip', async () => {
      const book = await seedBook(world, { versions: 3, lastKnownGood: '1' });
      const request = aRequest({ scope: { isbns: [book.isbn] }, target: { kind: 'last-known-good' } });
      expect(done(await applyRollback(request, ...world.parts())).results[0]).toEqual(
        expect.objectContaining({ to: '1', status: 'succeeded' }),
      );
      const again = done(
        await applyRollback({ ...request, requestId: `${request.requestId}-again` }, ...world.parts()),
      );
      expect(again.results[0]).toEqual(
        expect.objectContaining({ to: '1', status: 'skipped', verified: false }),
      );
    });

    it('all models: every served book to its previous version, each with its outcome and timing, one backup for the run', async () => {
      const fleet = await seedFleet(world, 6);
      const result = done(
        await applyRollback(
          aRequest({ scope: { all: true }, target: { kind: 'previous' } }),
          ...world.parts({ options: { concurrency: 3 } }),
        ),
      );
      for (const book of fleet) {
        expect(result.results.find((r) => r.isbn === book.isbn)).toEqual(
          expect.objectContaining({
            from: '3',
            to: '2',
            status: 'succeeded',
            verified: true,
            durationMs: expect.any(Number),
          }),
        );
        expect(consistent(await servingOf(world, book.isbn))).toBe(true);
      }
      const backup = await readBackup(world.state, result.backupId);
      expect(backup.entries.map((e) => e.isbn)).toEqual(expect.arrayContaining(fleet.map((b) => b.isbn)));
    });

    it('refuses an unknown version listing the versions, an invalid ISBN naming the field, and changes nothing', async () => {
      const book = await seedBook(world, { versions: 3 });
      const unknown = aRequest({ scope: { isbns: [book.isbn] }, target: { kind: 'version', version: '9' } });
      await expect(applyRollback(unknown, ...world.parts())).rejects.toThrow(NotFoundError);
      await expect(applyRollback(unknown, ...world.parts())).rejects.toThrow('(versions: 1, 2, 3)');
      expect(
        await world.state.get(COLLECTIONS.rollbackBackups, backupIdFor(unknown.requestId)),
      ).toBeUndefined();
      const bad = aRequest({ scope: { isbns: ['9780000000000'] } });
      const err = await applyRollback(bad, ...world.parts()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).fields).toEqual(['scope.isbns.0']);
      expect(await servingOf(world, book.isbn)).toEqual({ alias: '3', traffic: { '2': 0, '3': 100 } });
    });

    it('refuses a quarantined target unless forced, and records the force', async () => {
      const book = await seedBook(world, { versions: 3 });
      await world.backend.registry.setQuarantine(book.isbn, '1', aQuarantine());
      const request = aRequest({ scope: { isbns: [book.isbn] }, target: { kind: 'version', version: '1' } });
      await expect(applyRollback(request, ...world.parts())).rejects.toThrow(/quarantined.*--force/);
      const forced = done(await applyRollback({ ...request, force: true }, ...world.parts()));
      expect(forced.results[0]).toEqual(
        expect.objectContaining({ to: '1', status: 'succeeded', forced: true }),
      );
      const record = await world.state.get<RollbackRecord>(
        COLLECTIONS.rollbackRecords,
        `${forced.rollbackId}:${book.isbn}`,
      );
      expect(record?.data.forced).toBe(true);
    });

    it('refuses a last-known-good pointer that names a quarantined version, even with force', async () => {
      const book = await seedBook(world, { versions: 3, lastKnownGood: '2' });
      await world.backend.registry.setQuarantine(book.isbn, '2', aQuarantine());
      const request = aRequest({
        scope: { isbns: [book.isbn] },
        target: { kind: 'last-known-good' },
        force: true,
      });
      await expect(applyRollback(request, ...world.parts())).rejects.toThrow(
        /last-known-good pointer .* names version 2, which is quarantined/,
      );
    });

    it('is idempotent by requestId: the second request answers the first result and changes nothing', async () => {
      const book = await seedBook(world, { versions: 3 });
      const request = aRequest({ scope: { isbns: [book.isbn] }, target: { kind: 'version', version: '2' } });
      const first = done(await applyRollback(request, ...world.parts()));
      await world.backend.serving.setTraffic(book.isbn, { '3': 100 }); // someone moves it on meanwhile
      const second = done(await applyRollback(request, ...world.parts()));
      expect(second.replayed).toBe(true);
      expect(second.rollbackId).toBe(first.rollbackId);
      expect(second.results).toEqual(first.results);
      expect((await servingOf(world, book.isbn)).traffic['3']).toBe(100);
      const records = await world.state.query(COLLECTIONS.rollbackRecords, {
        where: [{ field: 'requestId', op: '==', value: request.requestId }],
      });
      expect(records).toHaveLength(1);
    });

    it('dry run prints the plan and changes nothing', async () => {
      const book = await seedBook(world, { versions: 3 });
      const request = aRequest({
        scope: { isbns: [book.isbn] },
        target: { kind: 'version', version: '1' },
        dryRun: true,
      });
      const plan = await applyRollback(request, ...world.parts());
      expect(plan).toEqual(
        expect.objectContaining({
          dryRun: true,
          results: [expect.objectContaining({ isbn: book.isbn, action: 'switch', from: '3', to: '1' })],
        }),
      );
      expect(await servingOf(world, book.isbn)).toEqual({ alias: '3', traffic: { '2': 0, '3': 100 } });
      expect(
        await world.state.get(COLLECTIONS.rollbackBackups, backupIdFor(request.requestId)),
      ).toBeUndefined();
    });

    it('restores a book whose canary fails, records it restored and raises a critical alert', async () => {
      const book = await seedBook(world, { versions: 3 });
      const alerts = await subscribe(world, 'alerts');
      const serving = world.backend.serving;
      const broken = Object.create(serving) as typeof serving;
      // Version 1's model server crashes, however it is asked (pinned, or by traffic after the switch).
      broken.predict = async (isbn, instances, options) => {
        if (options?.version === '1') throw new Error('model server crashed');
        const response = await serving.predict(isbn, instances, options);
        if (response.modelVersionId === '1') throw new Error('model server crashed');
        return response;
      };
      const result = done(
        await applyRollback(
          aRequest({ scope: { isbns: [book.isbn] }, target: { kind: 'version', version: '1' } }),
          ...world.parts({ serving: broken }),
        ),
      );
      expect(result.results[0]).toEqual(
        expect.objectContaining({
          status: 'restored',
          verified: false,
          error: expect.stringContaining('model server crashed'),
        }),
      );
      // Exactly as before: alias 3, 3 at 100 %, 2 deployed at 0 %, and 1 (deployed by the switch) undeployed again.
      expect(await servingOf(world, book.isbn)).toEqual({ alias: '3', traffic: { '2': 0, '3': 100 } });
      const raised = await drain<Alert>(world, alerts);
      expect(raised).toEqual([
        expect.objectContaining({ kind: 'rollback_failed', severity: 'critical', isbn: book.isbn }),
      ]);
    });

    it('restore-backup puts back exactly what the backup holds', async () => {
      const fleet = await seedFleet(world, 3);
      const before = await Promise.all(fleet.map((b) => servingOf(world, b.isbn)));
      const run = done(
        await applyRollback(
          aRequest({ scope: { isbns: fleet.map((b) => b.isbn) }, target: { kind: 'version', version: '1' } }),
          ...world.parts(),
        ),
      );
      expect(run.results.every((r) => r.status === 'succeeded')).toBe(true);
      const restored = done(
        await restoreBackup(
          {
            backupId: run.backupId,
            requestId: `restore-${run.requestId}`,
            requestedBy: 'oncall',
            reason: 'undo',
            correlationId: 'corr-undo',
          },
          ...world.parts(),
        ),
      );
      expect(restored.results.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
      expect(await Promise.all(fleet.map((b) => servingOf(world, b.isbn)))).toEqual(before);
      await expect(
        restoreBackup(
          { backupId: 'bk-nope', requestId: 'r-nope', requestedBy: 'x', reason: 'y', correlationId: 'c' },
          ...world.parts(),
        ),
      ).rejects.toThrow(NotFoundError);
    });

    it('refuses a named book that is not registered and changes none of the others', async () => {
      const served = await seedBook(world, { versions: 2 });
      const request = aRequest({
        scope: { isbns: [served.isbn, isbnFor(999_999_999)] },
        target: { kind: 'previous' },
      });
      await expect(applyRollback(request, ...world.parts())).rejects.toThrow(
        /no model is registered for ISBN/,
      );
      expect((await servingOf(world, served.isbn)).alias).toBe('2');
    });
  });
}
