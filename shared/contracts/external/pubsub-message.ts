/**
 * Pub/Sub's own shapes: the message as Pub/Sub hands it out, and the body of
 * a push delivery. Production pushes carry snake_case duplicates
 * (`message_id`, `publish_time`); the emulator sends neither `publishTime`
 * nor `orderingKey`, and counts message ids from 1. Both parse here.
 */
import { z } from 'zod';
import { rfc3339 } from '../primitives';

/** `projects/{project}/subscriptions/{subscription}`. */
export const subscriptionName = z
  .string()
  .regex(
    /^projects\/[^/]+\/subscriptions\/[^/]+$/,
    'must be projects/{project}/subscriptions/{subscription}',
  );

/** `projects/{project}/topics/{topic}`. */
export const topicName = z
  .string()
  .regex(/^projects\/[^/]+\/topics\/[^/]+$/, 'must be projects/{project}/topics/{topic}');

/** Pub/Sub attributes: string to string. */
export const PubsubAttributes = z.record(z.string(), z.string());

/**
 * Pub/Sub's ids are short decimal strings; a pushed body can claim anything.
 * The id keys the consumer's de-duplication record (a document id: at most
 * 1,500 bytes), so one past 1,024 bytes is refused here, as bad input to
 * dead-letter, rather than failing at the state store on every redelivery.
 */
export const MAX_MESSAGE_ID_BYTES = 1024;
const messageId = z
  .string()
  .min(1)
  .refine((id) => Buffer.byteLength(id) <= MAX_MESSAGE_ID_BYTES, {
    message: `must be at most ${MAX_MESSAGE_ID_BYTES} bytes`,
  });

/**
 * One message. `data` is base64 and absent for attribute-only messages;
 * `messageId` may come only as `message_id`. Extra keys (`@type`) pass through.
 */
export const PubsubMessage = z
  .looseObject({
    data: z.string().optional(),
    attributes: PubsubAttributes.optional(),
    messageId: messageId.optional(),
    message_id: messageId.optional(),
    publishTime: rfc3339.optional(),
    publish_time: rfc3339.optional(),
    orderingKey: z.string().optional(),
  })
  .superRefine((m, ctx) => {
    if (m.messageId === undefined && m.message_id === undefined) {
      ctx.addIssue({ code: 'custom', path: ['messageId'], message: 'is required', input: undefined });
    }
  });
export type PubsubMessage = z.infer<typeof PubsubMessage>;

/** `deliveryAttempt` is set only when the subscription has a dead-letter policy; 1 on the first delivery. */
export const deliveryAttempt = z.number().int().min(1);

/** The JSON body Pub/Sub POSTs to a push endpoint (production and emulator). */
export const PubsubPushBody = z.looseObject({
  message: PubsubMessage,
  subscription: subscriptionName,
  deliveryAttempt: deliveryAttempt.optional(),
});
export type PubsubPushBody = z.infer<typeof PubsubPushBody>;
