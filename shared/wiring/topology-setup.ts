/**
 * Creates the topics, subscriptions and dead-letter topics of topology on an
 * EventBus (embedded queue or the Pub/Sub emulator). On Google Cloud,
 * Terraform creates them; this is for one machine and for tests.
 */
import type { EventBus, SubscriptionSpec } from '../ports/event-bus';
import {
  ackDeadlineFor,
  DELIVERY,
  FUNCTIONS,
  SUBSCRIPTIONS,
  TOPICS,
  deadLetterSubscriptionOf,
  deadLetterTopicOf,
} from '../topology';

export interface TopologyOptions {
  /** Push endpoint per consuming function (the emulator pushes; the embedded queue is pulled by a dispatcher). */
  pushEndpointFor?: (consumer: string, topic: string) => string | undefined;
  /** Shorter delivery settings (tests, drills); an `ackDeadlineSeconds` here replaces each consumer's own. */
  delivery?: Partial<Record<keyof typeof DELIVERY, number>>;
}

/** Every subscription spec of the topology, consumer subscriptions first, then dead-letter inspectors. */
export function subscriptionSpecs(options: TopologyOptions = {}): SubscriptionSpec[] {
  const delivery = { ...DELIVERY, ...options.delivery };
  const consumers = SUBSCRIPTIONS.map((s) => ({
    name: s.name,
    topic: s.topic,
    ...delivery,
    // As infra sets it: the consumer's timeout (a push's deadline is its request timeout), unless a test asks.
    ackDeadlineSeconds:
      options.delivery?.ackDeadlineSeconds ?? ackDeadlineFor(FUNCTIONS.find((f) => f.name === s.consumer)!),
    deadLetterTopic: s.deadLetterTopic,
    pushEndpoint: options.pushEndpointFor?.(s.consumer, s.topic),
  }));
  const inspectors = TOPICS.map((t) => ({
    name: deadLetterSubscriptionOf(t),
    topic: deadLetterTopicOf(t),
    ...delivery,
    // Dead letters wait here for `forecast-guard dead-letters`; they are never dead-lettered again.
    maxDeliveryAttempts: 100,
    deadLetterTopic: undefined,
  }));
  return [...consumers, ...inspectors];
}

/** Idempotent: creates what is missing. */
export async function ensureTopology(bus: EventBus, options: TopologyOptions = {}): Promise<void> {
  for (const topic of TOPICS) {
    await bus.ensureTopic(topic);
    await bus.ensureTopic(deadLetterTopicOf(topic));
  }
  for (const spec of subscriptionSpecs(options)) await bus.ensureSubscription(spec);
}

/**
 * On one machine (embedded queue or the Pub/Sub emulator) nobody else creates
 * the topology, so every process that publishes makes sure it exists first.
 * On Google Cloud, Terraform owns it and this does nothing.
 */
export async function ensureLocalTopology(
  config: { backend: 'local' | 'gcp'; gcp: { emulators: { pubsub?: string } } },
  bus: EventBus,
): Promise<void> {
  if (config.backend === 'local' || config.gcp.emulators.pubsub) await ensureTopology(bus);
}
