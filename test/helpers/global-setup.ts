/**
 * Starts Google's Pub/Sub and Firestore emulators once for the whole jest run
 * and hands their addresses to every worker through the environment. When
 * gcloud or Java is missing, emulator suites skip and say why. A run that
 * selects only projects with no emulator suite (`npm run test:unit`) starts none.
 */
import { writeFileSync } from 'node:fs';
import { detectEmulatorSupport, startEmulator } from '../../shared/adapters/gcp/emulators';
import { EMULATOR_STATE_FILE, stopOrphanedEmulators } from './emulator-state';

/** The jest projects (jest.config.js) holding suites that talk to the emulators. */
export const EMULATOR_PROJECTS: readonly string[] = ['contract', 'integration'];

/** The part of jest's global config (`--selectProjects`, `--ignoreProjects`) this setup reads. */
export interface SelectedProjects {
  selectProjects?: readonly string[];
  ignoreProjects?: readonly string[];
}

/** Why the run needs no emulators, or undefined when a selected project may. */
export function noEmulatorsReason(
  env: Readonly<Record<string, string | undefined>>,
  selected: SelectedProjects,
): string | undefined {
  if (env.FG_TEST_NO_EMULATORS === '1') return 'FG_TEST_NO_EMULATORS=1 was set';
  const ignored = selected.ignoreProjects ?? [];
  const chosen = selected.selectProjects?.length ? selected.selectProjects : EMULATOR_PROJECTS;
  const needing = chosen.filter((p) => EMULATOR_PROJECTS.includes(p) && !ignored.includes(p));
  return needing.length === 0
    ? `no selected project needs them (${EMULATOR_PROJECTS.join(', ')} do)`
    : undefined;
}

// Jest hands globalSetup's results to its workers only through process.env
// (workers are forked after this runs and inherit it; globalThis is not
// shared). That is the one place a test file may set process.env; the guard
// in test/unit/helpers/no-env-mutation.test.ts allows this file alone.
export default async function globalSetup(globalConfig: SelectedProjects): Promise<void> {
  const orphans = stopOrphanedEmulators();
  if (orphans > 0) process.stdout.write(`\nstopped ${orphans} emulator(s) left by a killed test run\n`);
  const skip = noEmulatorsReason(process.env, globalConfig);
  if (skip) {
    process.env.FG_TEST_EMULATORS_SKIP = skip;
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
  process.env.PUBSUB_EMULATOR_HOST = pubsub.host;
  process.env.FIRESTORE_EMULATOR_HOST = firestore.host;
  process.env.METADATA_SERVER_DETECTION = 'none';
  writeFileSync(EMULATOR_STATE_FILE, JSON.stringify({ pids: [pubsub.pid, firestore.pid] }));
  process.stdout.write(
    `\nemulators up in ${Date.now() - started} ms: pubsub ${pubsub.host}, firestore ${firestore.host}\n`,
  );
}
