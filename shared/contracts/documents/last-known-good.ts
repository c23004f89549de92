/** Per book, the last version that passed post-deploy validation: where an emergency rollback goes. */
import { z } from 'zod';
import { actor, documentId, isbn13, isoDateTime, versionId } from '../primitives';

export const LastKnownGood = z.object({
  isbn: isbn13,
  version: versionId,
  validatedAt: isoDateTime,
  /** The ValidationReport that earned it. */
  reportId: documentId.optional(),
  setBy: actor,
});
export type LastKnownGood = z.infer<typeof LastKnownGood>;
