/**
 * What a rollback answers: the run's ids, its duration and one line per book
 * (outcome, versions, whether it was verified, how long it took). The CLI's
 * `--json`, the HTTP function's body and a replayed request all give this.
 */
import { COLLECTIONS } from '../../contracts/collections';
import type {
  RollbackBackup,
  RollbackOutcome,
  RollbackRecord,
  RollbackRunStatus,
} from '../../contracts/documents/rollback';
import type { PlanItem, RollbackPlan } from '../../domain/rollback/types';
import type { StateStore } from '../../ports/state-store';

/** One book's outcome in a run: the `results[]` entry of the CLI's `--json` and the HTTP answer. */
export interface BookResult {
  isbn: string;
  from: string | null;
  to: string | null;
  status: RollbackOutcome;
  verified: boolean;
  durationMs: number;
  error?: string;
  forced?: boolean;
  note?: string;
}

/** A finished (or replayed) run's answer. */
export interface RollbackResult {
  rollbackId: string;
  backupId: string;
  requestId: string;
  kind: 'rollback' | 'restore-backup';
  /** done, or interrupted (a run that died, finished by recovery). */
  status: RollbackRunStatus;
  /** True when this answers a requestId seen before: nothing was changed by this call. */
  replayed: boolean;
  durationMs: number;
  results: BookResult[];
}

/** A dry run: the plan, book by book; nothing was changed or claimed. */
export interface RollbackDryRun {
  dryRun: true;
  rollbackId: string;
  backupId: string;
  requestId: string;
  kind: 'rollback' | 'restore-backup';
  durationMs: number;
  plan: RollbackPlan;
  results: Array<{
    isbn: string;
    action: PlanItem['action'];
    from: string | null;
    to: string | null;
    reason?: string;
    via?: string;
    forced?: boolean;
  }>;
}

/** True when no book failed or had to be put back. */
export function succeeded(result: RollbackResult): boolean {
  return result.results.every((r) => r.status === 'succeeded' || r.status === 'skipped');
}

/** The books that failed or were put back, for "partial failure" messages. */
export function failedBooks(result: RollbackResult): BookResult[] {
  return result.results.filter((r) => r.status === 'failed' || r.status === 'restored');
}

/** The answer line for an audit record. */
export function bookResultOf(record: RollbackRecord): BookResult {
  const result: BookResult = {
    isbn: record.isbn,
    from: record.from,
    to: record.to,
    status: record.status,
    verified: record.verified,
    durationMs: record.durationMs,
  };
  if (record.error !== undefined) result.error = record.error;
  if (record.forced) result.forced = true;
  if (record.note !== undefined) result.note = record.note;
  return result;
}

/** The dry-run answer for a plan. */
export function dryRunOf(plan: RollbackPlan, durationMs: number): RollbackDryRun {
  return {
    dryRun: true,
    rollbackId: plan.rollbackId,
    backupId: plan.backupId,
    requestId: plan.requestId,
    kind: plan.kind,
    durationMs,
    plan,
    results: plan.items.map((item) => ({
      isbn: item.isbn,
      action: item.action,
      from: item.from,
      to: item.to,
      ...(item.action === 'switch' ? { via: item.via, forced: item.forced } : { reason: item.reason }),
    })),
  };
}

/** The answer of an earlier run, rebuilt from its head and records (a replayed requestId). */
export async function resultOfRun(state: StateStore, head: RollbackBackup): Promise<RollbackResult> {
  const records = await state.query<RollbackRecord>(COLLECTIONS.rollbackRecords, {
    where: [{ field: 'rollbackId', op: '==', value: head.rollbackId }],
  });
  return {
    rollbackId: head.rollbackId,
    backupId: head.backupId,
    requestId: head.requestId ?? '',
    kind: head.kind ?? 'rollback',
    status: head.status ?? 'done',
    replayed: true,
    durationMs: head.durationMs ?? 0,
    results: records.map((r) => bookResultOf(r.data)).sort((a, b) => a.isbn.localeCompare(b.isbn)),
  };
}
