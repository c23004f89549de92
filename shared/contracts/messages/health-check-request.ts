/** `health-check-requests`: run one health check now (hourly from Cloud Scheduler, or by hand). */
import { z } from 'zod';
import { correlationId, isbnList, Trigger } from '../primitives';

/**
 * Check the named books, or every deployed model when `isbns` is absent.
 * Scheduler sends `{"trigger":"schedule"}`; the CLI sends `manual`, game days `drill`.
 */
export const HealthCheckRequest = z.object({
  trigger: Trigger,
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
});
export type HealthCheckRequest = z.infer<typeof HealthCheckRequest>;
