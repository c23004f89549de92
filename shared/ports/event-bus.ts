/**
 * EventBus: Pub/Sub topics and subscriptions. Google Cloud Pub/Sub (or its
 * emulator), or a SQLite-backed queue embedded. Delivery is at least once:
 * consumers are idempotent by message id.
 */
import type { TopicPayload } from '../contracts/topic-messages';
import { ValidationError } from '../errors';
import type { DeadLetterTopicOf, FunctionName, PublishesOf, TopicName } from '../topology';

export type Attributes = Record<string, string>;

export interface OutgoingMessage {
  /**
   * JSON-serialisable payload, or raw bytes (Buffer / Uint8Array, sent as is).
   * Anything else, strings included, is sent as its JSON text. May be left
   * undefined only when `attributes` carry the message (Pub/Sub's rule).
   */
  data: unknown;
  attributes?: Attributes;
}

export interface ReceivedMessage {
  /** Handle for ack/nack of this delivery only; a later redelivery has a new one. */
  ackId: string;
  id: string;
  data: Buffer;
  attributes: Attributes;
  publishTime: string;
  /**
   * 1 on the first delivery. Pub/Sub counts only on subscriptions with a
   * dead-letter policy and reports 0 (unknown) elsewhere; the embedded bus
   * always counts.
   */
  deliveryAttempt: number;
}

export interface SubscriptionSpec {
  name: string;
  topic: string;
  ackDeadlineSeconds: number;
  /** After this many deliveries a message goes to `deadLetterTopic`. */
  maxDeliveryAttempts: number;
  /** Also gets an inspect subscription `<deadLetterTopic>-inspect` (see `deadLetterSubscriptionOf`). */
  deadLetterTopic?: string;
  /** Backoff between redeliveries after a nack. */
  minBackoffSeconds: number;
  maxBackoffSeconds: number;
  /** When set, the bus POSTs each message to this URL (Pub/Sub push format) instead of waiting for pulls. */
  pushEndpoint?: string;
}

export interface NackOptions {
  /**
   * Why the consumer gave up on the message. The embedded bus copies it into
   * a `deadLetterReason` attribute when the message is dead-lettered; Pub/Sub
   * has no place for it and drops it.
   */
  reason?: string;
}

export interface EventBus {
  ensureTopic(topic: string): Promise<void>;
  /**
   * Create-if-absent, with the topic, the dead-letter topic and its inspect
   * subscription. An existing Pub/Sub subscription keeps its settings.
   */
  ensureSubscription(spec: SubscriptionSpec): Promise<void>;
  /** Publishes and resolves to the server-assigned message id. NotFoundError when the topic does not exist. */
  publish(topic: string, message: OutgoingMessage): Promise<string>;
  /** Up to `max` messages now available; waits at most `waitMs` for the first. */
  pull(subscription: string, max: number, waitMs?: number): Promise<ReceivedMessage[]>;
  /** Idempotent; an ackId from an earlier, expired delivery is ignored. */
  ack(subscription: string, ackIds: string[]): Promise<void>;
  /** Redeliver later (after the subscription's backoff); counts as a delivery attempt. */
  nack(subscription: string, ackIds: string[], options?: NackOptions): Promise<void>;
  close(): Promise<void>;
}

/**
 * The publishing half of the bus, typed by topic: only the topics in T, each
 * with its own contract's payload. The EventBus above fits it, so a service
 * takes `bus: PublisherFor<'its-function'>` and the wiring hands it the bus.
 */
export interface Publisher<T extends TopicName> {
  publish<K extends T>(
    topic: K,
    message: { data: TopicPayload<K>; attributes?: Attributes },
  ): Promise<string>;
}

/** What function F may publish: the topics shared/topology.ts lists for it, and nothing else. */
export type PublisherFor<F extends FunctionName> = Publisher<PublishesOf<F>>;

/**
 * Republishing a message its consumer gave up on to `<T>-dead-letter`, as it
 * arrived (raw bytes and attributes). The Pub/Sub runtime does it for every
 * function; a consumer that decodes its own deliveries (sales-data-events)
 * needs it too.
 */
export interface DeadLetterPublisher<T extends TopicName> {
  publish(topic: DeadLetterTopicOf<T>, message: OutgoingMessage): Promise<string>;
}

/**
 * Attributes a dead-lettered message carries on its dead-letter topic: the
 * names Pub/Sub itself uses, plus `reason`, which only the embedded bus can
 * fill (from `nack(..., {reason})`).
 */
export const DEAD_LETTER_ATTRIBUTES = {
  deliveryCount: 'CloudPubSubDeadLetterSourceDeliveryCount',
  subscription: 'CloudPubSubDeadLetterSourceSubscription',
  subscriptionProject: 'CloudPubSubDeadLetterSourceSubscriptionProject',
  topicPublishTime: 'CloudPubSubDeadLetterSourceTopicPublishTime',
  reason: 'deadLetterReason',
} as const;

/**
 * The subscription that keeps a dead-letter topic's messages for inspection
 * and replay: `<deadLetterTopic>-inspect`, the same name
 * `deadLetterSubscriptionOf(topic)` in shared/topology.ts gives.
 */
export function inspectSubscriptionOf(deadLetterTopic: string): string {
  return `${deadLetterTopic}-inspect`;
}

/** Pub/Sub's resource-id rule (topics, subscriptions), enforced by every adapter alike. */
const RESOURCE_ID = /^[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$/;

/** Throws ValidationError naming `field` unless `value` is a valid topic/subscription id. */
export function assertResourceId(field: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || !RESOURCE_ID.test(value) || value.startsWith('goog')) {
    throw new ValidationError(
      `${field} must be 3-255 characters, start with a letter, use only letters, digits and - _ . ~ + %, and not start with "goog" (got ${JSON.stringify(value)})`,
      [field],
    );
  }
}

/**
 * Pub/Sub's fixed resource limits on one message
 * (https://cloud.google.com/pubsub/quotas#resource_limits, "Quotas and limits"):
 * at most 10 MB (counted here as the data plus every attribute key and value,
 * as the client library measures a message; MB = 1,000,000 bytes, the page's
 * unit), at most 100 attributes, keys of at most 256 bytes, values of at most
 * 1,024 bytes. Bytes are UTF-8 bytes, not characters. Keys must not start
 * with `goog` (reserved), and a message needs data or an attribute
 * (https://cloud.google.com/pubsub/docs/reference/rest/v1/PubsubMessage).
 */
export const PUBSUB_LIMITS = {
  maxMessageBytes: 10_000_000,
  maxAttributes: 100,
  maxAttributeKeyBytes: 256,
  maxAttributeValueBytes: 1024,
} as const;

/** Why Pub/Sub would refuse this attribute, or undefined when it is fine. */
export function attributeProblem(key: string, value: unknown): string | undefined {
  if (
    key.length === 0 ||
    Buffer.byteLength(key) > PUBSUB_LIMITS.maxAttributeKeyBytes ||
    key.startsWith('goog')
  ) {
    return `keys must be 1-${PUBSUB_LIMITS.maxAttributeKeyBytes} bytes and not start with "goog"`;
  }
  if (typeof value !== 'string') return `must be a string (got ${typeof value})`;
  const bytes = Buffer.byteLength(value);
  if (bytes > PUBSUB_LIMITS.maxAttributeValueBytes) {
    return `value is ${bytes} bytes; Pub/Sub allows ${PUBSUB_LIMITS.maxAttributeValueBytes}`;
  }
  return undefined;
}

/**
 * `text` cut to at most `maxBytes` UTF-8 bytes on a character boundary (never
 * half a surrogate pair or a U+FFFD from a split byte sequence), ending with
 * `…` when anything was cut.
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const ellipsis = '…';
  let budget = maxBytes - Buffer.byteLength(ellipsis);
  let out = '';
  for (const ch of text) {
    // A lone surrogate is sent as U+FFFD, 3 bytes, like Buffer.byteLength counts it.
    const bytes = Buffer.byteLength(ch);
    if (bytes > budget) break;
    out += ch;
    budget -= bytes;
  }
  return out + ellipsis;
}

/** Bytes a message counts against PUBSUB_LIMITS.maxMessageBytes. */
export function messageBytes(data: Uint8Array, attributes: Attributes): number {
  let size = data.byteLength;
  for (const [key, value] of Object.entries(attributes))
    size += Buffer.byteLength(key) + Buffer.byteLength(value);
  return size;
}

/**
 * The bytes and attributes every adapter puts on the wire for `message`, so
 * the embedded bus and Pub/Sub agree byte for byte. Refuses what Pub/Sub
 * refuses (PUBSUB_LIMITS) with a ValidationError naming the field, so a
 * message the embedded bus (or the more lenient emulator) accepts also
 * publishes on Google Cloud.
 */
export function encodeOutgoingMessage(message: OutgoingMessage): { data: Buffer; attributes: Attributes } {
  const attributes = message.attributes ?? {};
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
    throw new ValidationError('message.attributes must be an object of string values', [
      'message.attributes',
    ]);
  }
  const entries = Object.entries(attributes);
  if (entries.length > PUBSUB_LIMITS.maxAttributes) {
    throw new ValidationError(
      `message.attributes has ${entries.length} entries; Pub/Sub allows ${PUBSUB_LIMITS.maxAttributes}`,
      ['message.attributes'],
    );
  }
  for (const [key, value] of entries) {
    const field = `message.attributes.${key}`;
    const problem = attributeProblem(key, value);
    if (problem) throw new ValidationError(`${field}: ${problem}`, [field]);
  }
  let data: Buffer;
  if (Buffer.isBuffer(message.data)) data = message.data;
  else if (message.data instanceof Uint8Array) data = Buffer.from(message.data);
  else if (message.data === undefined) data = Buffer.alloc(0);
  else {
    let json: string | undefined;
    try {
      json = JSON.stringify(message.data);
    } catch (err) {
      throw new ValidationError(
        `message.data is not JSON-serialisable: ${(err as Error).message}`,
        ['message.data'],
        {
          cause: err,
        },
      );
    }
    if (json === undefined) {
      throw new ValidationError(`message.data is not JSON-serialisable (${typeof message.data})`, [
        'message.data',
      ]);
    }
    data = Buffer.from(json, 'utf8');
  }
  const size = messageBytes(data, attributes);
  if (size > PUBSUB_LIMITS.maxMessageBytes) {
    throw new ValidationError(
      `message is ${size} bytes (data and attributes); Pub/Sub allows ${PUBSUB_LIMITS.maxMessageBytes}`,
      ['message.data'],
    );
  }
  if (data.length === 0 && entries.length === 0) {
    throw new ValidationError(
      'message.data is empty and there are no attributes; Pub/Sub needs one of them',
      ['message.data'],
    );
  }
  return { data, attributes: { ...attributes } };
}
