/**
 * Target resolution: which version "22", "previous" or "last-known-good"
 * means for one book, or why it cannot be used. Pure: it reads only the
 * book's snapshot.
 *
 * - `version`: that registry version; unknown → refused, listing the
 *   versions there are; quarantined → refused unless `force` (recorded).
 * - `previous`: the version that served before the current one. Source, in
 *   order: (1) the serving history every rollback (and deploy) keeps on the
 *   book's lease document: the newest entry that is not the current version
 *   and is still registered and not quarantined; (2) without such an entry,
 *   the highest non-quarantined version below the current one that is still
 *   deployed (at 0 %: the fast flip); (3) else the highest non-quarantined
 *   version below the current one. Quarantined versions are never picked
 *   (`force` does not change that: name the version to force it).
 * - `last-known-good`: the StateStore pointer (`last-known-good/<isbn>`), the
 *   last version that passed post-deploy validation. A pointer that names a
 *   quarantined version is refused even with `force`: it contradicts its own
 *   definition, so the caller must name a version.
 */
import type { RollbackTarget } from '../../contracts/messages/rollback-request';
import { compareVersions } from '../traffic';
import { previousFromHistory } from './history';
import { servingVersion } from './serving';
import type { BookSnapshot, RefusalKind, VersionInfo } from './types';

/** How many version ids a refusal lists before eliding the middle. */
const LISTED = 20;

/** A version to switch to (with how it was found), or why there is none. */
export type ResolvedTarget =
  | { ok: true; to: string; forced: boolean; via: string }
  | { ok: false; problem: RefusalKind; to: string | null; reason: string };

/** "1, 2, 3" or "1, 2, 3, …, 40, 41" for long histories; "none" for none. */
export function listVersions(versions: readonly VersionInfo[]): string {
  const ids = versions.map((v) => (v.quarantined ? `${v.version} (quarantined)` : v.version));
  if (ids.length === 0) return 'none';
  if (ids.length <= LISTED) return ids.join(', ');
  return `${ids.slice(0, 3).join(', ')}, …, ${ids.slice(-(LISTED - 3)).join(', ')}`;
}

function quarantineText(v: VersionInfo): string {
  return v.quarantineReason ? `quarantined: ${v.quarantineReason}` : 'quarantined';
}

/** Resolves `target` for one registered book. `force` allows a quarantined explicit version. */
export function resolveTarget(target: RollbackTarget, book: BookSnapshot, force: boolean): ResolvedTarget {
  const byId = new Map(book.versions.map((v) => [v.version, v]));
  switch (target.kind) {
    case 'version':
      return resolveVersion(target.version, book, byId, force);
    case 'previous':
      return resolvePrevious(book, (version) => byId.get(version)?.quarantined === false);
    case 'last-known-good':
      return resolveLastKnownGood(book, byId);
  }
}

/** An explicit version: it must be registered, and not quarantined unless forced. */
function resolveVersion(
  version: string,
  book: BookSnapshot,
  byId: ReadonlyMap<string, VersionInfo>,
  force: boolean,
): ResolvedTarget {
  const info = byId.get(version);
  if (!info) {
    return {
      ok: false,
      problem: 'unknown-version',
      to: version,
      reason: `ISBN ${book.isbn} has no version "${version}" (versions: ${listVersions(book.versions)})`,
    };
  }
  if (info.quarantined && !force) {
    return {
      ok: false,
      problem: 'quarantined',
      to: version,
      reason: `version ${version} of ISBN ${book.isbn} is ${quarantineText(info)}; pass force (--force) to roll back to it anyway`,
    };
  }
  return { ok: true, to: version, forced: info.quarantined, via: `version ${version}` };
}

/** `previous`, from the serving history first, then the versions below the current one (module comment). */
function resolvePrevious(book: BookSnapshot, usable: (version: string) => boolean): ResolvedTarget {
  const current = servingVersion(book.serving);
  if (current === null) {
    return { ok: false, problem: 'not-served', to: null, reason: `ISBN ${book.isbn} serves no version` };
  }
  const fromHistory = previousFromHistory(book.history, current, usable);
  if (fromHistory !== undefined) {
    return { ok: true, to: fromHistory, forced: false, via: 'previous (serving history)' };
  }
  const below = book.versions
    .filter((v) => !v.quarantined && compareVersions(v.version, current) < 0)
    .map((v) => v.version)
    .sort(compareVersions);
  const deployed = new Set((book.serving?.deployments ?? []).map((d) => d.version));
  const stillDeployed = below.filter((v) => deployed.has(v));
  const pick = stillDeployed[stillDeployed.length - 1] ?? below[below.length - 1];
  if (pick === undefined) {
    return {
      ok: false,
      problem: 'no-previous',
      to: null,
      reason: `ISBN ${book.isbn} has no previous version: no serving history and no non-quarantined version below ${current} (versions: ${listVersions(book.versions)})`,
    };
  }
  const via = deployed.has(pick)
    ? 'previous (highest lower version still deployed)'
    : 'previous (highest lower version)';
  return { ok: true, to: pick, forced: false, via };
}

/** The last-known-good pointer: it must name a registered version that is not quarantined, `force` or not. */
function resolveLastKnownGood(book: BookSnapshot, byId: ReadonlyMap<string, VersionInfo>): ResolvedTarget {
  const lkg = book.lastKnownGood;
  if (lkg === undefined) {
    return {
      ok: false,
      problem: 'no-last-known-good',
      to: null,
      reason: `ISBN ${book.isbn} has no last-known-good version (no version has passed post-deploy validation); name a version`,
    };
  }
  const info = byId.get(lkg);
  if (!info) {
    return {
      ok: false,
      problem: 'unknown-version',
      to: lkg,
      reason: `the last-known-good pointer of ISBN ${book.isbn} names version "${lkg}", which the registry does not hold (versions: ${listVersions(book.versions)})`,
    };
  }
  if (info.quarantined) {
    return {
      ok: false,
      problem: 'last-known-good-quarantined',
      to: lkg,
      reason: `the last-known-good pointer of ISBN ${book.isbn} names version ${lkg}, which is ${quarantineText(info)}; name a version (--to-version N, with --force for a quarantined one)`,
    };
  }
  return { ok: true, to: lkg, forced: false, via: 'last-known-good' };
}
