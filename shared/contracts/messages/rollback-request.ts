/**
 * `rollback-requests` (and the rollback HTTP body): move one, some or all
 * books' production traffic to another version. Idempotent by `requestId`.
 */
import { z } from 'zod';
import { actor, correlationId, documentId, isbnList, nonEmptyText, versionId } from '../primitives';

/**
 * Which books. Exactly one of three shapes; mixing them (`{isbns, all}`) is
 * refused rather than guessed at:
 * - `{isbns: [...]}`: these books (at most MAX_ISBNS_PER_REQUEST);
 * - `{all: true}`: every deployed book (`--all-models`);
 * - `{emergency: true}`: every deployed book, as `--emergency` without
 *   `--isbn` asks (usually with target last-known-good); the rollback
 *   service decides what an emergency changes in how it proceeds.
 */
export const RollbackScope = z.union(
  [
    z.strictObject({
      isbns: isbnList({
        empty: 'must name at least one ISBN',
        wholeFleet: 'use scope {all: true} for the whole fleet',
      }),
    }),
    z.strictObject({ all: z.literal(true) }),
    z.strictObject({ emergency: z.literal(true) }),
  ],
  { error: 'must be exactly one of {isbns: [...]}, {all: true} or {emergency: true}' },
);
export type RollbackScope = z.infer<typeof RollbackScope>;

/**
 * Where to. Tagged by `kind`, so a handler switches on one field:
 * - `{kind: 'version', version: '22'}`: that registry version (`--to-version 22`);
 * - `{kind: 'previous'}`: the version that served before the current one (`--to-version previous`);
 * - `{kind: 'last-known-good'}`: the last version that passed validation (`--emergency`).
 */
export const RollbackTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('version'), version: versionId }),
  z.object({ kind: z.literal('previous') }),
  z.object({ kind: z.literal('last-known-good') }),
]);
export type RollbackTarget = z.infer<typeof RollbackTarget>;

export const RollbackRequest = z
  .object({
    /** The idempotency key: a second request with the same id is answered from the first one's record. */
    requestId: documentId,
    scope: RollbackScope,
    target: RollbackTarget,
    reason: nonEmptyText.max(1000, 'must be at most 1000 characters'),
    requestedBy: actor,
    /** Plan and print, change nothing. */
    dryRun: z.boolean().optional(),
    /** Roll back even to a version that is quarantined or fails the pre-checks. */
    force: z.boolean().optional(),
    correlationId,
  })
  .superRefine((req, ctx) => {
    // Refinements also run when other fields failed, so read defensively.
    const scope = req.scope as Partial<Record<'isbns' | 'all' | 'emergency', unknown>> | undefined;
    const fleetWide = scope?.all === true || scope?.emergency === true;
    // An explicit version number only means something for one book at a time: book A's v22 is not book B's.
    if (req.target?.kind === 'version' && fleetWide && scope?.isbns === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['target', 'kind'],
        message: 'a named version needs scope {isbns: [...]}; use previous or last-known-good for all models',
        input: req.target.kind,
      });
    }
  });
export type RollbackRequest = z.infer<typeof RollbackRequest>;
