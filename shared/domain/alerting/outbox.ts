/**
 * The outbox documents, as data: PendingNotification documents, written in
 * the same transaction as the alert state that decided them, so a decision
 * to notify and the notification itself can never part. Two sorts:
 *
 * - a delivery (`channel` = slack, email, log…): one notification for one
 *   channel, retried with backoff until delivered;
 * - a dispatch job (`channel` = `dispatch`): a run's alerts waiting to be
 *   grouped, a storm summary, an escalation timer or a held-back resolution,
 *   turned into deliveries when due (the service's group stage).
 *
 * Claiming is by `nextAttemptAt`: whoever moves it past now (in a
 * transaction) holds the document for the lease; a closed document gets
 * `nextAttemptAt` = `expireAt`, so it is never due again and the store's TTL
 * removes it later. Pure: the service reads and writes these documents
 * (shared/services/alert-dispatch/outbox.ts).
 */
import { createHash } from 'node:crypto';
import type { PendingNotification } from '../../contracts/documents/pending-notification';
import type { Notification } from '../../contracts/notification';
import type { Environment } from '../../contracts/primitives';
import { retryDelayMs } from './backoff';
import type { GroupItem } from './group-item';
/** The pseudo-channel of dispatch jobs. */
export const DISPATCH_CHANNEL = 'dispatch';
/** How long a claimed document is held before anyone else may try it (a crashed sender's lease runs out). */
export const CLAIM_LEASE_MS = 60_000;
/** Closed documents are kept this long for inspection, then expire. */
export const CLOSED_RETENTION_MS = 7 * 24 * 3_600_000;

/** A delivery: the notification, rendered by its channel when sent. */
export type DeliveryPayload = { type: 'send'; notification: Notification };
/** One book's (or the fleet-level) alerts of one run, waiting out the group wait. */
export type GroupPayload = {
  type: 'group';
  runId: string;
  environment: Environment;
  isbn?: string;
  items: GroupItem[];
};
/** A run's storm summary, written from its book groups when due. */
export type StormPayload = { type: 'storm'; runId: string; environment: Environment };
/** Escalate this alert's episode when due, unless acknowledged or resolved by then. */
export type EscalationPayload = { type: 'escalation'; fingerprint: string; episodeStartedAt: string };
/** Send this held-back resolution when due, unless the condition came back. */
export type ResolutionPayload = {
  type: 'resolution';
  fingerprint: string;
  resolvedAt: string;
  item: GroupItem;
};
/** Any outbox payload, with its closing marks. */
export type OutboxPayload = (
  DeliveryPayload | GroupPayload | StormPayload | EscalationPayload | ResolutionPayload
) & {
  /** Set when the document is done with: delivered, expanded, cancelled or given up. */
  closed?: boolean;
  outcome?: string;
};

/** A PendingNotification with its payload typed. */
export type OutboxDoc = Omit<PendingNotification, 'payload'> & { payload: OutboxPayload; expireAt?: string };

const hash = (...parts: string[]) =>
  createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 20);

/** Prefix of every dispatch job of one run: `grp-<hash of environment and run id>-`. */
export function runPrefix(environment: Environment, runId: string): string {
  return `grp-${hash(environment, runId)}-`;
}

/** The job collecting one book's (or the fleet-level) alerts of one run. */
export function groupDocId(environment: Environment, runId: string, isbn: string | undefined): string {
  return `${runPrefix(environment, runId)}${isbn ?? 'fleet'}`;
}

/** The storm summary job of one run. */
export function stormDocId(environment: Environment, runId: string): string {
  return `${runPrefix(environment, runId)}storm`;
}

/** The escalation timer of the episode that started at `episodeStartedAt`. */
export function escalationDocId(fingerprint: string, episodeStartedAt: string): string {
  return `esc-${fingerprint}-${Date.parse(episodeStartedAt)}`;
}

/** The held-back resolution of the resolution at `resolvedAt`. */
export function resolutionDocId(fingerprint: string, resolvedAt: string): string {
  return `res-${fingerprint}-${Date.parse(resolvedAt)}`;
}

/** The id of a notification decided alone (no run to group with): unique per state write. */
export function directNotificationId(fingerprint: string, stateVersion: number): string {
  return `n-${fingerprint}-v${stateVersion}`;
}

/** The id of one notification's delivery to one channel. */
export function deliveryDocId(notificationId: string, channel: string): string {
  return `${notificationId}:${channel}`;
}

/** A delivery document, already claimed by its creator (it sends right away). */
export function newDelivery(
  notification: Notification,
  fingerprints: string[],
  channel: string,
  now: Date,
): OutboxDoc {
  return {
    id: deliveryDocId(notification.id, channel),
    fingerprints,
    channel,
    payload: { type: 'send', notification },
    attempts: 1,
    nextAttemptAt: new Date(now.getTime() + CLAIM_LEASE_MS).toISOString(),
    createdAt: now.toISOString(),
  };
}

/** A dispatch job due at `dueAt`. */
export function newJob(
  id: string,
  payload: GroupPayload | StormPayload | EscalationPayload | ResolutionPayload,
  fingerprints: string[],
  now: Date,
  dueAt: Date,
): OutboxDoc {
  return {
    id,
    fingerprints: fingerprints.length > 0 ? fingerprints : ['none'],
    channel: DISPATCH_CHANNEL,
    payload,
    attempts: 0,
    nextAttemptAt: dueAt.toISOString(),
    createdAt: now.toISOString(),
  };
}

/** `doc` closed with `outcome`; `delivered` also sets `deliveredAt`. Never due again; expires after the retention. */
export function closed(doc: OutboxDoc, outcome: string, now: Date, delivered: boolean): OutboxDoc {
  const expireAt = new Date(now.getTime() + CLOSED_RETENTION_MS).toISOString();
  return {
    ...doc,
    payload: { ...doc.payload, closed: true, outcome },
    nextAttemptAt: expireAt,
    expireAt,
    ...(delivered ? { deliveredAt: now.toISOString() } : {}),
  };
}

/** True until the document is delivered, expanded, cancelled or given up. */
export function isOpen(doc: OutboxDoc | undefined): doc is OutboxDoc {
  return doc !== undefined && doc.deliveredAt === undefined && doc.payload.closed !== true;
}

/** True when the document is open and its time has come (nobody holds it, its backoff is over). */
export function isDue(doc: OutboxDoc | undefined, now: Date): doc is OutboxDoc {
  return isOpen(doc) && Date.parse(doc.nextAttemptAt) <= now.getTime();
}

/** `doc` claimed for one more attempt: held by the claimer for the lease. */
export function claimed(doc: OutboxDoc, now: Date): OutboxDoc {
  return {
    ...doc,
    attempts: doc.attempts + 1,
    nextAttemptAt: new Date(now.getTime() + CLAIM_LEASE_MS).toISOString(),
  };
}

/** Why `doc` (as stored now) is no longer the sender's to record, or undefined while it still holds `held`. */
export function lostClaim(doc: OutboxDoc | undefined, held: OutboxDoc): string | undefined {
  if (!doc) return 'the document is gone';
  if (!isOpen(doc)) return `already ${(doc as OutboxDoc).payload.outcome ?? 'closed'}`;
  if (doc.attempts !== held.attempts) return "another sender took it over after this one's lease ran out";
  return undefined;
}

/** What a failed send tells the outbox: whether retrying can help, the channel's Retry-After, the error text. */
export interface SendFailure {
  retryable: boolean;
  retryAfterMs?: number;
  lastError: string;
}

/** The document after a failed send: closed as given up when retrying cannot help, else due again after the backoff. */
export function afterFailure(
  doc: OutboxDoc,
  failure: SendFailure,
  now: Date,
): { status: 'gave-up'; doc: OutboxDoc } | { status: 'retrying'; doc: OutboxDoc; nextAttemptAt: string } {
  const { lastError } = failure;
  if (!failure.retryable) {
    return { status: 'gave-up', doc: closed({ ...doc, lastError }, `gave up: ${lastError}`, now, false) };
  }
  const delay = retryDelayMs(doc.attempts, failure.retryAfterMs);
  const nextAttemptAt = new Date(now.getTime() + delay).toISOString();
  return { status: 'retrying', doc: { ...doc, nextAttemptAt, lastError }, nextAttemptAt };
}
