/** The alerting done-when checks (done-when.ts) with the state on Google's Firestore emulator. */
import { describeOnEmulators } from '../../helpers/emulators';
import { describeDoneWhen } from './done-when';
import { firestoreState } from './harness';

describeOnEmulators('alert dispatch on Firestore', () => describeDoneWhen(firestoreState));
