/** Stops the emulators global-setup started, by process group. */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { EMULATOR_STATE_FILE } from './emulator-state';

export default async function globalTeardown(): Promise<void> {
  if (!existsSync(EMULATOR_STATE_FILE)) return;
  const { pids } = JSON.parse(readFileSync(EMULATOR_STATE_FILE, 'utf8')) as { pids: number[] };
  for (const pid of pids) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  rmSync(EMULATOR_STATE_FILE, { force: true });
}
