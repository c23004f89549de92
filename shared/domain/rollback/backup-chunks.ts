/**
 * Splitting a fleet-wide backup over documents: Firestore refuses documents
 * above 1 MiB, and 5,000 books of serving state are about 2 MB. Pure.
 */
import type { RollbackBackupEntry } from '../../contracts/documents/rollback';

/** Bytes of entries per document: well under 1 MiB, leaving room for field names and the head's run fields. */
export const MAX_BACKUP_PART_BYTES = 600_000;

/**
 * Entries in order, cut into chunks of at most `maxBytes` of JSON each (one
 * entry larger than that still gets its own chunk). Always at least one
 * chunk, so a backup always has a head document.
 */
export function chunkBackupEntries(
  entries: readonly RollbackBackupEntry[],
  maxBytes: number = MAX_BACKUP_PART_BYTES,
): RollbackBackupEntry[][] {
  let current: RollbackBackupEntry[] = [];
  const chunks = [current];
  let size = 0;
  for (const entry of entries) {
    const bytes = Buffer.byteLength(JSON.stringify(entry), 'utf8') + 1;
    if (current.length > 0 && size + bytes > maxBytes) {
      current = [entry];
      chunks.push(current);
      size = bytes;
    } else {
      current.push(entry);
      size += bytes;
    }
  }
  return chunks;
}
