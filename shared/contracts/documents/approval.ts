/** A person's sign-off that lets a gated deployment go to production. */
import { z } from 'zod';
import { actor, documentId, isbn13, isoDateTime, nonEmptyText, versionId } from '../primitives';

export const Approval = z.object({
  id: documentId,
  isbns: z.array(isbn13).min(1, 'must name at least one ISBN'),
  /** The version approved; absent approves whatever version the deployment names. */
  version: versionId.optional(),
  approvedBy: actor,
  approvedAt: isoDateTime,
  reason: nonEmptyText,
});
export type Approval = z.infer<typeof Approval>;
