/**
 * `fleet.json`: what `seed` built in a state directory. Seed reads it to
 * answer a second run and writes it last; the embedded backend's clock reads
 * `asOf` from it (shared/wiring/fleet-clock.ts).
 */
export interface FleetManifest {
  /** ISO date-time the synthetic world stands at (just after its last week of actuals). */
  asOf: string;
  books: number;
  seed: number;
  seededAt: string;
  /** Fingerprint of what was seeded (catalogue, seed, versions): equal → seeding again is a no-op. */
  fingerprint: string;
}
