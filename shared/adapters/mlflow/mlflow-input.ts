/**
 * Checks MlflowModelRegistry makes before it calls the server, so bad input
 * is a ValidationError naming the field (as every registry says it) rather
 * than whatever 400 text the server version happens to send.
 */
import { ValidationError } from '../../errors';

/** Aliases every registry accepts: a lowercase letter, then lowercase letters, digits and '-'. */
const ALIAS_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
/** MLflow reserves `latest` and `v<N>` (they name versions in `models:/` URIs). */
const RESERVED_ALIAS = /^(latest|v[0-9]+)$/;
/** How many version ids a "no such version" message lists before eliding. */
const VERSIONS_LISTED = 20;

export { parseInput as parseField, requireIsbn } from '../input-checks';

/** True for an alias that can be set here and on MLflow. */
export function isSettableAlias(alias: string): boolean {
  return typeof alias === 'string' && ALIAS_PATTERN.test(alias) && !RESERVED_ALIAS.test(alias);
}

/** Throws a ValidationError naming `alias` unless it can be set. */
export function checkAlias(alias: string): void {
  if (isSettableAlias(alias)) return;
  const reason =
    typeof alias === 'string' && RESERVED_ALIAS.test(alias)
      ? 'is reserved by MLflow (latest and v<N> name versions)'
      : "must start with a lowercase letter and hold only lowercase letters, digits and '-' (at most 63)";
  throw new ValidationError(`alias: ${reason}, got ${JSON.stringify(alias)}`, ['alias']);
}

/** "3" names a version; anything that is not a decimal id names none (and is never sent). */
export function isVersionId(version: string): boolean {
  return typeof version === 'string' && /^[0-9]{1,15}$/.test(version);
}

/** Numeric order of decimal version ids: "2" before "10". */
export function byVersion(a: string, b: string): number {
  return Number(a) - Number(b);
}

/** `1, 2, 3` or, for a long history, `1, 2, 3, …, 9, 10, …` (the first three and the latest ones). */
export function describeVersions(versions: readonly string[]): string {
  if (versions.length === 0) return 'none';
  if (versions.length <= VERSIONS_LISTED) return versions.join(', ');
  return `${versions.slice(0, 3).join(', ')}, …, ${versions.slice(-(VERSIONS_LISTED - 3)).join(', ')}`;
}
