/**
 * One jest run for the whole suite, split into projects by test folder so a
 * layer can run alone (`npm run test:unit`). Google's emulators are started
 * once in global-setup, only when a selected project needs them (contract and
 * integration), and skip, saying why, when gcloud or Java is absent.
 * @type {import('jest').Config}
 */

/** The projects, in the order jest lists them; each is the folder test/<name>. */
const PROJECTS = ['unit', 'contract', 'integration', 'infra', 'browser'];

const TEST_TIMEOUT_MS = 30000;

/** @type {(name: string) => import('jest').Config} */
function project(name) {
  return {
    displayName: name,
    rootDir: __dirname,
    testEnvironment: 'node',
    roots: [`<rootDir>/test/${name}`],
    testMatch: ['**/*.test.ts'],
    transform: {
      '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    },
    testTimeout: TEST_TIMEOUT_MS,
  };
}

module.exports = {
  projects: PROJECTS.map(project),
  // Top-level hooks run once per jest run, whichever projects are selected.
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  testTimeout: TEST_TIMEOUT_MS,
  maxWorkers: 2,
  // How long jest waits for a worker to exit once the run is over before it
  // SIGTERMs it and prints "A worker process has failed to exit gracefully"
  // (default 500 ms). Measured with nothing left open in the worker (no
  // handles, no requests, no SQLite files): the 'exit' event fires 15-90 ms
  // after jest's end message, and Node then spends 120-430 ms tearing down the
  // worker's 0.5-1.3 GB heap (~1 200 munmaps under strace) before it is gone.
  // On a 2-core machine under heavy load that alone passes 500 ms, so the
  // warning was a false alarm there. The option: jest 30 (jestjs/jest#15984).
  workerGracefulExitTimeout: 5000,
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
};
