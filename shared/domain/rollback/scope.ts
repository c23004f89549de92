/**
 * Which books a fleet-wide rollback takes, from the endpoints and the
 * last-known-good pointers. Pure.
 */
import type { ServingState } from '../../contracts/model';
import { servesOnly, servingVersion } from './serving';

/**
 * `all` (`--all-models`): every book whose endpoint serves traffic.
 * `emergency` (`--emergency` without `--isbn`): every served book that has a
 * last-known-good version and whose traffic is not all on it (a canary on
 * another version counts as a difference). Books without a pointer are left
 * out: there is nothing known-good to go to. The production alias is checked
 * per book later, under its lease. Sorted by ISBN, so leases are always taken
 * in the same order.
 */
export function selectFleetScope(
  scope: 'all' | 'emergency',
  served: readonly ServingState[],
  lastKnownGood: ReadonlyMap<string, string>,
): string[] {
  const live = served.filter((s) => servingVersion(s) !== null);
  const chosen =
    scope === 'all'
      ? live
      : live.filter((s) => {
          const lkg = lastKnownGood.get(s.isbn);
          return lkg !== undefined && !servesOnly(s, lkg);
        });
  return [...new Set(chosen.map((s) => s.isbn))].sort();
}
