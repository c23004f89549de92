/**
 * Starts Google's Pub/Sub and Firestore emulators once for the whole jest run
 * and hands their addresses to every worker through the environment. When
 * gcloud or Java is missing, emulator suites skip and say why. With
 * FG_TEST_NO_EMULATORS=1 it starts none: `npm run test:unit` sets it, since no
 * unit suite uses them (test/unit/helpers/jest-projects.test.ts keeps that true).
 * Jest gives this hook no way to see which projects `--selectProjects` chose.
 */
import { writeFileSync } from 'node:fs';
import { detectEmulatorSupport, startEmulator } from '../../shared/adapters/gcp/emulators';
import { EMULATOR_STATE_FILE, stopOrphanedEmulators } from './emulator-state';

// Jest hands globalSetup's results to its workers only through process.env
// (workers are forked after this runs and inherit it; globalThis is not
// shared), so the guard in test/unit/helpers/no-env-mutation.test.ts allows
// this file to set process.env; tests themselves never do.
export default async function globalSetup(): Promise<void> {
  const orphans = stopOrphanedEmulators();
  if (orphans > 0) process.stdout.write(`\nstopped ${orphans} emulator(s) left by a killed test run\n`);
  if (process.env.FG_TEST_NO_EMULATORS === '1') {
    process.env.FG_TEST_EMULATORS_SKIP = 'FG_TEST_NO_EMULATORS=1 was set';
    return;
  }
  const support = detectEmulatorSupport();
  if (!support.available || !support.sdkRoot) {
    process.env.FG_TEST_EMULATORS_SKIP = support.reason ?? 'emulators unavailable';
    process.stdout.write(`\nemulator suites will skip: ${process.env.FG_TEST_EMULATORS_SKIP}\n`);
    return;
  }
  const started = Date.now();
  const [pubsub, firestore] = await Promise.all([
    startEmulator('pubsub', { sdkRoot: support.sdkRoot }),
    startEmulator('firestore', { sdkRoot: support.sdkRoot }),
  ]);
  // Not the client libraries' own variable names: see test/helpers/emulators.ts.
  process.env.FG_TEST_PUBSUB_EMULATOR_HOST = pubsub.host;
  process.env.FG_TEST_FIRESTORE_EMULATOR_HOST = firestore.host;
  writeFileSync(EMULATOR_STATE_FILE, JSON.stringify({ pids: [pubsub.pid, firestore.pid] }));
  process.stdout.write(
    `\nemulators up in ${Date.now() - started} ms: pubsub ${pubsub.host}, firestore ${firestore.host}\n`,
  );
}
