/** The alerting done-when checks (done-when.ts) with the embedded SQLite state store. */
import { describeDoneWhen } from './done-when';
import { embeddedState } from './harness';

describeDoneWhen(embeddedState);
