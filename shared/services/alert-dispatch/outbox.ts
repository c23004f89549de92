/**
 * The outbox: PendingNotification documents, written in the same
 * transaction as the alert state that decided them, so a decision to notify
 * and the notification itself can never part. Two sorts live here:
 *
 * - a delivery (`channel` = slack, email, log…): one notification for one
 *   channel, retried with backoff until delivered;
 * - a dispatch job (`channel` = `dispatch`): a run's alerts waiting to be
 *   grouped, a storm summary, an escalation timer or a held-back resolution,
 *   turned into deliveries when due (group.ts).
 *
 * Claiming is by `nextAttemptAt`: whoever moves it past now (in a
 * transaction) holds the document for the lease; a closed document gets
 * `nextAttemptAt` = `expireAt`, so it is never due again and the store's TTL
 * removes it later.
 */
import { createHash } from 'node:crypto';
import { COLLECTIONS } from '../../contracts/collections';
import type { PendingNotification } from '../../contracts/documents/pending-notification';
import type { Environment } from '../../contracts/primitives';
import type { GroupItem } from '../../domain/alerting/group-item';
import type { Notification } from '../../ports/notifier';
import type { StateStore, StoredDoc, Transaction } from '../../ports/state-store';

/** The collection the outbox lives in. */
export const OUTBOX = COLLECTIONS.pendingNotifications;
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

/** An outbox document, in or out of a transaction. */
export async function readDoc(tx: Transaction | StateStore, id: string): Promise<OutboxDoc | undefined> {
  return ((await tx.get(OUTBOX, id)) as StoredDoc<OutboxDoc> | undefined)?.data;
}

/** Writes an outbox document in a transaction. */
export function writeDoc(tx: Transaction, doc: OutboxDoc): void {
  tx.set(OUTBOX, doc.id, doc as unknown as Record<string, unknown>);
}

/** Open documents whose time has come, oldest first. */
export async function dueDocs(state: StateStore, now: Date, limit: number): Promise<OutboxDoc[]> {
  const docs = await state.query<OutboxDoc>(OUTBOX, {
    where: [{ field: 'nextAttemptAt', op: '<=', value: now.toISOString() }],
    orderBy: { field: 'nextAttemptAt', direction: 'asc' },
    limit,
  });
  return docs.map((d) => d.data).filter((d) => isDue(d, now));
}

/** Every dispatch job of one run (books, fleet, storm), open or closed. */
export async function runDocs(
  state: StateStore,
  environment: Environment,
  runId: string,
): Promise<OutboxDoc[]> {
  const prefix = runPrefix(environment, runId);
  const docs = await state.query<OutboxDoc>(OUTBOX, {
    where: [
      { field: 'id', op: '>=', value: prefix },
      { field: 'id', op: '<', value: `${prefix}~` },
    ],
  });
  return docs.map((d) => d.data);
}

/**
 * Open deliveries (not dispatch jobs), for the daily summary's "still
 * waiting" count. Reads the whole outbox, which holds at most a week of
 * closed documents: fine once a day.
 */
export async function countUndelivered(state: StateStore): Promise<number> {
  const docs = await state.query<OutboxDoc>(OUTBOX);
  return docs.filter((d) => isOpen(d.data) && d.data.channel !== DISPATCH_CHANNEL).length;
}
