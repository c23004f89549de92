/**
 * Recovery of interrupted runs, in one process: a run is frozen at a chosen
 * step (a port call that never returns, as if the process died there), then
 * recovery — by `recoverInterrupted`, by the next rollback of the book, or by
 * replaying the request — finishes or undoes each book. In-memory SQLite.
 */
import { openFleetDb } from '../../../../shared/adapters/local/fleet-db';
import { SqliteEventBus } from '../../../../shared/adapters/local/sqlite-event-bus';
import { SqliteModelRegistry } from '../../../../shared/adapters/local/sqlite-model-registry';
import { SqliteServingTarget } from '../../../../shared/adapters/local/sqlite-serving-target';
import { SqliteStateStore } from '../../../../shared/adapters/local/sqlite-state-store';
import { COLLECTIONS } from '../../../../shared/contracts/collections';
import type { RollbackLease, RollbackRecord } from '../../../../shared/contracts/documents/rollback';
import type { RollbackRequest } from '../../../../shared/contracts/messages/rollback-request';
import { backupIdFor, rollbackIdFor } from '../../../../shared/domain/rollback/ids';
import { createSilentLogger } from '../../../../shared/logging/capture';
import { PRODUCTION_ALIAS } from '../../../../shared/ports/model-registry';
import type { Clock } from '../../../../shared/ports/clock';
import {
  applyRollback,
  BookLocks,
  recoverInterrupted,
  type RollbackDeps,
  type RollbackResult,
} from '../../../../shared/services/rollback';
import { aForecast, aNewModelVersion, nextIsbn } from '../../../builders/model';
import { portsAndSettings } from '../../../builders/rollback';

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

describe('recovery of interrupted rollbacks', () => {
  let state: SqliteStateStore;
  let registry: SqliteModelRegistry;
  let serving: SqliteServingTarget;
  let bus: SqliteEventBus;
  let offsetMs: number;
  const clock: Clock = {
    now: () => new Date(Date.now() + offsetMs),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };

  beforeEach(() => {
    offsetMs = 0;
    state = new SqliteStateStore(':memory:');
    const db = openFleetDb(':memory:');
    registry = new SqliteModelRegistry(db, { clock });
    serving = new SqliteServingTarget(db, { clock });
    bus = SqliteEventBus.open(':memory:');
  });
  afterEach(async () => {
    await state.close();
    await bus.close();
  });

  function deps(overrides: Partial<RollbackDeps> = {}): RollbackDeps {
    return {
      state,
      registry,
      serving,
      bus,
      clock,
      logger: createSilentLogger(),
      holder: 'tester@host:1',
      locks: new BookLocks(),
      ...overrides,
    };
  }

  async function book(): Promise<string> {
    const isbn = nextIsbn();
    for (let i = 0; i < 3; i++)
      await registry.registerVersion(aNewModelVersion({ isbn, forecast: aForecast({ weeks: 8 }) }));
    await serving.setTraffic(isbn, { '2': 100 });
    await serving.setTraffic(isbn, { '3': 100 });
    await registry.setAlias(isbn, PRODUCTION_ALIAS, '3');
    return isbn;
  }

  async function now(isbn: string) {
    const s = await serving.getServing(isbn);
    return {
      alias: await registry.getAlias(isbn, PRODUCTION_ALIAS),
      traffic: Object.fromEntries(s!.deployments.map((d) => [d.version, d.trafficPercent])),
    };
  }

  function request(isbn: string, id: string): RollbackRequest {
    return {
      requestId: id,
      scope: { isbns: [isbn] },
      target: { kind: 'version', version: '1' },
      reason: 'spike',
      requestedBy: 'alice',
      correlationId: `corr-${id}`,
    };
  }

  /** Starts a run that freezes where `frozen` says, and waits until it got there. */
  async function freeze(
    isbn: string,
    id: string,
    frozen: Partial<RollbackDeps>,
    reached: () => Promise<boolean>,
  ): Promise<void> {
    void applyRollback(request(isbn, id), ...portsAndSettings(deps({ holder: 'dead@host:2', ...frozen })));
    for (let i = 0; i < 200 && !(await reached()); i++) await new Promise((r) => setTimeout(r, 5));
  }

  const dead = (holder: string) => (holder === 'dead@host:2' ? false : undefined);

  it('puts back a half-switched book (traffic moved, alias not) and marks the run interrupted', async () => {
    const isbn = await book();
    const stuck = Object.create(registry) as SqliteModelRegistry;
    stuck.setAlias = () => never();
    await freeze(isbn, 'half', { registry: stuck }, async () => (await now(isbn)).traffic['1'] === 100);
    expect(await now(isbn)).toEqual({ alias: '3', traffic: { '1': 100, '2': 0, '3': 0 } });

    const report = await recoverInterrupted({}, ...portsAndSettings(deps({ liveness: dead })));
    expect(report.books).toEqual([
      expect.objectContaining({
        isbn,
        status: 'restored',
        note: 'restored by recovery',
        error: 'the run was interrupted mid-switch',
      }),
    ]);
    expect(report.runs).toEqual([rollbackIdFor('half')]);
    expect(await now(isbn)).toEqual({ alias: '3', traffic: { '2': 0, '3': 100 } });
    expect(await state.get(COLLECTIONS.rollbackLeases, isbn)).toBeUndefined();

    const replay = (await applyRollback(
      request(isbn, 'half'),
      ...portsAndSettings(deps()),
    )) as RollbackResult;
    expect(replay).toEqual(
      expect.objectContaining({
        replayed: true,
        status: 'interrupted',
        results: [expect.objectContaining({ isbn, status: 'restored' })],
      }),
    );
  });

  it('completes a book that was fully switched when the run died before verifying it', async () => {
    const isbn = await book();
    const stuck = Object.create(serving) as SqliteServingTarget;
    stuck.predict = () => never();
    await freeze(isbn, 'full', { serving: stuck }, async () => (await now(isbn)).alias === '1');

    const report = await recoverInterrupted({}, ...portsAndSettings(deps({ liveness: dead })));
    expect(report.books).toEqual([
      expect.objectContaining({ isbn, status: 'succeeded', verified: true, note: 'completed by recovery' }),
    ]);
    expect(await now(isbn)).toEqual({ alias: '1', traffic: { '1': 100, '2': 0, '3': 0 } });
    const history = await state.get<RollbackLease>(COLLECTIONS.rollbackLeases, `${isbn}:history`);
    expect(history?.data.servingHistory?.map((h) => h.version)).toEqual(['3', '1']);
  });

  it('releases a book leased before any change, and leaves a live holder alone unless forced', async () => {
    const isbn = await book();
    const stuck = Object.create(registry) as SqliteModelRegistry;
    stuck.listVersions = () => never();
    // The pre-check reads versions too: let it through once, then freeze the read under the lease.
    let calls = 0;
    stuck.listVersions = (i) => (++calls === 1 ? registry.listVersions(i) : never());
    await freeze(
      isbn,
      'early',
      { registry: stuck },
      async () => (await state.get(COLLECTIONS.rollbackLeases, isbn)) !== undefined,
    );

    const alive = await recoverInterrupted({}, ...portsAndSettings(deps({ liveness: () => true })));
    expect(alive.books).toEqual([]);
    expect(alive.live).toEqual([expect.objectContaining({ isbn, holder: 'dead@host:2' })]);

    const forced = await recoverInterrupted(
      { force: true },
      ...portsAndSettings(deps({ liveness: () => true })),
    );
    expect(forced.books).toEqual([
      expect.objectContaining({
        isbn,
        status: 'failed',
        note: 'released by recovery',
        error: expect.stringContaining('nothing was changed'),
      }),
    ]);
    expect(await now(isbn)).toEqual({ alias: '3', traffic: { '2': 0, '3': 100 } });
    const record = await state.get<RollbackRecord>(
      COLLECTIONS.rollbackRecords,
      `${rollbackIdFor('early')}:${isbn}`,
    );
    expect(record?.data.requestedBy).toBe('alice');
  });

  it('the next rollback of a book recovers it first once its lease has expired, then proceeds', async () => {
    const isbn = await book();
    const stuck = Object.create(registry) as SqliteModelRegistry;
    stuck.setAlias = () => never();
    await freeze(isbn, 'expired', { registry: stuck }, async () => (await now(isbn)).traffic['1'] === 100);
    offsetMs = 7 * 60_000; // past the 6-minute lease
    const next = (await applyRollback(
      { ...request(isbn, 'next'), target: { kind: 'version', version: '2' } },
      ...portsAndSettings(deps()),
    )) as RollbackResult;
    expect(next.results).toEqual([expect.objectContaining({ from: '3', to: '2', status: 'succeeded' })]);
    const old = await state.get<RollbackRecord>(
      COLLECTIONS.rollbackRecords,
      `${rollbackIdFor('expired')}:${isbn}`,
    );
    expect(old?.data).toEqual(expect.objectContaining({ status: 'restored', note: 'restored by recovery' }));
    expect(await now(isbn)).toEqual({ alias: '2', traffic: { '2': 100, '3': 0 } });
  });

  it('a request repeated while its run is alive is refused as in progress (retryable); once the run is dead it is recovered and answered', async () => {
    const isbn = await book();
    const stuck = Object.create(registry) as SqliteModelRegistry;
    stuck.setAlias = () => never();
    await freeze(isbn, 'dup', { registry: stuck }, async () => (await now(isbn)).traffic['1'] === 100);
    await expect(
      applyRollback(request(isbn, 'dup'), ...portsAndSettings(deps({ liveness: () => true }))),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      retryable: true,
    });
    const answered = (await applyRollback(
      request(isbn, 'dup'),
      ...portsAndSettings(deps({ liveness: dead })),
    )) as RollbackResult;
    expect(answered).toEqual(expect.objectContaining({ status: 'interrupted', replayed: true }));
    expect(await state.get(COLLECTIONS.rollbackBackups, backupIdFor('dup'))).toBeDefined();
    expect(await now(isbn)).toEqual({ alias: '3', traffic: { '2': 0, '3': 100 } });
  });
});
