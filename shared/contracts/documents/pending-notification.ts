/**
 * A notification that has not reached its channel yet (Slack down, SMTP
 * refusing): kept and retried with backoff until delivered, so an outage of
 * a channel delays a page but never loses it.
 */
import { z } from 'zod';
import { documentId, isoDateTime } from '../primitives';

/** A channel name as the notifier registry knows it: `slack`, `email`, `log`… */
export const channelName = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'must be a channel name like slack, email or log');

export const PendingNotification = z.object({
  id: documentId,
  /** The alerts it tells about: one for a page, many for a digest. */
  fingerprints: z.array(documentId).min(1, 'must name at least one alert fingerprint'),
  channel: channelName,
  /** What the notifier sends, already rendered for the channel. */
  payload: z.record(z.string(), z.unknown()),
  attempts: z.number().int().nonnegative(),
  nextAttemptAt: isoDateTime,
  lastError: z.string().optional(),
  createdAt: isoDateTime,
  deliveredAt: isoDateTime.optional(),
});
export type PendingNotification = z.infer<typeof PendingNotification>;
