/**
 * EventBus: Pub/Sub topics and subscriptions. Google Cloud Pub/Sub (or its
 * emulator), or a SQLite-backed queue embedded. Delivery is at least once:
 * consumers are idempotent by message id.
 */
import { ValidationError } from '../errors';

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
 * The bytes and attributes every adapter puts on the wire for `message`, so
 * the embedded bus and Pub/Sub agree byte for byte. Enforces Pub/Sub's limits
 * on attributes (at most 100; keys 1-256 bytes, not `goog*`; values strings of
 * at most 1024 bytes) so a message the embedded bus accepts also publishes on
 * Google Cloud.
 */
export function encodeOutgoingMessage(message: OutgoingMessage): { data: Buffer; attributes: Attributes } {
  const attributes = message.attributes ?? {};
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
    throw new ValidationError('message.attributes must be an object of string values', [
      'message.attributes',
    ]);
  }
  const entries = Object.entries(attributes);
  if (entries.length > 100) {
    throw new ValidationError(`message.attributes has ${entries.length} entries; Pub/Sub allows 100`, [
      'message.attributes',
    ]);
  }
  for (const [key, value] of entries) {
    const field = `message.attributes.${key}`;
    if (key.length === 0 || Buffer.byteLength(key) > 256 || key.startsWith('goog')) {
      throw new ValidationError(`${field}: keys must be 1-256 bytes and not start with "goog"`, [field]);
    }
    if (typeof value !== 'string') {
      throw new ValidationError(`${field} must be a string (got ${typeof value})`, [field]);
    }
    if (Buffer.byteLength(value) > 1024) {
      throw new ValidationError(`${field} is ${Buffer.byteLength(value)} bytes; Pub/Sub allows 1024`, [
        field,
      ]);
    }
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
  if (data.length === 0 && entries.length === 0) {
    throw new ValidationError(
      'message.data is empty and there are no attributes; Pub/Sub needs one of them',
      ['message.data'],
    );
  }
  return { data, attributes: { ...attributes } };
}
