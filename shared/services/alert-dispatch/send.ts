/**
 * Stage 7, send: one claimed delivery through its channel's Notifier, then
 * the outcome recorded (record.ts). Every line logged here carries the
 * notification's correlation id, and never a secret (notifiers scrub their
 * errors; the logger scrubs again).
 */
import { describeError, isRetryable } from '../../errors';
import type { AlertDispatchDeps } from './deps';
import { CLAIM_LEASE_MS, isDue, readDoc, writeDoc, type OutboxDoc } from './outbox';
import { recordDelivered, recordFailure } from './record';

/** What became of one send. */
export type SendStatus = 'delivered' | 'retrying' | 'gave-up' | 'skipped';

/** One send, for logs, callers and the retry decision. */
export interface SendOutcome {
  docId: string;
  channel: string;
  notificationId: string;
  fingerprints: string[];
  status: SendStatus;
  attempts: number;
  error?: string;
  retryable?: boolean;
  nextAttemptAt?: string;
  durationMs: number;
}

/** Sends a delivery this caller holds (it created or claimed it). */
export async function sendDelivery(doc: OutboxDoc, deps: AlertDispatchDeps): Promise<SendOutcome> {
  const started = deps.clock.now().getTime();
  const payload = doc.payload;
  const notifier = deps.notifiers.find((n) => n.channel === doc.channel);
  const base = {
    docId: doc.id,
    channel: doc.channel,
    notificationId: payload.type === 'send' ? payload.notification.id : doc.id,
    fingerprints: doc.fingerprints,
    attempts: doc.attempts,
  };
  const elapsed = () => deps.clock.now().getTime() - started;
  if (payload.type !== 'send' || !notifier) {
    return { ...base, status: 'skipped', error: `no ${doc.channel} channel here`, durationMs: elapsed() };
  }
  const n = payload.notification;
  const log = deps.logger.child({
    correlationId: n.correlationId,
    notificationId: n.id,
    channel: doc.channel,
  });
  try {
    await notifier.send(n);
  } catch (err) {
    const recorded = await recordFailure(doc, err, deps);
    const status = recorded.recorded ? recorded.status : 'skipped';
    const nextAttemptAt =
      recorded.recorded && recorded.status === 'retrying' ? recorded.nextAttemptAt : undefined;
    const fields = {
      error: err,
      attempts: doc.attempts,
      retryable: isRetryable(err),
      nextAttemptAt,
      durationMs: elapsed(),
    };
    if (status === 'gave-up') log.error(`${doc.channel} refused notification ${n.id}; giving up`, fields);
    else
      log.warning(
        `${doc.channel} notification ${n.id} failed; kept pending until ${nextAttemptAt ?? 'its lease ends'}`,
        fields,
      );
    return {
      ...base,
      status,
      error: describeError(err),
      retryable: isRetryable(err),
      ...(nextAttemptAt ? { nextAttemptAt } : {}),
      durationMs: elapsed(),
    };
  }
  const recorded = await recordDelivered(doc, deps);
  if (!recorded.recorded)
    log.warning(`${doc.channel} notification ${n.id} delivered, but ${recorded.reason}`);
  log.info(`${doc.channel} notification delivered: ${n.title}`, {
    kind: n.kind,
    severity: n.severity,
    attempts: doc.attempts,
    fingerprints: doc.fingerprints,
    durationMs: elapsed(),
  });
  return { ...base, status: 'delivered', durationMs: elapsed() };
}

/** Claims a due delivery (in a transaction, so one caller wins); undefined when it is not due or someone holds it. */
export async function claimDelivery(id: string, deps: AlertDispatchDeps): Promise<OutboxDoc | undefined> {
  return deps.state.runTransaction(async (tx) => {
    const now = deps.clock.now();
    const doc = await readDoc(tx, id);
    if (!isDue(doc, now)) return undefined;
    const claimed: OutboxDoc = {
      ...doc,
      attempts: doc.attempts + 1,
      nextAttemptAt: new Date(now.getTime() + CLAIM_LEASE_MS).toISOString(),
    };
    writeDoc(tx, claimed);
    return claimed;
  });
}
