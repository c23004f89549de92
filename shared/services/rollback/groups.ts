/**
 * How a run groups its state writes across books. A fleet-wide run used to
 * take one transaction per book to lease it and another to finish it; on
 * Firestore each is a round trip (or three), which made a 500-book run ~26×
 * the time of writing the same documents in one batch. Books are leased and
 * finished in groups instead, each group in one transaction, every book's
 * own writes (lease; record + history + release) still together in the
 * same transaction.
 *
 * Firestore commits at most 500 writes in one transaction or batch
 * ("Each transaction or batch of writes can write to a maximum of 500
 * documents", https://firebase.google.com/docs/firestore/manage-data/transactions#batched-writes;
 * "Maximum number of writes that can be passed to a Commit operation or
 * performed in a transaction: 500", https://firebase.google.com/docs/firestore/quotas),
 * so a group is sized by the writes its books make, never above that.
 * The SQLite adapter has no such limit; the groups are the same on both, so a
 * run that works on a laptop fits Firestore too.
 */

/** Firestore's limit on the writes of one transaction or batch (see above). */
export const MAX_WRITES_PER_COMMIT = 500;

/** Writes per book when it finishes: its record, its serving history, its lease release. */
export const WRITES_PER_FINISH = 3;

/**
 * Books per finish group: 166 books are 498 writes, the most under the
 * limit; measured on the Firestore emulator, fewer and bigger commits beat
 * more and smaller ones (3 to 5 commits for 500 books).
 */
export const FINISH_GROUP_BOOKS = Math.floor(MAX_WRITES_PER_COMMIT / WRITES_PER_FINISH);

/**
 * Books per lease group: one create each. 250, not 500: a group with one
 * lease already taken falls back to book by book, so a smaller group loses
 * less to one busy book.
 */
export const LEASE_GROUP_BOOKS = 250;

/**
 * `items` in consecutive groups of at most `groupSize` items and at most
 * `MAX_WRITES_PER_COMMIT` writes, each item making `writesPerItem` writes.
 */
export function commitGroups<T>(items: readonly T[], groupSize: number, writesPerItem: number): T[][] {
  if (!Number.isInteger(writesPerItem) || writesPerItem < 1 || writesPerItem > MAX_WRITES_PER_COMMIT) {
    throw new RangeError(
      `writes per item must be a whole number from 1 to ${MAX_WRITES_PER_COMMIT} (got ${writesPerItem})`,
    );
  }
  if (!Number.isInteger(groupSize) || groupSize < 1) {
    throw new RangeError(`group size must be a whole number of at least 1 (got ${groupSize})`);
  }
  const size = Math.min(groupSize, Math.floor(MAX_WRITES_PER_COMMIT / writesPerItem));
  const groups: T[][] = [];
  for (let start = 0; start < items.length; start += size) groups.push(items.slice(start, start + size));
  return groups;
}
