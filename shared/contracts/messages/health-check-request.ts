/** `health-check-requests`: run one health check now (hourly from Cloud Scheduler, or by hand). */
import { z } from 'zod';
import { correlationId, isbnList, HealthCheckTrigger } from '../primitives';

/**
 * Check the named books, or every deployed model when `isbns` is absent.
 * Scheduler sends `{"trigger":"schedule"}`; the CLI sends `manual`, game days `drill`.
 */
export const HealthCheckRequest = z.object({
  trigger: HealthCheckTrigger,
  /**
   * Omit to check the whole fleet; an empty list is refused rather than read
   * as "all", and so is one longer than MAX_ISBNS_PER_REQUEST.
   */
  isbns: isbnList({
    empty: 'must name at least one ISBN, or be left out to check all',
    wholeFleet: 'leave isbns out to check the whole fleet',
  }).optional(),
  /** Absent on scheduled runs: the handler starts a new correlation id. */
  correlationId: correlationId.optional(),
  /**
   * Idempotency key: the run (and its report) is named after it instead of the
   * message id, so two requests for one cause run once. sales-data-events sets
   * it from the object generation, since Cloud Storage may notify one upload
   * twice under different message ids.
   */
  requestId: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,150}$/, 'must be 1-150 characters of letters, digits and . _ : -')
    .optional(),
  /**
   * With `isbns`: books in the list that have no endpoint are skipped (and
   * counted in the log) instead of refusing the request. A sales drop names
   * every book sold, served or not.
   */
  onlyServed: z.boolean().optional(),
  /** Why this run was asked for, for the log, e.g. `sales drop gs://bucket/raw_data/x.csv#1755173141123456`. */
  reason: z.string().max(1024, 'must be at most 1,024 characters').optional(),
});
export type HealthCheckRequest = z.infer<typeof HealthCheckRequest>;
