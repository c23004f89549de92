/**
 * EventBus: Pub/Sub topics and subscriptions. Google Cloud Pub/Sub (or its
 * emulator), or a SQLite-backed queue embedded. Delivery is at least once:
 * consumers are idempotent by message id.
 */

export type Attributes = Record<string, string>;

export interface OutgoingMessage {
  /** JSON-serialisable payload, or raw bytes. */
  data: unknown;
  attributes?: Attributes;
}

export interface ReceivedMessage {
  ackId: string;
  id: string;
  data: Buffer;
  attributes: Attributes;
  publishTime: string;
  /** 1 on the first delivery. */
  deliveryAttempt: number;
}

export interface SubscriptionSpec {
  name: string;
  topic: string;
  ackDeadlineSeconds: number;
  /** After this many deliveries a message goes to `deadLetterTopic`. */
  maxDeliveryAttempts: number;
  deadLetterTopic?: string;
  /** Backoff between redeliveries after a nack. */
  minBackoffSeconds: number;
  maxBackoffSeconds: number;
  /** When set, the bus POSTs each message to this URL (Pub/Sub push format) instead of waiting for pulls. */
  pushEndpoint?: string;
}

export interface EventBus {
  ensureTopic(topic: string): Promise<void>;
  ensureSubscription(spec: SubscriptionSpec): Promise<void>;
  /** Publishes and resolves to the server-assigned message id. */
  publish(topic: string, message: OutgoingMessage): Promise<string>;
  /** Up to `max` messages now available; waits at most `waitMs` for the first. */
  pull(subscription: string, max: number, waitMs?: number): Promise<ReceivedMessage[]>;
  ack(subscription: string, ackIds: string[]): Promise<void>;
  /** Redeliver later (after the subscription's backoff); counts as a delivery attempt. */
  nack(subscription: string, ackIds: string[]): Promise<void>;
  close(): Promise<void>;
}
