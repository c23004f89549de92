/**
 * How big one stored document may be, and how its size is counted, declared
 * once: every StateStore adapter refuses a document over the limit (so the
 * embedded SQLite store refuses what Firestore would), the health report fits
 * its figures under it, and a rollback backup is cut into documents below it.
 * In contracts, so the pure domain may read it; shared/ports/state-store.ts
 * re-exports it as part of the port.
 */

/**
 * Firestore's maximum size for a document: 1 MiB (1,048,576 bytes).
 * https://cloud.google.com/firestore/quotas#limits
 */
export const MAX_DOCUMENT_BYTES = 1_048_576;

/**
 * Firestore's maximum size of one field value, 1 MiB - 89 bytes (same page):
 * for a string, its UTF-8 bytes. The Firestore emulator refuses a string one
 * byte longer even in a document under MAX_DOCUMENT_BYTES.
 */
export const MAX_FIELD_VALUE_BYTES = MAX_DOCUMENT_BYTES - 89;

/**
 * Storage size of a field value as Firestore counts it against that limit
 * (https://cloud.google.com/firestore/docs/storage-size): a string is its
 * UTF-8 bytes + 1, a number 8, a boolean or null 1, a map the sum of its field
 * names (bytes + 1) and values, an array the sum of its elements. Undefined
 * fields are not stored.
 */
export function firestoreSize(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value) + 1;
  if (typeof value === 'number') return 8;
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (Array.isArray(value)) return value.reduce((sum: number, v) => sum + firestoreSize(v), 0);
  let size = 0;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v !== undefined) size += Buffer.byteLength(key) + 1 + firestoreSize(v);
  }
  return size;
}

/**
 * Storage size of a whole document, the figure the limit applies to: its name
 * (the collection id and document id as strings, plus 16 bytes), its fields,
 * and 32 bytes more (same page).
 */
export function documentSize(collection: string, id: string, data: Record<string, unknown>): number {
  const name = firestoreSize(collection) + firestoreSize(id) + 16;
  return name + firestoreSize(data) + 32;
}
