/**
 * sales-data-events: a new sales object in Cloud Storage becomes a health
 * check of exactly the books it holds, so a degraded book pages minutes after
 * its actuals land instead of at the next hourly check.
 *
 * One delivery (a Pub/Sub notification or an Eventarc storage event, see
 * contracts/external/storage-notification.ts):
 *
 * 1. decoded; what cannot be decoded is dead-lettered with the reason and
 *    acked: it will never decode, so a retry would only loop;
 * 2. ignored, with the reason logged, when it brings no new sales:
 *    - not OBJECT_FINALIZE. An overwrite is two events, FINALIZE of the new
 *      generation and DELETE (or ARCHIVE, with versioning) of the old one;
 *      only the first carries new rows. A METADATA_UPDATE changes no row;
 *    - outside FG_SALES_UPDATES_PREFIX (a second notification config on the
 *      bucket, or a hand-published message, must not widen what we watch);
 *    - not a `.csv` name: the publisher's drops are CSV files, and the other
 *      objects a prefix collects (`_SUCCESS` markers, folder placeholders
 *      ending in `/`, `gcloud storage`'s parallel-composite temporaries) hold
 *      no sales, and reading them would only dead-letter;
 * 3. skipped when this generation's event was already handled: delivery is at
 *    least once and Cloud Storage may notify one upload twice under different
 *    message ids, so the key is bucket/name#generation:eventType;
 * 4. the books in that generation (`SalesData.isbnsIn`, pinned to it) are
 *    published to `health-check-requests` as one HealthCheckRequest
 *    (`trigger: sales-data`, `onlyServed`: a drop names unserved books too)
 *    whose `requestId` comes from the same key: a redelivery that publishes
 *    again asks for the same run, and the health check runs it once.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { COLLECTIONS } from '../contracts/collections';
import { PROCESSED_TTL_MS, processedMessageDocId } from '../contracts/documents/processed-message';
import {
  storageEventFrom,
  storageEventKey,
  type StorageObjectEvent,
} from '../contracts/external/storage-notification';
import type { HealthCheckRequest } from '../contracts/messages/health-check-request';
import { MAX_ISBNS_PER_REQUEST } from '../contracts/primitives';
import { pubsubEventFrom } from '../contracts/pubsub-event';
import { describeError, isRetryable, NotSalesSourceError, ValidationError } from '../errors';
import { correlationFrom, withCorrelation } from '../logging/correlation';
import type { Logger } from '../logging/logger';
import type { Clock } from '../ports/clock';
import type { DeadLetterPublisher, PublisherFor } from '../ports/event-bus';
import type { SalesData, SalesSource } from '../ports/sales-data';
import type { StateStore } from '../ports/state-store';
import { deadLetterMessage } from '../ports/dead-letter';
import { deadLetterTopicOf } from '../topology';

export const SALES_DATA_CONSUMER = 'sales-data-events';
export const SALES_DATA_TOPIC = 'sales-data-updates';

/**
 * The bucket name the local stack's folder watcher puts in its notifications.
 * Real bucket names are global and this one is not ours, so it is honoured
 * only when the embedded backend gives a local root (`localRoot`); on Google
 * Cloud it is an ordinary bucket name.
 */
export const LOCAL_SALES_BUCKET = 'local';

export interface SalesDataEventsDeps {
  sales: SalesData;
  state: StateStore;
  bus: PublisherFor<'sales-data-events'> & DeadLetterPublisher<'sales-data-updates'>;
  clock: Clock;
  logger: Logger;
}

export interface SalesDataEventsSettings {
  /** FG_SALES_UPDATES_PREFIX: object-name prefix; '' accepts every name. */
  prefix: string;
  /** The embedded backend's sales folder: objects of LOCAL_SALES_BUCKET are files under it. */
  localRoot?: string;
}

export type SalesEventOutcome =
  | {
      outcome: 'requested';
      source: SalesSource;
      isbns: string[];
      requestIds: string[];
      correlationId: string;
    }
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'duplicate' }
  | { outcome: 'dead-lettered'; reason: string };

/** Handles one delivery (see the file comment); throws only to ask for redelivery (a retryable failure). */
export async function handleSalesDataDelivery(
  received: unknown,
  deps: SalesDataEventsDeps,
  settings: SalesDataEventsSettings,
): Promise<SalesEventOutcome> {
  const log = deps.logger.child({ consumer: SALES_DATA_CONSUMER, topic: SALES_DATA_TOPIC });
  let event: StorageObjectEvent;
  try {
    event = storageEventFrom(received);
  } catch (err) {
    return refuse(received, undefined, describeError(err), deps, log);
  }
  const key = storageEventKey(event);
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 32);
  // Carried through to the health check and its alerts; derived from the key when the notification
  // has none, so a redelivery logs under the same id as the first delivery.
  const correlationId = correlationFrom(event.attributes, `corr-gcs-${hash.slice(0, 20)}`);
  const ctxLog = log.child({
    correlationId,
    object: `${event.bucket}/${event.name}`,
    generation: event.generation,
  });

  const ignored = whyIgnored(event, settings);
  if (ignored) {
    ctxLog.info(`ignored: ${ignored}`, { eventType: event.eventType, via: event.via });
    return { outcome: 'ignored', reason: ignored };
  }

  const docId = processedMessageDocId(SALES_DATA_CONSUMER, `gcs-${hash}`);
  if (await deps.state.get(COLLECTIONS.processedMessages, docId)) {
    ctxLog.info('duplicate: this generation was already handled');
    return { outcome: 'duplicate' };
  }

  const source = sourceOf(event, settings);
  let isbns: string[];
  try {
    isbns = await deps.sales.isbnsIn(source);
  } catch (err) {
    if (err instanceof NotSalesSourceError) {
      // A file beside the sales (ISBN_data.csv under raw_data/): nothing to re-check, nothing wrong.
      ctxLog.info(`ignored: ${describeError(err)}`, { eventType: event.eventType, via: event.via });
      return { outcome: 'ignored', reason: describeError(err) };
    }
    if (!(err instanceof ValidationError) && isRetryable(err)) {
      ctxLog.warning(`cannot read ${source.uri} yet; asking for redelivery: ${describeError(err)}`);
      throw err;
    }
    return refuse(
      received,
      event,
      `${source.uri}#${source.generation ?? ''}: ${describeError(err)}`,
      deps,
      ctxLog,
    );
  }

  const requestIds: string[] = [];
  const chunks = chunk(isbns, MAX_ISBNS_PER_REQUEST);
  for (const [i, isbnsOfChunk] of chunks.entries()) {
    const requestId = chunks.length === 1 ? `sales-${hash}` : `sales-${hash}-${i + 1}`;
    const request: HealthCheckRequest = {
      trigger: 'sales-data',
      isbns: isbnsOfChunk,
      onlyServed: true,
      correlationId,
      requestId,
      reason: `sales drop ${source.uri}#${source.generation}${event.overwroteGeneration ? ` (replaced #${event.overwroteGeneration})` : ''}`,
    };
    await deps.bus.publish('health-check-requests', {
      data: request,
      attributes: withCorrelation(eventTimeAttribute(event), correlationId),
    });
    requestIds.push(requestId);
  }

  const now = deps.clock.now();
  await deps.state.set(COLLECTIONS.processedMessages, docId, {
    id: key.length <= 1500 ? key : `gcs-${hash}`,
    topic: SALES_DATA_TOPIC,
    consumer: SALES_DATA_CONSUMER,
    processedAt: now.toISOString(),
    expireAt: new Date(now.getTime() + PROCESSED_TTL_MS).toISOString(),
  });
  if (isbns.length === 0) ctxLog.info('the drop holds no rows; nothing to check');
  else
    ctxLog.info(`health check asked for the ${isbns.length} books in the drop`, {
      requestIds,
      via: event.via,
    });
  return { outcome: 'requested', source, isbns, requestIds, correlationId };
}

/** Why an event brings no new sales to check, or undefined when it does. */
export function whyIgnored(event: StorageObjectEvent, settings: SalesDataEventsSettings): string | undefined {
  if (event.eventType !== 'OBJECT_FINALIZE') {
    return `${event.eventType} brings no new rows (only OBJECT_FINALIZE does; an overwrite also sends DELETE or ARCHIVE of the old generation)`;
  }
  if (!event.name.startsWith(settings.prefix)) {
    return `${event.name} is outside the sales prefix "${settings.prefix}" (FG_SALES_UPDATES_PREFIX)`;
  }
  if (!/\.csv$/i.test(event.name)) return `${event.name} is not a .csv file, so it holds no sales rows`;
  return undefined;
}

/** The source to read: built from bucket + name (selfLink and mediaLink are URL-encoded), pinned to the generation. */
export function sourceOf(event: StorageObjectEvent, settings: SalesDataEventsSettings): SalesSource {
  if (event.bucket === LOCAL_SALES_BUCKET && settings.localRoot !== undefined) {
    return { uri: join(settings.localRoot, event.name), generation: event.generation };
  }
  return { uri: `gs://${event.bucket}/${event.name}`, generation: event.generation };
}

/** Dead-letters a delivery that will never succeed, with the reason, and acks it. */
async function refuse(
  received: unknown,
  event: StorageObjectEvent | undefined,
  reason: string,
  deps: SalesDataEventsDeps,
  log: Logger,
): Promise<SalesEventOutcome> {
  const raw = rawMessageOf(received);
  const correlationId = correlationFrom(raw.attributes, 'corr-gcs-undecodable');
  await deps.bus.publish(
    deadLetterTopicOf(SALES_DATA_TOPIC),
    deadLetterMessage({
      consumer: SALES_DATA_CONSUMER,
      reason,
      correlationId,
      ...((raw.messageId ?? event?.deliveryId)
        ? { sourceMessageId: (raw.messageId ?? event?.deliveryId) as string }
        : {}),
      data: raw.data,
      attributes: raw.attributes,
    }),
  );
  log.warning(`dead-lettered: ${reason}`, { deadLetterTopic: deadLetterTopicOf(SALES_DATA_TOPIC) });
  return { outcome: 'dead-lettered', reason };
}

/** What to keep of a refused delivery: the Pub/Sub message as it came, else the JSON of what arrived. */
function rawMessageOf(received: unknown): {
  messageId?: string;
  data: Buffer | undefined;
  attributes: Record<string, string>;
} {
  try {
    const m = pubsubEventFrom(received);
    return { messageId: m.messageId, data: m.data, attributes: m.attributes };
  } catch {
    let text: string;
    try {
      text = JSON.stringify(received) ?? String(received);
    } catch (err) {
      text = `(not printable as JSON: ${(err as Error).message})`;
    }
    return { data: Buffer.from(text, 'utf8'), attributes: {} };
  }
}

/** When the object landed, for the health check's log (landing → page is the figure that matters). */
function eventTimeAttribute(event: StorageObjectEvent): Record<string, string> {
  // Already checked as RFC 3339 by the contract, so it fits an attribute value.
  return event.eventTime ? { salesEventTime: event.eventTime } : {};
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  if (items.length === 0) return [];
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
