/**
 * Firestore for state and Pub/Sub for events (FG_BACKEND=gcp, or their
 * emulators). Kept apart from backend.ts and required only when a config
 * needs them, because loading `@google-cloud/firestore` and
 * `@google-cloud/pubsub` costs about 300 ms of a cold start (measured with
 * bench/cold-start.ts), which every function and CLI process on the embedded
 * backend would otherwise pay for clients it never opens.
 */
import { FirestoreStateStore } from '../adapters/gcp/firestore-state-store';
import { PubSubEventBus } from '../adapters/gcp/pubsub-event-bus';
import type { Clock } from '../ports/clock';
import type { EventBus } from '../ports/event-bus';
import type { StateStore } from '../ports/state-store';

export interface GcpStateBusOptions {
  projectId: string;
  clock: Clock;
  emulators: { firestore?: string; pubsub?: string };
}

/** The state store and event bus on Google Cloud (or its emulators). */
export function openGcpStateAndBus(options: GcpStateBusOptions): { state: StateStore; bus: EventBus } {
  const { projectId, clock, emulators } = options;
  return {
    state: new FirestoreStateStore({ projectId, clock, emulatorHost: emulators.firestore }),
    bus: new PubSubEventBus({ projectId, clock, emulatorHost: emulators.pubsub }),
  };
}
