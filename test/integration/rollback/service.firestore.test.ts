/**
 * The rollback service with its StateStore on Google's Firestore emulator
 * (leases, backups, records, history, idempotency); registry, endpoint and
 * queue stay embedded. Each case gets its own Firestore project.
 */
import { FirestoreStateStore } from '../../../shared/adapters/gcp/firestore-state-store';
import { describeOnEmulators, requireEmulatorHosts, uniqueProjectId } from '../../helpers/emulators';
import { describeRollbackScenarios } from './helpers/scenarios';

describeOnEmulators('rollback with FirestoreStateStore', () => {
  describeRollbackScenarios(
    'firestore',
    () =>
      new FirestoreStateStore({
        projectId: uniqueProjectId('demo-fg-rb'),
        emulatorHost: requireEmulatorHosts().firestore,
      }),
  );
});
