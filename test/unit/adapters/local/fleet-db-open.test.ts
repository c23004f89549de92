/**
 * An open that fails must not leave its SQLite connection behind: the caller
 * never gets the handle, so nothing else can close it. better-sqlite3
 * connections are not event-loop handles (`--detectOpenHandles` cannot see
 * them); a leaked one stays open until the process exits, where its close
 * (a WAL checkpoint into the file) slows the jest worker's exit. Counted here
 * by the process's open file descriptors on that file (Linux /proc).
 */
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLEET_SCHEMA_VERSION, fleetDbPath, openFleetDb } from '../../../../shared/adapters/local/fleet-db';
import { ConflictError } from '../../../../shared/errors';

const hasProcFd = (() => {
  try {
    readdirSync('/proc/self/fd');
    return true;
  } catch {
    return false;
  }
})();

/** How many of this process's file descriptors point at `file` or its -wal/-shm. */
function openFdsOn(file: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(file)) n++;
    } catch {
      // The fd readdir itself used is gone already.
    }
  }
  return n;
}

(hasProcFd ? describe : describe.skip)('openFleetDb when the migration refuses the file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fg-fleet-open-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('throws ConflictError and closes the connection it opened', () => {
    const file = fleetDbPath(dir);
    const db = openFleetDb(file);
    db.pragma(`user_version = ${FLEET_SCHEMA_VERSION + 1}`);
    db.close();
    expect(openFdsOn(file)).toBe(0);

    expect(() => openFleetDb(file)).toThrow(ConflictError);
    expect(openFdsOn(file)).toBe(0);
  });
});
