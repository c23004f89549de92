/**
 * A book's serving history: the versions that served it, oldest first, as
 * rollbacks (and deploys) record them on the book's lease document. It is
 * what `--to-version previous` reads first. Pure.
 */
import type { ServingHistoryEntry } from '../../contracts/documents/rollback';

/** Entries kept per book; older ones fall off (a rollback reaches back a few versions, not years). */
export const HISTORY_LIMIT = 20;

/**
 * `history` with `next` appended: consecutive repeats of one version collapse
 * (a skipped rollback to the version already serving adds nothing), and only
 * the newest HISTORY_LIMIT entries are kept.
 */
export function appendHistory(
  history: readonly ServingHistoryEntry[],
  ...next: ServingHistoryEntry[]
): ServingHistoryEntry[] {
  const out = [...history];
  for (const entry of next) {
    if (out[out.length - 1]?.version === entry.version) continue;
    out.push(entry);
  }
  return out.slice(-HISTORY_LIMIT);
}

/**
 * The history a switch from `from` to `to` leaves: when the last recorded
 * version is not `from` (it changed outside rollback, e.g. an old deploy),
 * `from` is recorded first as observed, so "previous" still finds it.
 */
export function historyAfterSwitch(
  history: readonly ServingHistoryEntry[],
  change: {
    from: string | null;
    to: string;
    at: string;
    via: ServingHistoryEntry['via'];
    by?: string;
    rollbackId?: string;
  },
): ServingHistoryEntry[] {
  const observed: ServingHistoryEntry[] =
    change.from !== null ? [{ version: change.from, at: change.at, via: 'observed' }] : [];
  const entry: ServingHistoryEntry = { version: change.to, at: change.at, via: change.via };
  if (change.by !== undefined) entry.by = change.by;
  if (change.rollbackId !== undefined) entry.rollbackId = change.rollbackId;
  return appendHistory(history, ...observed, entry);
}

/**
 * The most recent version in the history, other than `current`, that `usable`
 * accepts (registered and not quarantined), newest first.
 */
export function previousFromHistory(
  history: readonly ServingHistoryEntry[],
  current: string,
  usable: (version: string) => boolean,
): string | undefined {
  return history.findLast((entry) => entry.version !== current && usable(entry.version))?.version;
}
