import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where global-setup leaves the emulator PIDs for global-teardown. */
export const EMULATOR_STATE_FILE = join(
  tmpdir(),
  `forecast-guard-emulators-${process.ppid}-${process.pid}.json`,
);
