/** Concurrent rollback requests on one book, StateStore on the Firestore emulator (five clients). */
import { FirestoreStateStore } from '../../../shared/adapters/gcp/firestore-state-store';
import { describeOnEmulators, requireEmulatorHosts, uniqueProjectId } from '../../helpers/emulators';
import { describeConcurrentRequests } from './helpers/concurrent';

describeOnEmulators('concurrent rollbacks with FirestoreStateStore', () => {
  let projectId = uniqueProjectId('demo-fg-rbc');
  const client = () =>
    new FirestoreStateStore({
      projectId,
      maxTransactionAttempts: 10,
      emulatorHost: requireEmulatorHosts().firestore,
    });
  beforeEach(() => {
    projectId = uniqueProjectId('demo-fg-rbc');
  });
  describeConcurrentRequests('firestore', client, client);
});
