import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'forecast-guard-emulators-';

/** Where global-setup leaves the emulator PIDs for global-teardown (named after the jest process). */
export const EMULATOR_STATE_FILE = join(tmpdir(), `${PREFIX}${process.ppid}-${process.pid}.json`);

/** Whether a process with this pid exists (signal 0 checks without sending). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether `pid` is still an emulator's process-group leader. This machine's
 * pid_max is 32,768 and a test run starts thousands of processes, so a pid
 * from an old state file is soon someone else's: killing its group blindly
 * once took down a function process of another test run.
 */
export function isEmulatorProcess(pid: number): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /emulator/.test(cmdline);
  } catch {
    return false;
  }
}

/**
 * A jest run killed outright never runs its teardown, and its emulators (own
 * process groups) live on holding memory and ports. The next run stops the
 * emulators of every state file whose jest process is gone, when the pid
 * still names an emulator.
 */
export function stopOrphanedEmulators(): number {
  let stopped = 0;
  for (const name of readdirSync(tmpdir())) {
    const match = new RegExp(`^${PREFIX}\\d+-(\\d+)\\.json$`).exec(name);
    if (!match || alive(Number(match[1]))) continue;
    const file = join(tmpdir(), name);
    try {
      const { pids } = JSON.parse(readFileSync(file, 'utf8')) as { pids: number[] };
      for (const pid of pids) {
        if (!isEmulatorProcess(pid)) continue;
        try {
          process.kill(-pid, 'SIGTERM');
          stopped++;
        } catch {
          /* already gone */
        }
      }
    } catch {
      /* unreadable: just remove it */
    }
    rmSync(file, { force: true });
  }
  return stopped;
}
