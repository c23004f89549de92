/**
 * The rollback use case: `applyRollback(request, ports, settings)` for a RollbackRequest
 * (a version, `previous` or `last-known-good`, for named books, every served
 * book or an emergency), `restoreBackup` to put a backup back exactly.
 *
 * - Dry run: reads, plans, returns the plan; changes and claims nothing.
 * - Idempotent by requestId: the run's ids derive from it, so a second
 *   request with the same requestId answers the first one's result (from its
 *   records) and changes nothing; one still running → ConflictError
 *   (retryable, so Pub/Sub redelivers later); one whose process died is
 *   recovered first, then answered (status `interrupted`).
 * - Named books: any refusal (unknown ISBN or version, quarantined target
 *   without `force`, nothing served, no previous/last-known-good) refuses
 *   the whole request before anything changes. Fleet-wide: each book is
 *   reported on its own; a failed book does not stop the others.
 */
import { parseWith } from '../../contracts/parse';
import { RollbackRequest } from '../../contracts/messages/rollback-request';
import { planRestore, planRollback } from '../../domain/rollback/plan';
import { scopeKind } from '../../domain/rollback/types';
import { refusalError } from '../../domain/rollback/validate-plan';
import { readBackup } from './backups';
import type { RollbackDeps, RollbackPorts, RollbackSettings } from './deps';
import { dryRunOf, type RollbackDryRun, type RollbackResult } from './results';
import { runOnce } from './run-once';
import { readFleetForDryRun } from './dry-run-reads';
import { fleetScopeIsbns, readBooks } from './snapshot';

/** Rolls back as `request` asks (see the module comment), or with `dryRun` only plans. */
export async function applyRollback(
  input: RollbackRequest,
  ports: RollbackPorts,
  settings: RollbackSettings,
): Promise<RollbackResult | RollbackDryRun> {
  const deps: RollbackDeps = { ...ports, ...settings };
  const request = parseWith(RollbackRequest, input, 'RollbackRequest');
  const started = performance.now();
  const scope = scopeKind(request.scope);
  if (request.dryRun && scope !== 'isbns') {
    const read = await readFleetForDryRun(deps, scope as 'all' | 'emergency');
    return dryRunOf(planRollback(request, read.books), Math.round(performance.now() - started));
  }
  const isbns =
    'isbns' in request.scope
      ? [...new Set(request.scope.isbns)]
      : await fleetScopeIsbns(deps, scope as 'all' | 'emergency');

  if (request.dryRun) {
    const plan = planRollback(request, await readBooks(deps, isbns));
    return dryRunOf(plan, Math.round(performance.now() - started));
  }
  return runOnce(
    {
      kind: 'rollback',
      ...askedBy(request, settings),
      isbns,
      fleet: scope !== 'isbns',
      plan: (books) => planRollback(request, books),
    },
    deps,
    // Named books: one refusal refuses the whole request before anything is claimed.
    async () =>
      scope === 'isbns' ? refusalError(planRollback(request, await readBooks(deps, isbns))) : undefined,
  );
}

/** Who asked for a run and why, as its records keep it; the verified caller comes from the entry point, never the body. */
function askedBy(
  request: Pick<RestoreBackupRequest, 'requestId' | 'requestedBy' | 'reason' | 'correlationId'>,
  settings: RollbackSettings,
) {
  const { requestId, requestedBy, reason, correlationId } = request;
  return {
    requestId,
    requestedBy,
    ...(settings.verifiedCaller ? { verifiedCaller: settings.verifiedCaller } : {}),
    reason,
    correlationId,
  };
}

/** `rollback --restore-backup ID`, as the service takes it. */
export interface RestoreBackupRequest {
  /** The backup to put back (a `bk-…` id from a rollback's answer). */
  backupId: string;
  /** Idempotency key of this restore (it is a run of its own, with its own backup). */
  requestId: string;
  requestedBy: string;
  reason: string;
  correlationId: string;
  dryRun?: boolean;
}

/**
 * Puts every book of a backup back exactly as it holds it: the production
 * alias (or none), each deployed version with its share, nothing else
 * deployed. The current state is backed up first (this run's own backup), so
 * a restore can itself be undone. Unknown backup → NotFoundError.
 */
export async function restoreBackup(
  request: RestoreBackupRequest,
  ports: RollbackPorts,
  settings: RollbackSettings,
): Promise<RollbackResult | RollbackDryRun> {
  const deps: RollbackDeps = { ...ports, ...settings };
  const started = performance.now();
  const backup = await readBackup(deps.state, request.backupId);
  const isbns = backup.entries.map((e) => e.isbn);
  const plan = (books: Parameters<typeof planRestore>[2]) => planRestore(request, backup.entries, books);
  if (request.dryRun)
    return dryRunOf(plan(await readBooks(deps, isbns)), Math.round(performance.now() - started));
  return runOnce(
    {
      kind: 'restore-backup',
      ...askedBy(request, settings),
      isbns,
      plan,
    },
    deps,
    async () => refusalError(plan(await readBooks(deps, isbns))),
  );
}
