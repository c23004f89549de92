/**
 * Ids of a rollback run. They derive from the requestId, so a repeated
 * request (a Pub/Sub redelivery, an operator pressing enter twice) lands on
 * the same run and backup documents: that is what makes rollback idempotent.
 */
import { createHash } from 'node:crypto';

function digest(requestId: string): string {
  return createHash('sha256').update(requestId, 'utf8').digest('hex').slice(0, 24);
}

/** `rb-<24 hex>`: the run's id, in records, events and leases. */
export function rollbackIdFor(requestId: string): string {
  return `rb-${digest(requestId)}`;
}

/** `bk-<24 hex>`: the run's backup head document (which also carries the run's status). */
export function backupIdFor(requestId: string): string {
  return `bk-${digest(requestId)}`;
}

/** Document id of the n-th (n ≥ 1) extra part of a backup whose entries exceed one document. */
export function backupPartId(backupId: string, part: number): string {
  return `${backupId}:part-${part}`;
}
