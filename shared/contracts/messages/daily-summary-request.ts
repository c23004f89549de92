/** `daily-summary-requests`: send the digest of warnings (daily from Cloud Scheduler, or by hand). */
import { z } from 'zod';
import { correlationId, isoDate, Trigger } from '../primitives';

/** Summarise the day `date` (UTC calendar day); absent means the day that just ended. */
export const DailySummaryRequest = z.object({
  trigger: Trigger,
  date: isoDate.optional(),
  correlationId: correlationId.optional(),
});
export type DailySummaryRequest = z.infer<typeof DailySummaryRequest>;
