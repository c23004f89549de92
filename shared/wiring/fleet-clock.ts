/**
 * The embedded backend's clock. Its synthetic sales end on a fixed date
 * (`asOf` in fleet.json, written by `seed`), so "now" on that backend is
 * that date plus the time elapsed since this process started: health checks
 * see fresh actuals and schedules still tick in real time.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock, type Clock } from '../ports/clock';

export const FLEET_MANIFEST_FILE = 'fleet.json';

export interface FleetManifest {
  /** ISO date-time the synthetic world stands at (just after its last week of actuals). */
  asOf: string;
  books: number;
  seed: number;
  seededAt: string;
  /** Fingerprint of what was seeded (catalogue, seed, versions): equal → seeding again is a no-op. */
  fingerprint: string;
}

export function readFleetManifest(stateDir: string): FleetManifest | undefined {
  const file = join(stateDir, FLEET_MANIFEST_FILE);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as FleetManifest;
}

/** A clock anchored at the seeded world's date; the system clock when nothing is seeded. */
export function fleetClock(stateDir: string, base: Clock = systemClock): Clock {
  const manifest = readFleetManifest(stateDir);
  if (!manifest) return base;
  const offsetMs = Date.parse(manifest.asOf) - base.now().getTime();
  return { now: () => new Date(base.now().getTime() + offsetMs), sleep: (ms) => base.sleep(ms) };
}
