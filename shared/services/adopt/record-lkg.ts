/**
 * Where nothing better exists, `adopt` records the version serving now as a
 * book's last-known-good, so an emergency rollback has somewhere to go from
 * the first day. It says so: `setBy` is ADOPTED_LKG_ACTOR ("serving when
 * adopted, not validated by forecast-guard"), `validatedAt` the adoption time.
 *
 * Better always wins: a pointer already there (set by post-deploy validation,
 * seed, or an earlier adopt) is never overwritten, and the write is a
 * create-if-absent, so a validation racing this run keeps its pointer and a
 * re-run changes nothing. A quarantined version, or one the registry does not
 * hold, is never recorded.
 */
import { COLLECTIONS } from '../../contracts/collections';
import { LastKnownGood } from '../../contracts/documents/last-known-good';
import type { Clock } from '../../ports/clock';
import type { StateStore } from '../../ports/state-store';
import { type BookInventory, servingVersion } from './inventory';

export const ADOPTED_LKG_ACTOR = 'adopt: serving when adopted, not validated by forecast-guard';

export type LkgOutcome =
  | { action: 'kept'; version: string; setBy: string }
  | { action: 'recorded'; version: string; setBy: string }
  | { action: 'none'; reason: string };

/** Records (or keeps) one book's last-known-good; says which and why. */
export async function recordLastKnownGood(
  book: BookInventory,
  ports: { state: StateStore; clock: Clock },
): Promise<LkgOutcome> {
  if (book.lastKnownGood) {
    return { action: 'kept', version: book.lastKnownGood.version, setBy: book.lastKnownGood.setBy };
  }
  if (book.serving === null) return { action: 'none', reason: 'serving is unknown' };
  const version = servingVersion(book.serving);
  if (version === undefined) return { action: 'none', reason: 'nothing serves' };
  const held = book.versions.find((v) => v.version === version);
  if (!held) return { action: 'none', reason: `serving version ${version} is not in the registry` };
  if (held.quarantine) {
    return {
      action: 'none',
      reason: `serving version ${version} is quarantined (${held.quarantine.reason})`,
    };
  }
  const doc = LastKnownGood.parse({
    isbn: book.isbn,
    version,
    validatedAt: ports.clock.now().toISOString(),
    setBy: ADOPTED_LKG_ACTOR,
  });
  if (await ports.state.create(COLLECTIONS.lastKnownGood, book.isbn, doc)) {
    return { action: 'recorded', version, setBy: ADOPTED_LKG_ACTOR };
  }
  // Someone recorded one between the inventory and now: theirs stands.
  const existing = await ports.state.get<LastKnownGood>(COLLECTIONS.lastKnownGood, book.isbn);
  return existing
    ? { action: 'kept', version: existing.data.version, setBy: existing.data.setBy }
    : { action: 'none', reason: 'a pointer appeared and vanished meanwhile; run adopt again' };
}
