/**
 * The StateStore contract on Google's Firestore emulator (one project id per
 * suite, emptied after each case), then what only the Firestore adapter
 * does: the `expireAtTs` Timestamp a TTL policy needs, batches above 500
 * writes, contention between separate clients, and SDK error translation.
 */
import { Firestore, Timestamp } from '@google-cloud/firestore';
import { firestoreEmulatorSettings } from '../../shared/adapters/gcp/emulator-clients';
import { resetFirestoreEmulator } from '../../shared/adapters/gcp/emulators';
import { fromFirestoreError } from '../../shared/adapters/gcp/firestore-errors';
import { FirestoreStateStore } from '../../shared/adapters/gcp/firestore-state-store';
import { systemClock, type Clock } from '../../shared/ports/clock';
import {
  BackendUnavailableError,
  ConfigError,
  ConflictError,
  NotFoundError,
  ValidationError,
} from '../../shared/errors';
import { describeOnEmulators, requireEmulatorHosts, uniqueProjectId } from '../helpers/emulators';
import { reportFigure } from '../helpers/figures';
import { describeStateStoreContract } from './state-store.contract';

const SUITE = 'state-store[firestore]';

const emulatorHost = (): string => requireEmulatorHosts().firestore;

describeOnEmulators('FirestoreStateStore', () => {
  const projectId = uniqueProjectId('demo-fg-state');
  const opened: Array<{ close(): Promise<unknown> }> = [];
  const open = (maxTransactionAttempts?: number, clock?: Clock): FirestoreStateStore => {
    const store = new FirestoreStateStore({
      projectId,
      maxTransactionAttempts,
      clock,
      emulatorHost: emulatorHost(),
    });
    opened.push(store);
    return store;
  };
  const closeAll = async (): Promise<void> => {
    for (const s of opened.splice(0)) await s.close();
    await resetFirestoreEmulator(emulatorHost(), projectId);
  };

  describeStateStoreContract('firestore', async () => ({
    store: open(),
    reopen: async () => open(),
    cleanup: closeAll,
  }));

  describe('Firestore only', () => {
    afterEach(closeAll);

    it('stores times as strings and keeps a Timestamp copy of expireAt in expireAtTs for the TTL policy', async () => {
      // The store hides a document once its clock passes expireAt: pin that clock before the
      // fixed expireAt, so the case reads the same on any day the suite runs.
      const clock: Clock = { now: () => new Date('2026-11-15T00:00:00.000Z'), sleep: systemClock.sleep };
      const store = open(undefined, clock);
      const expireAt = '2026-12-01T10:00:00.250Z';
      await store.set('processed', 'm1', { at: '2026-11-01T00:00:00.000Z', expireAt });
      const raw = new Firestore({ projectId, ...firestoreEmulatorSettings(emulatorHost()) });
      opened.push({ close: () => raw.terminate() });
      const data = (await raw.collection('processed').doc('m1').get()).data()!;
      expect(data.at).toBe('2026-11-01T00:00:00.000Z');
      expect(data.expireAt).toBe(expireAt);
      expect(data.expireAtTs).toBeInstanceOf(Timestamp);
      expect((data.expireAtTs as Timestamp).toDate().toISOString()).toBe(expireAt);
      // The copy is the adapter's business: readers never see it.
      expect((await store.get('processed', 'm1'))?.data).toEqual({
        at: '2026-11-01T00:00:00.000Z',
        expireAt,
      });
      reportFigure(SUITE, 'expire-at-ts', 'expireAt kept as string, expireAtTs as Timestamp, hidden on read');
    });

    it('splits a batchSet above 500 writes into chunks that all land', async () => {
      const store = open();
      const writes = Array.from({ length: 1201 }, (_, i) => ({
        collection: 'backups',
        id: `b-${String(i).padStart(4, '0')}`,
        data: { i },
      }));
      const started = Date.now();
      await store.batchSet(writes);
      const elapsed = Date.now() - started;
      const stored = await store.query<{ i: number }>('backups', {
        orderBy: { field: 'i', direction: 'desc' },
        limit: 2,
      });
      expect(stored.map((d) => d.data.i)).toEqual([1200, 1199]);
      expect(await store.query('backups')).toHaveLength(1201);
      reportFigure(SUITE, 'batch-1201', `1201 writes in 3 batches in ${elapsed} ms`);
    });

    it('loses no increment when three clients (three instances) contend on one document', async () => {
      // Each emulator collision costs its ~2.3 s lock timeout; 10 attempts leave room for unlucky runs.
      const clients = [open(10), open(10), open(10)];
      await clients[0]!.set('counters', 'c', { n: 0 });
      const started = Date.now();
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          clients[i % 3]!.runTransaction(async (tx) => {
            const doc = await tx.get<{ n: number }>('counters', 'c');
            tx.set('counters', 'c', { n: doc!.data.n + 1 });
          }),
        ),
      );
      const elapsed = Date.now() - started;
      expect((await clients[1]!.get('counters', 'c'))?.data).toEqual({ n: 12 });
      const retries = clients
        .map((c) => c.transactionStats())
        .reduce((sum, s) => sum + s.attempts - s.transactions, 0);
      reportFigure(SUITE, 'three-clients-x12', `final 12 in ${elapsed} ms, retries ${retries}`);
    }, 45_000);
  });
});

describe('FirestoreStateStore without a server', () => {
  it('translates SDK status codes into the shared error classes', () => {
    const sdk = (code: number, message: string) => Object.assign(new Error(message), { code });
    const cases: Array<[number, new (...args: never[]) => Error, boolean]> = [
      [6, ConflictError, false],
      [5, NotFoundError, false],
      [3, ValidationError, false],
      [9, ConflictError, false],
      [10, BackendUnavailableError, true],
      [14, BackendUnavailableError, true],
      [4, BackendUnavailableError, true],
      [8, BackendUnavailableError, true],
      [7, BackendUnavailableError, false],
      [16, BackendUnavailableError, false],
    ];
    for (const [code, type, retryable] of cases) {
      const err = fromFirestoreError(sdk(code, `${code} SOMETHING: detail`), 'get') as Error & {
        retryable: boolean;
      };
      expect(err).toBeInstanceOf(type);
      expect(err.retryable).toBe(retryable);
      expect(err.message).toContain('firestore get failed');
      expect(err.cause).toBeInstanceOf(Error);
    }
    const own = new Error('callback failed');
    expect(fromFirestoreError(own, 'runTransaction', true)).toBe(own);
    expect(fromFirestoreError(own, 'get')).toBeInstanceOf(BackendUnavailableError);
  });

  it('names the option that is wrong', () => {
    expect(() => new FirestoreStateStore({ projectId: '' })).toThrow(ConfigError);
    expect(() => new FirestoreStateStore({ projectId: 'p', maxTransactionAttempts: 0 })).toThrow(
      'maxTransactionAttempts must be an integer >= 1',
    );
  });
});
