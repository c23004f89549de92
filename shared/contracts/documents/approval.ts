/**
 * A person's sign-off that lets a gated deployment go to production, and
 * whether it was really someone else's: `approvedBy` is a name anyone can
 * type, so the record also keeps who deployed, the identity the approving
 * credentials proved (on Google Cloud), and `selfApproved` when the
 * approver is the deployer by name or by those credentials.
 */
import { z } from 'zod';
import { actor, documentId, isbn13, isoDateTime, nonEmptyText, versionId } from '../primitives';

export const Approval = z.object({
  id: documentId,
  isbns: z.array(isbn13).min(1, 'must name at least one ISBN'),
  /** The version approved; absent approves whatever version the deployment names. */
  version: versionId.optional(),
  /** As given (`--by NAME`): claimed, not verified. */
  approvedBy: actor,
  approvedAt: isoDateTime,
  reason: nonEmptyText,
  /** Who ran the deployment the approval let through (claimed, as `deployedBy` on ModelDeployed). */
  deployedBy: actor.optional(),
  /** The identity of the credentials that recorded the approval (Google Cloud), when one could be established. */
  verifiedApprover: z.string().optional(),
  /** The approver is the deployer: the same name, or the same verified credentials. */
  selfApproved: z.boolean().optional(),
  /** Why `selfApproved` is true, in words. */
  selfApprovedBecause: z.string().optional(),
});
export type Approval = z.infer<typeof Approval>;
