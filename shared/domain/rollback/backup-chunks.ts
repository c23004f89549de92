/**
 * Splitting a fleet-wide backup over documents: Firestore refuses documents
 * above 1 MiB, and 5,000 books of serving state are about 2 MB. Pure.
 */
import { MAX_DOCUMENT_BYTES } from '../../contracts/document-size';
import type { RollbackBackupEntry } from '../../contracts/documents/rollback';

/**
 * JSON bytes of entries per document (600,000): well under the document limit, leaving room for the
 * head's run fields and for JSON counting a number in fewer bytes than Firestore's 8.
 */
export const MAX_BACKUP_PART_BYTES = MAX_DOCUMENT_BYTES - 448_576;

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
