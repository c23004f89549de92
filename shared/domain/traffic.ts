/**
 * Traffic splits on a book's endpoint: checking a requested split and picking
 * the version one request is served by. Pure; randomness is passed in so a
 * seeded generator (shared/fleet/prng.ts) makes the choice reproducible.
 */
import { ValidationError } from '../errors';

/** A version's share of an endpoint's traffic, in whole percent. */
export interface TrafficShare {
  version: string;
  trafficPercent: number;
}

/** Versions sorted as numbers ("2" before "10"), so picks and listings are stable. */
export function compareVersions(a: string, b: string): number {
  const diff = Number(a) - Number(b);
  return diff !== 0 && !Number.isNaN(diff) ? diff : a.localeCompare(b);
}

/**
 * Checks a requested split: at least one version, decimal version ids, whole
 * percents 0–100, summing to exactly 100 (Vertex AI's rule). Returns the shares
 * sorted by version; throws a ValidationError naming every bad entry.
 */
export function validateTrafficSplit(split: unknown): TrafficShare[] {
  if (typeof split !== 'object' || split === null || Array.isArray(split)) {
    throw new ValidationError('split: must be an object of version → percent, e.g. {"3": 100}', ['split']);
  }
  const problems: string[] = [];
  const fields: string[] = [];
  const shares: TrafficShare[] = [];
  for (const [version, percent] of Object.entries(split as Record<string, unknown>)) {
    const field = `split["${version}"]`;
    if (!/^[0-9]+$/.test(version)) {
      problems.push(`${field}: version must be a decimal id like "3"`);
      fields.push(field);
    } else if (typeof percent !== 'number' || !Number.isInteger(percent) || percent < 0 || percent > 100) {
      problems.push(
        `${field}: percent must be a whole number from 0 to 100 (got ${JSON.stringify(percent)})`,
      );
      fields.push(field);
    } else {
      shares.push({ version, trafficPercent: percent });
    }
  }
  if (problems.length > 0) throw new ValidationError(problems.join('; '), fields);
  if (shares.length === 0) {
    throw new ValidationError('split: must name at least one version', ['split']);
  }
  const total = shares.reduce((sum, s) => sum + s.trafficPercent, 0);
  if (total !== 100) {
    const parts = shares.map((s) => `${s.version}=${s.trafficPercent}`).join(', ');
    throw new ValidationError(`split: percents must sum to 100 (got ${total}: ${parts})`, ['split']);
  }
  return shares.sort((a, b) => compareVersions(a.version, b.version));
}

/**
 * The version one request goes to: `random()` in [0, 1) scaled to 0–100 falls
 * into one version's band (bands in version order). Versions at 0 % are never
 * picked. Undefined when no version has traffic.
 */
export function pickByTraffic(shares: readonly TrafficShare[], random: () => number): string | undefined {
  const live = shares
    .filter((s) => s.trafficPercent > 0)
    .sort((a, b) => compareVersions(a.version, b.version));
  if (live.length === 0) return undefined;
  const total = live.reduce((sum, s) => sum + s.trafficPercent, 0);
  const point = random() * total;
  let upTo = 0;
  for (const share of live) {
    upTo += share.trafficPercent;
    if (point < upTo) return share.version;
  }
  // random() may return a value at the top edge (e.g. a test's 0.9999…); the last band takes it.
  return live[live.length - 1]?.version;
}
