/**
 * One way in for every Pub/Sub-triggered handler. What a `functions.cloudEvent`
 * handler receives depends on who delivered the message:
 *
 * - Eventarc (production): a CloudEvent whose `data` is MessagePublishedData,
 *   with `subscription`, maybe `deliveryAttempt` and snake_case duplicates;
 * - the functions framework converting a raw push (emulator, local stack):
 *   the same CloudEvent without `subscription` or `orderingKey` (the push's
 *   `deliveryAttempt` is kept: runtime/push-delivery-attempt.ts), with
 *   `message['@type']`, a `source` taken from the push URL (only
 *   `//pubsub.googleapis.com/` when the URL names no topic) and, for the
 *   emulator, a `publishTime` that is the handler's own clock;
 * - the framework NOT converting a push whose message has no data (an
 *   attribute-only message): the raw envelope `{subscription, message}`, no
 *   `type`, no `id`, `ce.data` undefined.
 *
 * `pubsubEventFrom` reduces all of them to one `PubsubEvent`; `decodeJsonData`
 * reads its data as JSON and checks it against a contract schema.
 */
import { z } from 'zod';
import { ValidationError } from '../errors';
import { MessagePublishedData, PUBSUB_MESSAGE_PUBLISHED, topicFromSource } from './external/cloud-event';
import type { PubsubMessage } from './external/pubsub-message';
import { preview } from './issues';
import { parseWith } from './parse';

/** A received Pub/Sub message, whoever delivered it. */
export interface PubsubEvent {
  messageId: string;
  /** The message bytes; undefined when the message had none (attributes only). */
  data: Buffer | undefined;
  /** Always an object, `{}` when the message had none. */
  attributes: Record<string, string>;
  /** RFC 3339. Synthetic (the receiver's clock) when the emulator pushed it through the functions framework. */
  publishTime?: string;
  /** Set only when the subscription has a dead-letter policy; 1 on the first delivery. */
  deliveryAttempt?: number;
  /** `projects/{p}/subscriptions/{s}`; absent when the functions framework converted a raw push. */
  subscription?: string;
  /** The topic id (`alerts`), when the CloudEvent source names it. */
  topic?: string;
}

// The envelope of a CloudEvent carrying MessagePublishedData; only what we read is checked.
const ReceivedCloudEvent = z.looseObject({
  type: z.literal(PUBSUB_MESSAGE_PUBLISHED).optional(),
  id: z.string().optional(),
  source: z.string().optional(),
  time: z.string().optional(),
  data: MessagePublishedData,
});

/**
 * Turns whatever a cloudEvent handler received into a PubsubEvent, or throws a
 * ValidationError naming the field (`data.message.messageId`, `message.data`…).
 * `what` prefixes error messages, e.g. the schema name the caller expects.
 */
export function pubsubEventFrom(received: unknown, what = 'Pub/Sub message'): PubsubEvent {
  if (isRecord(received) && isRecord(received.data) && 'message' in received.data) {
    const ce = parseWith(ReceivedCloudEvent, received, what);
    return fromMessage(ce.data.message, what, {
      subscription: ce.data.subscription,
      deliveryAttempt: ce.data.deliveryAttempt,
      topic: topicFromSource(ce.source),
      time: ce.time,
    });
  }
  if (isRecord(received) && 'message' in received && received.data === undefined) {
    // The raw push envelope has the same fields as MessagePublishedData, one level up.
    const envelope = parseWith(MessagePublishedData, received, what);
    return fromMessage(envelope.message, what, {
      subscription: envelope.subscription,
      deliveryAttempt: envelope.deliveryAttempt,
    });
  }
  throw new ValidationError(
    `${what} is invalid: (root): must be a CloudEvent with data.message or a push body with message (got ${preview(received)})`,
    ['(root)'],
  );
}

/**
 * Reads a message's data as JSON and parses it with `schema`. `msg` is a
 * PubsubEvent, an EventBus ReceivedMessage (`data: Buffer`), or the raw value
 * a cloudEvent handler received. Each way to fail has its own message, all
 * starting `<what> is invalid:` and all ValidationErrors (never retryable):
 * `message.data is empty`, `message.data is not valid base64: …`,
 * `message.data is not JSON: …`, or the schema's field problems.
 */
export function decodeJsonData<S extends z.ZodType>(msg: unknown, schema: S, what: string): z.output<S> {
  const data = hasBytes(msg) ? toBuffer(msg.data) : pubsubEventFrom(msg, what).data;
  if (data === undefined || data.length === 0) {
    throw new ValidationError(`${what} is invalid: message.data is empty (a message with attributes only?)`, [
      'message.data',
    ]);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new ValidationError(
      `${what} is invalid: message.data is not JSON: it is not UTF-8 text (starts with bytes ${data.subarray(0, 8).toString('hex')})`,
      ['message.data'],
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ValidationError(
      `${what} is invalid: message.data is not JSON: ${reason.slice(0, 120)} (starts with ${preview(text, 40)})`,
      ['message.data'],
      { cause: err },
    );
  }
  return parseWith(schema, value, what);
}

/**
 * Decodes base64 as Pub/Sub writes it (standard alphabet, padded); URL-safe
 * and unpadded text is accepted too. Anything else throws, where Node's own
 * decoder would silently drop the bad characters.
 */
export function decodeBase64(text: string, what = 'Pub/Sub message'): Buffer {
  const bad = /[^A-Za-z0-9+/_\-=]/.exec(text);
  const problem = bad
    ? `unexpected character ${JSON.stringify(bad[0])} at position ${bad.index}`
    : /=[^=]/.test(text) || /={3,}$/.test(text)
      ? 'padding "=" may only end the text'
      : text.length % 4 === 1 || (text.endsWith('=') && text.length % 4 !== 0)
        ? `length ${text.length} is not a possible base64 length`
        : undefined;
  if (problem) {
    throw new ValidationError(`${what} is invalid: message.data is not valid base64: ${problem}`, [
      'message.data',
    ]);
  }
  return Buffer.from(text, 'base64');
}

interface Context {
  subscription?: string;
  deliveryAttempt?: number;
  topic?: string;
  time?: string;
}

function fromMessage(message: PubsubMessage, what: string, ctx: Context): PubsubEvent {
  const event: PubsubEvent = {
    // The schema guarantees one of the two.
    messageId: (message.messageId ?? message.message_id) as string,
    data: message.data ? decodeBase64(message.data, what) : undefined,
    attributes: { ...(message.attributes ?? {}) },
  };
  const publishTime = message.publishTime ?? message.publish_time ?? ctx.time;
  if (publishTime !== undefined) event.publishTime = publishTime;
  if (ctx.deliveryAttempt !== undefined) event.deliveryAttempt = ctx.deliveryAttempt;
  if (ctx.subscription !== undefined) event.subscription = ctx.subscription;
  if (ctx.topic !== undefined) event.topic = ctx.topic;
  return event;
}

// A PubsubEvent or an EventBus ReceivedMessage: bytes already decoded, no envelope left.
function hasBytes(msg: unknown): msg is { data: Uint8Array | undefined } {
  if (!isRecord(msg) || 'message' in msg) return false;
  if (msg.data instanceof Uint8Array) return true;
  return msg.data === undefined && typeof msg.messageId === 'string' && isRecord(msg.attributes);
}

function toBuffer(data: Uint8Array | undefined): Buffer | undefined {
  if (data === undefined) return undefined;
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
