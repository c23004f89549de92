/**
 * The embedded backend's clock. Its synthetic sales end on a fixed date
 * (`asOf` in fleet.json, written by `seed`), so "now" on that backend is
 * that date plus the time elapsed since it was seeded: health checks
 * see fresh actuals and schedules still tick in real time.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetManifest } from '../fleet/manifest';
import { systemClock, type Clock } from '../ports/clock';

export const FLEET_MANIFEST_FILE = 'fleet.json';

export type { FleetManifest };

export function readFleetManifest(stateDir: string): FleetManifest | undefined {
  const file = join(stateDir, FLEET_MANIFEST_FILE);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as FleetManifest;
}

/**
 * A clock anchored at the seeded world's date; the system clock when nothing
 * is seeded. It stands at `asOf` when the fleet was seeded and runs in real
 * time from there, so every process on one state directory (CLI runs, the
 * local stack) reads the same time and times written by one order correctly
 * against times written by another.
 */
export function fleetClock(stateDir: string, base: Clock = systemClock): Clock {
  const manifest = readFleetManifest(stateDir);
  if (!manifest) return base;
  const seededAt = Date.parse(manifest.seededAt);
  // A manifest without a usable seededAt (hand-written) anchors at this process's start, as before.
  const anchor = Number.isNaN(seededAt) ? base.now().getTime() : seededAt;
  const offsetMs = Date.parse(manifest.asOf) - anchor;
  return { now: () => new Date(base.now().getTime() + offsetMs), sleep: (ms) => base.sleep(ms) };
}
