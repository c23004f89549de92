/**
 * SIGKILL during an all-models rollback with the StateStore on the Firestore
 * emulator; recovery and restore through the service. Fewer kills than the
 * embedded suite (every child loads the Google client, seconds each), and
 * only before the first book is recorded: a transaction the killed child left
 * open keeps its documents locked for about a minute (measured: ~60 s on the
 * emulator), which recovery reports as retryable and must wait out. The
 * embedded suite kills anywhere.
 */
import { FirestoreStateStore } from '../../../shared/adapters/gcp/firestore-state-store';
import { describeOnEmulators, requireEmulatorHosts, uniqueProjectId } from '../../helpers/emulators';
import { describeKillRecovery } from './helpers/kill';

describeOnEmulators('SIGKILL with FirestoreStateStore', () => {
  const project = uniqueProjectId('demo-fg-kill');
  describeKillRecovery('firestore', () => ({
    iterations: 3,
    books: 20,
    beforeFirstRecord: true,
    project,
    viaCli: false,
    makeState: () =>
      new FirestoreStateStore({ projectId: project, emulatorHost: requireEmulatorHosts().firestore }),
  }));
});
