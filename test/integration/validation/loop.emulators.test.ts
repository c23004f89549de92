/** The post-deploy loop with the StateStore on Firestore's emulator and the EventBus on Pub/Sub's. */
import { FirestoreStateStore } from '../../../shared/adapters/gcp/firestore-state-store';
import { PubSubEventBus } from '../../../shared/adapters/gcp/pubsub-event-bus';
import { describeOnEmulators, requireEmulatorHosts, uniqueProjectId } from '../../helpers/emulators';
import { describeBrokenVersionLoop } from './broken-versions';
import { seedLoopWorld } from './loop';

describeOnEmulators('post-deploy validation loop', () => {
  describeBrokenVersionLoop('firestore+pubsub', () => {
    const projectId = uniqueProjectId('demo-fg-val');
    return seedLoopWorld(3, () => ({
      state: new FirestoreStateStore({ projectId, emulatorHost: requireEmulatorHosts().firestore }),
      bus: new PubSubEventBus({ projectId, emulatorHost: requireEmulatorHosts().pubsub }),
    }));
  });
});
