/**
 * What alert-dispatch remembers per fingerprint: the problem's life
 * (pending → firing → resolved), when people were last told, and who has
 * acknowledged or silenced it. Written only in transactions guarded by `version`.
 */
import { z } from 'zod';
import { Alert, AlertKind } from '../messages/alert';
import { actor, documentId, Environment, isbn13, isoDateTime, Severity } from '../primitives';

/** `pending` = seen but held back (a warning waiting for the digest, or a flap not yet confirmed). */
export const AlertStateStatus = z.enum(['firing', 'resolved', 'pending']);
export type AlertStateStatus = z.infer<typeof AlertStateStatus>;

export const AlertState = z
  .object({
    fingerprint: documentId,
    kind: AlertKind,
    severity: Severity,
    status: AlertStateStatus,
    isbn: isbn13.optional(),
    environment: Environment,
    firstSeenAt: isoDateTime,
    lastSeenAt: isoDateTime,
    lastNotifiedAt: isoDateTime.optional(),
    notifyCount: z.number().int().nonnegative(),
    pendingSince: isoDateTime.optional(),
    resolvedAt: isoDateTime.optional(),
    acknowledgedBy: actor.optional(),
    acknowledgedAt: isoDateTime.optional(),
    silencedUntil: isoDateTime.optional(),
    escalatedAt: isoDateTime.optional(),
    /** The latest observation, as published. */
    lastAlert: Alert,
    /** Incremented on every write; a writer that read version n writes only if it is still n. */
    version: z.number().int().nonnegative(),
  })
  .superRefine((s, ctx) => {
    // An acknowledgement is a person and a time; half of one cannot be shown or expired.
    if ((s.acknowledgedBy === undefined) !== (s.acknowledgedAt === undefined)) {
      const missing = s.acknowledgedBy === undefined ? 'acknowledgedBy' : 'acknowledgedAt';
      ctx.addIssue({
        code: 'custom',
        path: [missing],
        message: 'is required when the alert is acknowledged (acknowledgedBy and acknowledgedAt go together)',
        input: undefined,
      });
    }
  });
export type AlertState = z.infer<typeof AlertState>;
