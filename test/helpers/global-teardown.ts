/** Stops the emulators global-setup started, by process group. */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { EMULATOR_STATE_FILE, isEmulatorProcess } from './emulator-state';

export default async function globalTeardown(): Promise<void> {
  if (!existsSync(EMULATOR_STATE_FILE)) return;
  const { pids } = JSON.parse(readFileSync(EMULATOR_STATE_FILE, 'utf8')) as { pids: number[] };
  for (const pid of pids) {
    if (!isEmulatorProcess(pid)) continue; // gone already, and the pid may be another's now
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  rmSync(EMULATOR_STATE_FILE, { force: true });
}
