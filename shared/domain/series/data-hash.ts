/**
 * The training-data hash every model version carries, so any forecast can be
 * traced to exactly the sales it learned from: identical windows hash the
 * same on every machine, and any change (a week added, removed or revised)
 * changes the hash.
 */
import { createHash } from 'node:crypto';
import type { SalesPoint } from '../../contracts/model';

/**
 * `sha256:<hex>` over the canonical window: the ISBN, then one
 * `week_ending,volume` line per week in week order. Points are sorted first,
 * so the order the caller read them in does not matter; only points on or
 * before `through` count when it is given.
 */
export function trainingDataHash(isbn: string, points: readonly SalesPoint[], through?: string): string {
  const window = points
    .filter((p) => through === undefined || p.weekEnding <= through)
    .map((p) => `${p.weekEnding},${p.volume}`)
    .sort();
  const hash = createHash('sha256');
  hash.update(`isbn,${isbn}\n`);
  for (const line of window) hash.update(`${line}\n`);
  return `sha256:${hash.digest('hex')}`;
}
