/**
 * The shapes rollback planning works on: what one book looks like right now
 * (a snapshot read through the ports) and what a plan decides for it. Pure
 * data; the service reads snapshots and acts on plans.
 */
import type { DesiredServing, ServingHistoryEntry } from '../../contracts/documents/rollback';
import type { RollbackScope, RollbackTarget } from '../../contracts/messages/rollback-request';
import type { ServingState } from '../../contracts/model';

/** One registered version as planning needs it. */
export interface VersionInfo {
  version: string;
  quarantined: boolean;
  /** Why it is quarantined, for refusal messages. */
  quarantineReason?: string;
}

/** Everything planning knows about one book, read at one moment. */
export interface BookSnapshot {
  isbn: string;
  /** False when the registry holds no model for this ISBN. */
  registered: boolean;
  /** Oldest first. */
  versions: VersionInfo[];
  /** The version the registry's production alias names. */
  productionAlias?: string;
  /** The endpoint; null when the book has none. */
  serving: ServingState | null;
  /** The last-known-good pointer's version (StateStore), if any. */
  lastKnownGood?: string;
  /** Versions that served the book, oldest first (kept on its lease document). */
  history: ServingHistoryEntry[];
}

/** Why a book cannot be rolled back as asked. */
export type RefusalKind =
  | 'not-registered'
  | 'unknown-version'
  | 'quarantined'
  | 'not-served'
  | 'no-previous'
  | 'no-last-known-good'
  | 'last-known-good-quarantined'
  | 'cannot-restore';

/** Switch the book to `desired`. */
export interface SwitchItem {
  isbn: string;
  action: 'switch';
  /** The version serving now (most traffic); null when none. */
  from: string | null;
  /** The version that will take the traffic. */
  to: string;
  desired: DesiredServing;
  /** The target is quarantined and the request said `force`. */
  forced: boolean;
  /** How `to` was found, in words: "version 22", "previous (serving history)". */
  via: string;
}

/** Nothing to do (already there, nothing to go back to in a fleet-wide run). */
export interface SkipItem {
  isbn: string;
  action: 'skip';
  from: string | null;
  to: string | null;
  reason: string;
}

/** Cannot be done as asked; `reason` says why and what to do instead. */
export interface RefuseItem {
  isbn: string;
  action: 'refuse';
  from: string | null;
  to: string | null;
  problem: RefusalKind;
  reason: string;
}

/** What a plan decides for one book. */
export type PlanItem = SwitchItem | SkipItem | RefuseItem;

/** What a rollback run is asked to put the books to. */
export type PlanTarget = RollbackTarget | { kind: 'backup'; backupId: string };

/** What one run will do, book by book. Built by `planRollback` / `planRestore`; changes nothing. */
export interface RollbackPlan {
  kind: 'rollback' | 'restore-backup';
  requestId: string;
  rollbackId: string;
  backupId: string;
  /** `isbns` (books named by the caller) or fleet-wide (`all`, `emergency`), or `backup` for a restore. */
  scope: 'isbns' | 'all' | 'emergency' | 'backup';
  target: PlanTarget;
  force: boolean;
  items: PlanItem[];
}

/** Which of the three scope shapes a request has. */
export function scopeKind(scope: RollbackScope): 'isbns' | 'all' | 'emergency' {
  if ('isbns' in scope) return 'isbns';
  return 'all' in scope ? 'all' : 'emergency';
}
