/**
 * The send stage: one claimed delivery through its channel's Notifier, then
 * the outcome recorded (record.ts). Every line logged here carries the
 * notification's correlation id, and never a secret (notifiers scrub their
 * errors; the logger scrubs again).
 */
import type { Notification } from '../../contracts/notification';
import { describeError, isRetryable } from '../../errors';
import type { ComposedNotification } from '../../domain/alerting/grouping';
import { claimed, isDue, type OutboxDoc } from '../../domain/alerting/outbox';
import { routeDeliveries } from '../../domain/alerting/routing';
import type { Logger } from '../../logging/logger';
import type { AlertDispatchDeps } from './deps';
import { readDoc, writeDoc } from './outbox';
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

/** What every outcome of one send says, whatever became of it. */
type OutcomeBase = Pick<SendOutcome, 'docId' | 'channel' | 'notificationId' | 'fingerprints' | 'attempts'>;

/** Sends a delivery this caller holds (it created or claimed it). */
export async function sendDelivery(doc: OutboxDoc, deps: AlertDispatchDeps): Promise<SendOutcome> {
  const started = deps.clock.now().getTime();
  const elapsed = () => deps.clock.now().getTime() - started;
  const payload = doc.payload;
  const notifier = deps.notifiers.find((n) => n.channel === doc.channel);
  const base: OutcomeBase = {
    docId: doc.id,
    channel: doc.channel,
    notificationId: payload.type === 'send' ? payload.notification.id : doc.id,
    fingerprints: doc.fingerprints,
    attempts: doc.attempts,
  };
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
    return failed(doc, n, err, { base, log, elapsed, deps });
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

/** Records a failed send and logs it: given up, or kept pending until its next try. */
async function failed(
  doc: OutboxDoc,
  n: Notification,
  err: unknown,
  send: { base: OutcomeBase; log: Logger; elapsed: () => number; deps: AlertDispatchDeps },
): Promise<SendOutcome> {
  const { log, elapsed } = send;
  const recorded = await recordFailure(doc, err, send.deps);
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
    ...send.base,
    status,
    error: describeError(err),
    retryable: isRetryable(err),
    ...(nextAttemptAt ? { nextAttemptAt } : {}),
    durationMs: elapsed(),
  };
}

/** Sends deliveries this caller holds, every channel at once: a slow SMTP server must not hold the Slack page back. */
export async function sendAll(held: readonly OutboxDoc[], deps: AlertDispatchDeps): Promise<SendOutcome[]> {
  return Promise.all(held.map((doc) => sendDelivery(doc, deps)));
}

/** Claims a due delivery (in a transaction, so one caller wins); undefined when it is not due or someone holds it. */
export async function claimDelivery(id: string, deps: AlertDispatchDeps): Promise<OutboxDoc | undefined> {
  return deps.state.runTransaction(async (tx) => {
    const now = deps.clock.now();
    const doc = await readDoc(tx, id);
    if (!isDue(doc, now)) return undefined;
    const mine = claimed(doc, now);
    writeDoc(tx, mine);
    return mine;
  });
}

/**
 * Sends `composed` to its channels unless it was sent before: its delivery
 * documents are created in a transaction only if none exists yet, so a
 * notification with a stable id goes out once however often it is asked
 * for (a redelivered request, a second scheduler run). Sends that fail stay
 * pending in the outbox like any other.
 */
export async function sendOnce(
  composed: ComposedNotification,
  deps: AlertDispatchDeps,
): Promise<{ alreadySent: boolean; outcomes: SendOutcome[] }> {
  const channels = deps.notifiers.map((n) => n.channel);
  const held = await deps.state.runTransaction(async (tx) => {
    const deliveries = routeDeliveries([composed], channels, deps.clock.now());
    for (const d of deliveries) if (await readDoc(tx, d.id)) return undefined;
    for (const d of deliveries) writeDoc(tx, d);
    return deliveries;
  });
  if (held === undefined) return { alreadySent: true, outcomes: [] };
  return { alreadySent: false, outcomes: await sendAll(held, deps) };
}
