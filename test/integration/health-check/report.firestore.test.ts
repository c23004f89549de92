/**
 * A HealthReport written through the Firestore adapter carries the
 * `expireAtTs` Timestamp the TTL policy on health-reports acts on (infra/
 * firestore.tf): without it Firestore never deletes a report.
 */
import { Firestore, Timestamp } from '@google-cloud/firestore';
import { firestoreEmulatorSettings } from '../../../shared/adapters/gcp/emulator-clients';
import { resetFirestoreEmulator } from '../../../shared/adapters/gcp/emulators';
import { FirestoreStateStore } from '../../../shared/adapters/gcp/firestore-state-store';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import type { HealthReport } from '../../../shared/contracts/documents/health-report';
import { systemClock, type Clock } from '../../../shared/ports/clock';
import { writeReport } from '../../../shared/services/health-check/report';
import { describeOnEmulators, requireEmulatorHosts, uniqueProjectId } from '../../helpers/emulators';

describeOnEmulators('HealthReport on Firestore', () => {
  const projectId = uniqueProjectId('demo-fg-health-report');
  let nowMs = Date.parse('2025-01-01T12:00:00.000Z');
  const clock: Clock = { now: () => new Date(nowMs), sleep: systemClock.sleep };
  let store: FirestoreStateStore;
  let raw: Firestore;

  beforeAll(() => {
    const host = requireEmulatorHosts().firestore;
    store = new FirestoreStateStore({ projectId, clock, emulatorHost: host });
    raw = new Firestore({ projectId, ...firestoreEmulatorSettings(host) });
  });
  afterAll(async () => {
    await store.close();
    await raw.terminate();
    await resetFirestoreEmulator(requireEmulatorHosts().firestore, projectId);
  });

  it('writes expireAt 30 days after the run finished and its Timestamp copy in expireAtTs', async () => {
    const report: HealthReport = {
      runId: 'hc-1',
      trigger: 'schedule',
      startedAt: '2025-01-01T08:00:00.000Z',
      finishedAt: '2025-01-01T08:00:05.000Z',
      durationMs: 5000,
      status: 'healthy',
      registry: { ok: true, latencyMs: 1 },
      models: [],
      alerts: [],
      correlationId: 'corr-hc-1',
    };
    await writeReport(store, report);
    const data = (await raw.collection(COLLECTIONS.healthReports).doc('hc-1').get()).data()!;
    expect(data.expireAt).toBe('2025-01-31T08:00:05.000Z');
    expect(data.expireAtTs).toBeInstanceOf(Timestamp);
    expect((data.expireAtTs as Timestamp).toDate().toISOString()).toBe('2025-01-31T08:00:05.000Z');
    expect((await store.get(COLLECTIONS.healthReports, 'hc-1'))?.data).toMatchObject({ runId: 'hc-1' });
    nowMs = Date.parse('2025-01-31T08:00:05.000Z');
    expect(await store.get(COLLECTIONS.healthReports, 'hc-1')).toBeUndefined();
  });
});
