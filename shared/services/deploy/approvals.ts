/**
 * Approvals of high-risk deployments, kept in the StateStore
 * (`approvals/<id>`): who signed off, when, for which books and version, and
 * why. Written once (create), so an approval record is never overwritten.
 */
import { COLLECTIONS } from '../../contracts/collections';
import { Approval } from '../../contracts/documents/approval';
import { parseWith } from '../../contracts/parse';
import { ConflictError } from '../../errors';
import type { DeployDeps } from './deps';

/** Records an approval and returns it. Bad input → ValidationError naming the field (e.g. an empty approver). */
export async function recordApproval(
  input: { isbns: string[]; version?: string; by: string; reason: string },
  deps: Pick<DeployDeps, 'state' | 'clock' | 'ids'>,
): Promise<Approval> {
  const approval = parseWith(
    Approval,
    {
      id: deps.ids.next('appr'),
      isbns: input.isbns,
      ...(input.version !== undefined ? { version: input.version } : {}),
      approvedBy: input.by,
      approvedAt: deps.clock.now().toISOString(),
      reason: input.reason,
    },
    'Approval',
  );
  if (!(await deps.state.create(COLLECTIONS.approvals, approval.id, approval))) {
    throw new ConflictError(`approval ${approval.id} already exists`);
  }
  return approval;
}
