/**
 * Rollback groups its state writes across books with the StateStore on
 * Google's Firestore emulator (see helpers/batching.ts); registry, endpoint
 * and queue stay embedded. Each case gets its own Firestore project.
 */
import { FirestoreStateStore } from '../../../shared/adapters/gcp/firestore-state-store';
import { describeOnEmulators, requireEmulatorHosts, uniqueProjectId } from '../../helpers/emulators';
import { describeBatching } from './helpers/batching';

describeOnEmulators('rollback batching with FirestoreStateStore', () => {
  describeBatching(
    'firestore',
    () =>
      new FirestoreStateStore({
        projectId: uniqueProjectId('demo-fg-batch'),
        emulatorHost: requireEmulatorHosts().firestore,
      }),
  );
});
