/**
 * The EventBus on Google Cloud Pub/Sub, or on the emulator given as
 * `emulatorHost` (the wiring passes PUBSUB_EMULATOR_HOST from the config).
 * Publishing goes
 * through the library's batching publisher tuned for latency; pulling uses
 * the v1 SubscriberClient's synchronous pull, because the CLI and tests want
 * "what is there now" rather than a streaming listener. Production functions
 * are push-triggered and never pull.
 */
import { PubSub, v1, type ClientConfig, type Topic } from '@google-cloud/pubsub';
import { ValidationError } from '../../errors';
import { systemClock, type Clock } from '../../ports/clock';
import {
  assertResourceId,
  encodeOutgoingMessage,
  inspectSubscriptionOf,
  type EventBus,
  type NackOptions,
  type OutgoingMessage,
  type ReceivedMessage,
  type SubscriptionSpec,
} from '../../ports/event-bus';
import { DELIVERY } from '../../topology';
import { pubsubEmulatorOptions } from './emulator-clients';
import { GrpcCode, grpcCode, translatePubSubError } from './pubsub-errors';

export interface PubSubEventBusOptions {
  projectId: string;
  /** Extra client settings (apiEndpoint, credentials); the emulator needs none. */
  clientConfig?: ClientConfig;
  /**
   * host:port of the Pub/Sub emulator; it takes precedence over
   * PUBSUB_EMULATOR_HOST in the process environment, which the library reads
   * when this is absent.
   */
  emulatorHost?: string;
  /** Gap between synchronous pulls while `pull` waits for a message (default 50 ms). */
  pollIntervalMs?: number;
  clock?: Clock;
}

type Timestamp = { seconds?: number | string | { toString(): string } | null; nanos?: number | null };

/** Pub/Sub adapter; see the file comment. */
export class PubSubEventBus implements EventBus {
  readonly projectId: string;
  private readonly pubsub: PubSub;
  private readonly pollIntervalMs: number;
  private readonly clock: Clock;
  private readonly topics = new Map<string, Topic>();
  private subscriber: Promise<v1.SubscriberClient> | undefined;

  constructor(options: PubSubEventBusOptions) {
    if (!options.projectId) throw new ValidationError('projectId is required', ['projectId']);
    this.projectId = options.projectId;
    this.pubsub = new PubSub({
      ...options.clientConfig,
      // The library's own emulator mode: plain-text gRPC, no credentials looked for.
      ...(options.emulatorHost ? pubsubEmulatorOptions(options.emulatorHost) : {}),
      projectId: options.projectId,
    });
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
    this.clock = options.clock ?? systemClock;
  }

  async ensureTopic(topic: string): Promise<void> {
    assertResourceId('topic', topic);
    await this.createIfAbsent(`create topic ${topic}`, () => this.pubsub.createTopic(topic));
  }

  async ensureSubscription(spec: SubscriptionSpec): Promise<void> {
    validatePubSubSpec(spec);
    await this.ensureTopic(spec.topic);
    if (spec.deadLetterTopic) {
      await this.ensureTopic(spec.deadLetterTopic);
      const inspect = inspectSubscriptionOf(spec.deadLetterTopic);
      await this.createIfAbsent(`create subscription ${inspect}`, () =>
        this.pubsub.topic(spec.deadLetterTopic as string).createSubscription(inspect, {
          ackDeadlineSeconds: DELIVERY.ackDeadlineSeconds,
          // Dead letters wait for a person: keep them the longest Pub/Sub allows.
          messageRetentionDuration: { seconds: 7 * 24 * 3600 },
        }),
      );
    }
    await this.createIfAbsent(`create subscription ${spec.name}`, () =>
      this.pubsub.topic(spec.topic).createSubscription(spec.name, {
        ackDeadlineSeconds: spec.ackDeadlineSeconds,
        retryPolicy: {
          minimumBackoff: duration(spec.minBackoffSeconds),
          maximumBackoff: duration(spec.maxBackoffSeconds),
        },
        ...(spec.deadLetterTopic
          ? {
              deadLetterPolicy: {
                deadLetterTopic: this.topicPath(spec.deadLetterTopic),
                maxDeliveryAttempts: spec.maxDeliveryAttempts,
              },
            }
          : {}),
        ...(spec.pushEndpoint ? { pushConfig: { pushEndpoint: spec.pushEndpoint } } : {}),
      }),
    );
  }

  async publish(topic: string, message: OutgoingMessage): Promise<string> {
    assertResourceId('topic', topic);
    const { data, attributes } = encodeOutgoingMessage(message);
    try {
      return await this.publisher(topic).publishMessage({ data, attributes });
    } catch (err) {
      throw translatePubSubError(err, `publish to topic ${topic}`);
    }
  }

  async pull(subscription: string, max: number, waitMs = 0): Promise<ReceivedMessage[]> {
    assertResourceId('subscription', subscription);
    if (!Number.isInteger(max) || max < 1 || max > 1000) {
      throw new ValidationError(`max must be a whole number from 1 to 1000 (got ${max})`, ['max']);
    }
    const client = await this.subscriberClient();
    const deadline = this.clock.now().getTime() + Math.max(0, waitMs);
    for (;;) {
      let received;
      try {
        // returnImmediately: a blocking pull that the client abandons at its
        // own timeout can leave messages leased to nobody until their deadline.
        [received] = await client.pull({
          subscription: this.subscriptionPath(subscription),
          maxMessages: max,
          returnImmediately: true,
        });
      } catch (err) {
        throw translatePubSubError(err, `pull from subscription ${subscription}`);
      }
      const messages = received.receivedMessages ?? [];
      const left = deadline - this.clock.now().getTime();
      if (messages.length > 0 || left <= 0) return messages.map(toReceivedMessage);
      await this.clock.sleep(Math.min(left, this.pollIntervalMs));
    }
  }

  async ack(subscription: string, ackIds: string[]): Promise<void> {
    assertResourceId('subscription', subscription);
    if (ackIds.length === 0) return;
    const client = await this.subscriberClient();
    try {
      await client.acknowledge({ subscription: this.subscriptionPath(subscription), ackIds });
    } catch (err) {
      throw translatePubSubError(err, `ack on subscription ${subscription}`);
    }
  }

  /** Deadline 0: Pub/Sub redelivers after the retry policy's backoff. `reason` has nowhere to go here. */
  async nack(subscription: string, ackIds: string[], _options: NackOptions = {}): Promise<void> {
    assertResourceId('subscription', subscription);
    if (ackIds.length === 0) return;
    const client = await this.subscriberClient();
    try {
      await client.modifyAckDeadline({
        subscription: this.subscriptionPath(subscription),
        ackIds,
        ackDeadlineSeconds: 0,
      });
    } catch (err) {
      throw translatePubSubError(err, `nack on subscription ${subscription}`);
    }
  }

  /** Sends what the batching publisher still holds, then closes the connections. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.topics.values()].map((topic) => topic.flush()));
    this.topics.clear();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber) await (await subscriber).close();
    await this.pubsub.close();
  }

  topicPath(topic: string): string {
    return `projects/${this.projectId}/topics/${topic}`;
  }

  subscriptionPath(subscription: string): string {
    return `projects/${this.projectId}/subscriptions/${subscription}`;
  }

  private publisher(topic: string): Topic {
    let publisher = this.topics.get(topic);
    if (!publisher) {
      // A few ms of batching: 200 concurrent publishes share a handful of RPCs, a lone one waits 5 ms.
      publisher = this.pubsub.topic(topic, { batching: { maxMessages: 100, maxMilliseconds: 5 } });
      this.topics.set(topic, publisher);
    }
    return publisher;
  }

  private subscriberClient(): Promise<v1.SubscriberClient> {
    // The same endpoint, project and emulator detection as the PubSub client.
    this.subscriber ??= this.pubsub
      .getClientConfig()
      .then(
        (config) => new v1.SubscriberClient(config as ConstructorParameters<typeof v1.SubscriberClient>[0]),
      );
    return this.subscriber;
  }

  private async createIfAbsent(action: string, create: () => Promise<unknown>): Promise<void> {
    try {
      await create();
    } catch (err) {
      if (grpcCode(err) === GrpcCode.ALREADY_EXISTS) return;
      throw translatePubSubError(err, action);
    }
  }
}

/** Google's limits, checked before the call so the error names the field. */
export function validatePubSubSpec(spec: SubscriptionSpec): void {
  assertResourceId('subscription.name', spec.name);
  assertResourceId('subscription.topic', spec.topic);
  const range = (field: keyof SubscriptionSpec, min: number, max: number, integer: boolean): void => {
    const value = spec[field];
    if (
      typeof value !== 'number' ||
      !(value >= min && value <= max) ||
      (integer && !Number.isInteger(value))
    ) {
      throw new ValidationError(
        `subscription.${field} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max} on Pub/Sub (got ${JSON.stringify(value)})`,
        [`subscription.${field}`],
      );
    }
  };
  range('ackDeadlineSeconds', 10, 600, true);
  range('maxDeliveryAttempts', 5, 100, true);
  range('minBackoffSeconds', 0, 600, false);
  range('maxBackoffSeconds', Math.max(0, spec.minBackoffSeconds), 600, false);
  if (spec.deadLetterTopic !== undefined)
    assertResourceId('subscription.deadLetterTopic', spec.deadLetterTopic);
  if (spec.pushEndpoint !== undefined) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(spec.pushEndpoint).protocol);
    } catch {
      ok = false;
    }
    if (!ok) {
      throw new ValidationError(
        `subscription.pushEndpoint must be an http(s) URL (got ${spec.pushEndpoint})`,
        ['subscription.pushEndpoint'],
      );
    }
  }
}

function duration(seconds: number): { seconds: number; nanos: number } {
  const whole = Math.floor(seconds);
  return { seconds: whole, nanos: Math.round((seconds - whole) * 1e9) };
}

function toIso(ts: Timestamp | null | undefined): string {
  if (!ts) return new Date(0).toISOString();
  return new Date(Number(String(ts.seconds ?? 0)) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString();
}

function toReceivedMessage(received: v1ReceivedMessage): ReceivedMessage {
  const message = received.message ?? {};
  const data = message.data;
  return {
    ackId: received.ackId ?? '',
    id: message.messageId ?? '',
    data: data === undefined || data === null ? Buffer.alloc(0) : Buffer.from(data as Uint8Array | string),
    attributes: { ...(message.attributes ?? {}) },
    publishTime: toIso(message.publishTime as Timestamp | null | undefined),
    // Pub/Sub counts only with a dead-letter policy; 0 means "not counted".
    deliveryAttempt: received.deliveryAttempt ?? 0,
  };
}

type v1ReceivedMessage = {
  ackId?: string | null;
  deliveryAttempt?: number | null;
  message?: {
    data?: Uint8Array | string | null;
    attributes?: Record<string, string> | null;
    messageId?: string | null;
    publishTime?: unknown;
  } | null;
};
