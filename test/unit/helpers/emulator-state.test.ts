/**
 * Stopping a killed run's emulators must not stop whatever process now
 * holds one of their old pids (pids wrap at 32,768 here).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive, isEmulatorProcess, stopOrphanedEmulators } from '../../helpers/emulator-state';

/** A detached process (its own group) whose command line reads `name`. */
function detached(name: string): ChildProcess {
  const child = spawn('bash', ['-c', `exec -a ${name} sleep 30`], { detached: true, stdio: 'ignore' });
  child.unref();
  return child;
}

const waitFor = async (cond: () => boolean) => {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
};

describe('stopOrphanedEmulators', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.pid && alive(c.pid)) process.kill(-c.pid, 'SIGKILL');
  });

  it("stops a dead run's emulator, and leaves alone a process that took another of its old pids", async () => {
    const emulator = detached('fake-cloud-pubsub-emulator');
    const stranger = detached('fg-function-process');
    children.push(emulator, stranger);
    await waitFor(() => isEmulatorProcess(emulator.pid!));
    expect(isEmulatorProcess(emulator.pid!)).toBe(true);
    expect(isEmulatorProcess(stranger.pid!)).toBe(false);

    const deadJest = spawnSync('true').pid; // a pid whose process is gone
    const file = join(tmpdir(), `forecast-guard-emulators-1-${deadJest}.json`);
    writeFileSync(file, JSON.stringify({ pids: [emulator.pid, stranger.pid] }));

    expect(stopOrphanedEmulators()).toBe(1);
    await waitFor(() => !alive(emulator.pid!));
    expect(alive(emulator.pid!)).toBe(false);
    expect(alive(stranger.pid!)).toBe(true);
    expect(existsSync(file)).toBe(false);
  });
});
