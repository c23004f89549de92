/**
 * Pub/Sub delivers at least once: a consumer records each message id it has
 * handled and skips repeats. Records expire (`expireAt`, a Firestore TTL
 * field) well after Pub/Sub's 7-day retention.
 */
import { z } from 'zod';
import { isoDateTime } from '../primitives';

/** How long a record is kept (`expireAt - processedAt`): longer than Pub/Sub's 7-day retention. */
export const PROCESSED_TTL_MS = 8 * 24 * 3600 * 1000;

export const ProcessedMessage = z.object({
  /** The Pub/Sub message id (or request id for HTTP calls). */
  id: z.string().min(1, 'must not be empty'),
  topic: z.string().min(1, 'must not be empty'),
  /** The function that handled it: the same message may be handled once per consumer. */
  consumer: z.string().min(1, 'must not be empty'),
  processedAt: isoDateTime,
  expireAt: isoDateTime,
});
export type ProcessedMessage = z.infer<typeof ProcessedMessage>;

/** Document id of a ProcessedMessage. Message ids are digits, so the `:` never collides. */
export function processedMessageDocId(consumer: string, messageId: string): string {
  return `${consumer}:${messageId}`.replaceAll('/', '_');
}
