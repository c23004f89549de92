/**
 * What a rollback keeps: a lease per book (one rollback at a time), the
 * backup taken before changing anything, and an audit record per book.
 */
import { z } from 'zod';
import { ServingState } from '../model';
import { actor, documentId, durationMs, isbn13, isoDateTime, nonEmptyText } from '../primitives';

/** What a book is switched to: the production alias and the exact traffic split. */
export const DesiredServing = z.object({
  /** null: no production alias. */
  productionAlias: z.string().min(1).nullable(),
  split: z.array(z.object({ version: z.string().min(1), trafficPercent: z.number().int().min(0).max(100) })),
  /** true: versions deployed but not in `split` are undeployed (restores); false: they stay at 0 %. */
  exact: z.boolean(),
});
export type DesiredServing = z.infer<typeof DesiredServing>;

/** The intent a rollback writes into the lease before it changes a book. */
export const RollbackIntent = z.object({
  from: z.string().min(1).nullable(),
  to: z.string().min(1).nullable(),
  backupId: documentId,
  desired: DesiredServing,
  at: isoDateTime,
});
export type RollbackIntent = z.infer<typeof RollbackIntent>;

/** One version that served a book, as rollbacks (and deploys) recorded it. */
export const ServingHistoryEntry = z.object({
  version: z.string().min(1),
  at: isoDateTime,
  via: z.enum(['rollback', 'restore', 'recovery', 'deploy', 'observed']),
  by: z.string().optional(),
  rollbackId: z.string().optional(),
});
export type ServingHistoryEntry = z.infer<typeof ServingHistoryEntry>;

/** Held while one rollback changes a book; others wait or fail fast until `expiresAt`. */
export const RollbackLease = z.object({
  isbn: isbn13,
  /** The rollback (or process) holding it. */
  holder: nonEmptyText,
  requestId: documentId,
  expiresAt: isoDateTime,
  /** Added by the rollback service: the run holding (or that last held) the lease. */
  rollbackId: documentId.optional(),
  /** The run's backup document (head id). */
  backupId: documentId.optional(),
  /** False once released; the document stays, keeping `servingHistory`. Absent means held until `expiresAt`. */
  held: z.boolean().optional(),
  acquiredAt: isoDateTime.optional(),
  releasedAt: isoDateTime.optional(),
  /**
   * Written before the book is switched, removed when it is consistent
   * again: a lease that expires (or whose holder died) with an intent marks a
   * book that recovery must restore from `backupId` or complete.
   */
  intent: RollbackIntent.optional(),
  /** Versions that served this book, oldest first, capped (`previous` reads it). */
  servingHistory: z.array(ServingHistoryEntry).optional(),
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

/** A run's state, kept on its backup head document (the id derives from the requestId: idempotency). */
export const RollbackRunStatus = z.enum(['running', 'done', 'interrupted']);
export type RollbackRunStatus = z.infer<typeof RollbackRunStatus>;

/**
 * One backup document. A run's backup is a head document (id = backupId)
 * and, when its entries would pass Firestore's 1 MiB document limit, part
 * documents `<backupId>:part-<n>` holding the rest; `parts` on the head
 * counts every document with entries, the head included. The optional
 * fields were added by the rollback service and carry the run itself.
 */
export const RollbackBackup = z.object({
  backupId: documentId,
  rollbackId: documentId,
  createdAt: isoDateTime,
  entries: z.array(RollbackBackupEntry),
  requestId: documentId.optional(),
  /** Head only: how many documents hold entries (the head is part 0). */
  parts: z.number().int().positive().optional(),
  /** Part documents only: their index (1, 2, …). */
  part: z.number().int().positive().optional(),
  status: RollbackRunStatus.optional(),
  /** `rollback` (to a version) or `restore-backup` (putting another backup back). */
  kind: z.enum(['rollback', 'restore-backup']).optional(),
  holder: z.string().optional(),
  requestedBy: actor.optional(),
  /** Who the caller proved to be (VerifiedCaller), beside the claimed `requestedBy`. */
  verifiedCaller: z.string().optional(),
  reason: z.string().optional(),
  correlationId: z.string().optional(),
  finishedAt: isoDateTime.optional(),
  durationMs: durationMs.optional(),
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
  /** Who asked, as the request claims it (anyone can write any name). */
  requestedBy: actor,
  /**
   * Who the caller proved to be, when anything proved it: the email of a
   * verified Google identity token (rollback-http on Google Cloud),
   * `local-token` (the holder of FG_ROLLBACK_TOKEN),
   * `pubsub:publisher-not-identified` (Pub/Sub does not say who published),
   * or the CLI's credentials. Absent on records written before it existed.
   */
  verifiedCaller: z.string().optional(),
  reason: nonEmptyText,
  forced: z.boolean().optional(),
  error: z.string().optional(),
  at: isoDateTime,
  /** The run's backup; `restored` books were put back from it. */
  backupId: documentId.optional(),
  /** How it ended, when not by the run itself: "completed by recovery", "restored by recovery". */
  note: z.string().optional(),
});
export type RollbackRecord = z.infer<typeof RollbackRecord>;

/** Document id of a RollbackRecord: one per book per rollback. */
export function rollbackRecordDocId(rollbackId: string, isbn: string): string {
  return `${rollbackId}:${isbn}`;
}
