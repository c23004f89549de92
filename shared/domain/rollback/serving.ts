/**
 * Serving states as rollback sees them: which version serves, what a book is
 * switched to (`DesiredServing`), and whether what an endpoint and the
 * registry show now is exactly that. Pure.
 */
import type { DesiredServing, RollbackBackupEntry } from '../../contracts/documents/rollback';
import type { ServingState } from '../../contracts/model';
import { compareVersions } from '../traffic';

/**
 * The version serving a book: the one with the most traffic (the highest
 * version on a tie, as a canary at 50 % is the newer one). Null when no
 * version has traffic or there is no endpoint.
 */
export function servingVersion(serving: ServingState | null | undefined): string | null {
  let best: { version: string; trafficPercent: number } | undefined;
  for (const d of serving?.deployments ?? []) {
    if (d.trafficPercent <= 0) continue;
    if (
      !best ||
      d.trafficPercent > best.trafficPercent ||
      (d.trafficPercent === best.trafficPercent && compareVersions(d.version, best.version) > 0)
    ) {
      best = d;
    }
  }
  return best?.version ?? null;
}

/** True when `version` takes all of the book's traffic. */
export function servesOnly(serving: ServingState | null | undefined, version: string): boolean {
  return (serving?.deployments ?? []).some((d) => d.version === version && d.trafficPercent === 100);
}

/** A rollback to `version`: production alias on it, 100 % of traffic; other deployed versions stay at 0 %. */
export function desiredForVersion(version: string): DesiredServing {
  return { productionAlias: version, split: [{ version, trafficPercent: 100 }], exact: false };
}

/**
 * Putting a book back exactly as a backup holds it: the alias (or none), every
 * deployment with its share (0 % ones included), and nothing else deployed.
 * Undefined when the backup says the book had no endpoint: an endpoint cannot
 * be removed through the ServingTarget port, so that state cannot be restored.
 */
export function desiredFromEntry(entry: RollbackBackupEntry): DesiredServing | undefined {
  if (!entry.serving) return undefined;
  if (entry.serving.deployments.every((d) => d.trafficPercent === 0)) return undefined;
  return {
    productionAlias: entry.productionAlias ?? null,
    split: entry.serving.deployments
      .map((d) => ({ version: d.version, trafficPercent: d.trafficPercent }))
      .sort((a, b) => compareVersions(a.version, b.version)),
    exact: true,
  };
}

/** The split as the ServingTarget port takes it: version → percent. */
export function splitRecord(desired: DesiredServing): Record<string, number> {
  return Object.fromEntries(desired.split.map((s) => [s.version, s.trafficPercent]));
}

/**
 * Whether the registry alias and the endpoint are exactly `desired`: the
 * alias matches (absent = null), every version in the split has its share,
 * and every other deployed version has 0 % (or, when `exact`, is not deployed).
 */
export function matchesDesired(
  productionAlias: string | undefined | null,
  serving: ServingState | null | undefined,
  desired: DesiredServing,
): boolean {
  if ((productionAlias ?? null) !== desired.productionAlias) return false;
  if (!serving) return false;
  const deployed = new Map(serving.deployments.map((d) => [d.version, d.trafficPercent]));
  for (const share of desired.split) {
    const percent = deployed.get(share.version);
    if (percent === undefined || percent !== share.trafficPercent) return false;
  }
  const wanted = new Set(desired.split.map((s) => s.version));
  for (const [version, percent] of deployed) {
    if (wanted.has(version)) continue;
    if (desired.exact || percent !== 0) return false;
  }
  return true;
}

/** "alias 7, traffic 7=100 6=0" — one line for logs and error messages. */
export function describeServing(
  productionAlias: string | undefined | null,
  serving: ServingState | null,
): string {
  const traffic = serving
    ? serving.deployments.map((d) => `${d.version}=${d.trafficPercent}`).join(' ') || 'nothing deployed'
    : 'no endpoint';
  return `alias ${productionAlias ?? 'unset'}, traffic ${traffic}`;
}

/** The versions with traffic in a desired state (what a canary must answer from). */
export function liveVersions(desired: DesiredServing): string[] {
  return desired.split.filter((s) => s.trafficPercent > 0).map((s) => s.version);
}
