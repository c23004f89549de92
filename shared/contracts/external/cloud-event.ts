/**
 * The CloudEvent Eventarc delivers to a 2nd-gen function for a Pub/Sub
 * message (`google.cloud.pubsub.topic.v1.messagePublished`), and its data,
 * `MessagePublishedData`. What a handler actually receives varies more than
 * this; `pubsub-event.ts` copes with every variant.
 */
import { z } from 'zod';
import { deliveryAttempt, PubsubMessage, subscriptionName } from './pubsub-message';
import { rfc3339 } from '../primitives';

export const PUBSUB_MESSAGE_PUBLISHED = 'google.cloud.pubsub.topic.v1.messagePublished';

/** `data` of the CloudEvent. `subscription` is dropped when the functions framework converts a raw push. */
export const MessagePublishedData = z.looseObject({
  message: PubsubMessage,
  subscription: subscriptionName.optional(),
  deliveryAttempt: deliveryAttempt.optional(),
});
export type MessagePublishedData = z.infer<typeof MessagePublishedData>;

/** The CloudEvent itself (structured form, or binary with `ce-*` headers lifted by the framework). */
export const PubsubCloudEvent = z.looseObject({
  specversion: z.literal('1.0'),
  type: z.literal(PUBSUB_MESSAGE_PUBLISHED),
  /** `//pubsub.googleapis.com/projects/{p}/topics/{t}`; only `//pubsub.googleapis.com/` when a push URL named no topic. */
  source: z.string().startsWith('//pubsub.googleapis.com/'),
  id: z.string().min(1),
  time: rfc3339.optional(),
  datacontenttype: z.string().optional(),
  data: MessagePublishedData,
});
export type PubsubCloudEvent = z.infer<typeof PubsubCloudEvent>;

/** The topic id in a CloudEvent `source`, or undefined when the source names none. */
export function topicFromSource(source: string | undefined): string | undefined {
  const match = /^\/\/pubsub\.googleapis\.com\/projects\/[^/]+\/topics\/([^/?]+)/.exec(source ?? '');
  return match?.[1];
}
