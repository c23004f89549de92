/**
 * Whether one alert-dispatch invocation ends by asking Pub/Sub to redeliver
 * its message: when a send it made (or a send about its alert that its
 * flush made) failed and may succeed later. Those notifications are already
 * kept pending in the outbox, so a redelivery only hurries the retry; on the
 * last delivery attempt it is not asked for, since a channel outage is not
 * a bad message and must not dead-letter it. Pure.
 */

/** What the decision needs of one send's outcome. */
export interface SentOutcome {
  status: string;
  fingerprints: readonly string[];
}

/** The sends that call for a redelivery of the message about `fingerprint`: empty when none (or on the last attempt). */
export function sendsToRetry<T extends SentOutcome>(
  own: readonly T[],
  flushed: readonly T[],
  fingerprint: string,
  attempt: { deliveryAttempt?: number; maxDeliveryAttempts?: number },
): T[] {
  const failed = [...own, ...flushed].filter(
    (o) => o.status === 'retrying' && (own.includes(o) || o.fingerprints.includes(fingerprint)),
  );
  const lastAttempt =
    attempt.deliveryAttempt !== undefined &&
    attempt.maxDeliveryAttempts !== undefined &&
    attempt.deliveryAttempt >= attempt.maxDeliveryAttempts;
  return lastAttempt ? [] : failed;
}
