/**
 * For suites that need Google's emulators: `describeOnEmulators` runs the
 * suite against the emulators global-setup started, or skips it with the
 * reason printed once.
 *
 * Global setup hands the emulators' addresses to the workers under names of
 * its own (FG_TEST_*), never as the client libraries' FIRESTORE_EMULATOR_HOST
 * and PUBSUB_EMULATOR_HOST: a client finds an emulator only because a test
 * passes its host, in a config (`emulatorEnv()`), an adapter option or a
 * child's spawn env, so a suite can point its clients at emulators of its own.
 */
import { randomUUID } from 'node:crypto';

/** The variables global-setup sets for the workers. */
export const EMULATOR_HOST_VARS = {
  pubsub: 'FG_TEST_PUBSUB_EMULATOR_HOST',
  firestore: 'FG_TEST_FIRESTORE_EMULATOR_HOST',
} as const;

export function emulatorHosts(): { pubsub: string; firestore: string } | undefined {
  const pubsub = process.env[EMULATOR_HOST_VARS.pubsub];
  const firestore = process.env[EMULATOR_HOST_VARS.firestore];
  return pubsub && firestore ? { pubsub, firestore } : undefined;
}

/** The hosts, inside a suite that `describeOnEmulators` runs (it throws outside one). */
export function requireEmulatorHosts(): { pubsub: string; firestore: string } {
  const hosts = emulatorHosts();
  if (!hosts) throw new Error(`${EMULATOR_HOST_VARS.pubsub} / ${EMULATOR_HOST_VARS.firestore} are not set`);
  return hosts;
}

/** The configuration variables that point forecast-guard (or a child process) at the shared emulators. */
export function emulatorEnv(): { PUBSUB_EMULATOR_HOST: string; FIRESTORE_EMULATOR_HOST: string } {
  const hosts = requireEmulatorHosts();
  return { PUBSUB_EMULATOR_HOST: hosts.pubsub, FIRESTORE_EMULATOR_HOST: hosts.firestore };
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
