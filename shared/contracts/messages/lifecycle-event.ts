/**
 * `model-lifecycle`: what happened to a model version (validated, rolled
 * back, quarantined, deployed). An audit stream others can subscribe to;
 * nothing in forecast-guard depends on receiving it.
 */
import { z } from 'zod';
import { correlationId, documentId, isbn13, isoDateTime, versionId } from '../primitives';

export const LifecycleEventType = z.enum([
  'rollback.succeeded',
  'rollback.failed',
  'validation.passed',
  'validation.failed',
  'model.quarantined',
  'model.deployed',
  'deployment.succeeded',
]);
export type LifecycleEventType = z.infer<typeof LifecycleEventType>;

/** Types that are always about one version of one book. */
const VERSION_EVENTS: readonly LifecycleEventType[] = [
  'validation.passed',
  'validation.failed',
  'model.quarantined',
  'model.deployed',
];

export const LifecycleEvent = z
  .object({
    type: LifecycleEventType,
    isbn: isbn13.optional(),
    /** Rollbacks: the version that served before, and the one that serves now. */
    fromVersion: versionId.optional(),
    toVersion: versionId.optional(),
    /** Validation, quarantine, deployment: the version concerned. */
    version: versionId.optional(),
    reportId: documentId.optional(),
    rollbackId: documentId.optional(),
    /** One human line: the failed checks, the rollback error… */
    detail: z.string().max(2000, 'must be at most 2000 characters').optional(),
    at: isoDateTime,
    correlationId,
  })
  .superRefine((event, ctx) => {
    if (!VERSION_EVENTS.includes(event.type)) return;
    for (const field of ['isbn', 'version'] as const) {
      if (event[field] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `is required for type ${event.type}`,
          input: undefined,
        });
      }
    }
  });
export type LifecycleEvent = z.infer<typeof LifecycleEvent>;
