/**
 * What a rollback keeps: a lease per book (one rollback at a time), the
 * backup taken before changing anything, and an audit record per book.
 */
import { z } from 'zod';
import { ServingState } from '../model';
import { actor, documentId, durationMs, isbn13, isoDateTime, nonEmptyText } from '../primitives';

/** Held while one rollback changes a book; others wait or fail fast until `expiresAt`. */
export const RollbackLease = z.object({
  isbn: isbn13,
  /** The rollback (or process) holding it. */
  holder: nonEmptyText,
  requestId: documentId,
  expiresAt: isoDateTime,
});
export type RollbackLease = z.infer<typeof RollbackLease>;

/** One book as it was before the rollback: enough to put it back exactly. */
export const RollbackBackupEntry = z.object({
  isbn: isbn13,
  /** The version the registry's production alias named, if any. */
  productionAlias: z.string().min(1).optional(),
  /** What the endpoint served; null when the book had no endpoint. */
  serving: ServingState.nullable(),
});
export type RollbackBackupEntry = z.infer<typeof RollbackBackupEntry>;

export const RollbackBackup = z.object({
  backupId: documentId,
  rollbackId: documentId,
  createdAt: isoDateTime,
  entries: z.array(RollbackBackupEntry),
});
export type RollbackBackup = z.infer<typeof RollbackBackup>;

/** succeeded / failed as the words say; restored = put back from the backup; skipped = nothing to do. */
export const RollbackOutcome = z.enum(['succeeded', 'failed', 'restored', 'skipped']);
export type RollbackOutcome = z.infer<typeof RollbackOutcome>;

/** The audit line for one book in one rollback. */
export const RollbackRecord = z.object({
  rollbackId: documentId,
  requestId: documentId,
  isbn: isbn13,
  /** Version served before; null when nothing was served. */
  from: z.string().min(1).nullable(),
  /** Version served after (or that was aimed at, when failed); null when there was no target. */
  to: z.string().min(1).nullable(),
  status: RollbackOutcome,
  /** The endpoint was read back after the change and serves `to`. */
  verified: z.boolean(),
  durationMs,
  requestedBy: actor,
  reason: nonEmptyText,
  forced: z.boolean().optional(),
  error: z.string().optional(),
  at: isoDateTime,
});
export type RollbackRecord = z.infer<typeof RollbackRecord>;

/** Document id of a RollbackRecord: one per book per rollback. */
export function rollbackRecordDocId(rollbackId: string, isbn: string): string {
  return `${rollbackId}:${isbn}`;
}
