/**
 * A request runs at most once. Its run's ids derive from its requestId, so
 * a requestId seen before is answered from the run it started (recovering
 * that run first when its process died), and of two concurrent callers with
 * one requestId exactly one claims the run while the other answers with its
 * result. `applyRollback` and `restoreBackup` both run this way.
 */
import type { RollbackBackup } from '../../contracts/documents/rollback';
import { backupIdFor, rollbackIdFor } from '../../domain/rollback/ids';
import type { RollbackRun } from '../../domain/rollback/run';
import { ConflictError, type ForecastGuardError } from '../../errors';
import { readHead } from './backups';
import type { RollbackDeps } from './deps';
import { rollbackOptions } from './deps';
import { recoverInterruptedWith, runIsDead } from './recover';
import { resultOfRun, type RollbackResult } from './results';
import { executeRun, RunAlreadyClaimed } from './run';

/** A run as its request describes it; its ids derive from the requestId. */
export type RunRequest = Omit<RollbackRun, 'rollbackId' | 'backupId'>;

/**
 * Claims and executes the run of a new requestId, or answers one seen
 * before. `refusal` is asked only for a new request, before the claim: an
 * error from it refuses the request with nothing changed.
 */
export async function runOnce(
  request: RunRequest,
  deps: RollbackDeps,
  refusal: () => Promise<ForecastGuardError | undefined>,
): Promise<RollbackResult> {
  const backupId = backupIdFor(request.requestId);
  const seen = await readHead(deps.state, backupId);
  if (seen) return replay(deps, seen);
  const refused = await refusal();
  if (refused) throw refused;
  try {
    return await executeRun({ ...request, rollbackId: rollbackIdFor(request.requestId), backupId }, deps);
  } catch (err) {
    if (!(err instanceof RunAlreadyClaimed)) throw err;
    return replay(deps, await claimedHead(deps, request.requestId, backupId));
  }
}

/** The head another caller claimed first; gone again only when that run stopped before switching anything. */
async function claimedHead(deps: RollbackDeps, requestId: string, backupId: string): Promise<RollbackBackup> {
  const head = await readHead(deps.state, backupId);
  if (head) return head;
  throw new ConflictError(
    `request ${requestId} was claimed by another caller whose run (backup ${backupId}) stopped before switching anything; ask again`,
    { retryable: true },
  );
}

/** The answer for a requestId seen before; recovers its run first when that run died. */
async function replay(deps: RollbackDeps, head: RollbackBackup): Promise<RollbackResult> {
  if (head.status !== 'running') return resultOfRun(deps.state, head);
  const { leaseTtlMs } = rollbackOptions(deps);
  if (!runIsDead(head, deps.clock.now(), leaseTtlMs, deps)) {
    throw new ConflictError(
      `request ${head.requestId} is already being handled (rollback ${head.rollbackId} by ${head.holder ?? 'another process'}, started ${head.createdAt}); ask again later for its result`,
      { retryable: true },
    );
  }
  await recoverInterruptedWith({ rollbackId: head.rollbackId, correlationId: head.correlationId }, deps);
  return resultOfRun(deps.state, (await readHead(deps.state, head.backupId)) ?? head);
}
