/**
 * Approvals of high-risk deployments, kept in the StateStore
 * (`approvals/<id>`): who signed off, when, for which books and version, and
 * why. Written once (create), so an approval record is never overwritten.
 *
 * An approval by the deployer is recorded as such (`selfApproved`): when
 * the approver's name is the deployer's, or when the same verified
 * credentials deployed and approved (the CLI records both in one command,
 * so on Google Cloud that is every approval given there: a second person's
 * sign-off needs that person's own credentials).
 */
import { COLLECTIONS } from '../../contracts/collections';
import { Approval } from '../../contracts/documents/approval';
import { parseWith } from '../../contracts/parse';
import { ConflictError } from '../../errors';
import type { DeployDeps } from './deps';

/** Who deployed and who approved, as claimed and as verified. */
export interface ApprovalParties {
  approvedBy: string;
  deployedBy: string;
  verifiedApprover?: string;
  verifiedDeployer?: string;
}

const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** Whether the approver is the deployer, and why (pure). */
export function selfApproval(p: ApprovalParties): { selfApproved: boolean; because?: string } {
  if (sameName(p.approvedBy, p.deployedBy)) {
    return {
      selfApproved: true,
      because: `the approver (${p.approvedBy.trim()}) is the deployer (${p.deployedBy.trim()})`,
    };
  }
  if (p.verifiedApprover && p.verifiedDeployer && sameName(p.verifiedApprover, p.verifiedDeployer)) {
    return {
      selfApproved: true,
      because: `the same credentials (${p.verifiedApprover}) deployed and approved; the approver named is ${p.approvedBy.trim()}`,
    };
  }
  return { selfApproved: false };
}

/** Records an approval and returns it. Bad input → ValidationError naming the field (e.g. an empty approver). */
export async function recordApproval(
  input: {
    isbns: string[];
    version?: string;
    by: string;
    reason: string;
    deployedBy: string;
    verifiedApprover?: string;
    verifiedDeployer?: string;
  },
  deps: Pick<DeployDeps, 'state' | 'clock' | 'ids'>,
): Promise<Approval> {
  const self = selfApproval({
    approvedBy: input.by,
    deployedBy: input.deployedBy,
    ...(input.verifiedApprover ? { verifiedApprover: input.verifiedApprover } : {}),
    ...(input.verifiedDeployer ? { verifiedDeployer: input.verifiedDeployer } : {}),
  });
  const approval = parseWith(
    Approval,
    {
      id: deps.ids.next('appr'),
      isbns: input.isbns,
      ...(input.version !== undefined ? { version: input.version } : {}),
      approvedBy: input.by,
      approvedAt: deps.clock.now().toISOString(),
      reason: input.reason,
      deployedBy: input.deployedBy,
      ...(input.verifiedApprover ? { verifiedApprover: input.verifiedApprover } : {}),
      selfApproved: self.selfApproved,
      ...(self.because ? { selfApprovedBecause: self.because } : {}),
    },
    'Approval',
  );
  if (!(await deps.state.create(COLLECTIONS.approvals, approval.id, approval))) {
    throw new ConflictError(`approval ${approval.id} already exists`);
  }
  return approval;
}
