/**
 * For suites that need Google's emulators: `describeOnEmulators` runs the
 * suite against the emulators global-setup started, or skips it with the
 * reason printed once.
 */
import { randomUUID } from 'node:crypto';

export function emulatorHosts(): { pubsub: string; firestore: string } | undefined {
  const pubsub = process.env.PUBSUB_EMULATOR_HOST;
  const firestore = process.env.FIRESTORE_EMULATOR_HOST;
  return pubsub && firestore ? { pubsub, firestore } : undefined;
}

export function describeOnEmulators(name: string, fn: () => void): void {
  if (emulatorHosts()) {
    describe(`${name} [emulators]`, fn);
    return;
  }
  const reason = process.env.FG_TEST_EMULATORS_SKIP ?? 'emulators were not started';
  console.warn(`SKIPPED ${name}: ${reason}`);
  describe.skip(`${name} [emulators skipped: ${reason}]`, fn);
}

/** A Firestore project id / topic prefix no other suite uses, so suites never share data. */
export function uniqueProjectId(prefix = 'demo-fg'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
