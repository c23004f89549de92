/**
 * The plumbing every Pub/Sub-triggered function shares, kept apart from the
 * use cases: decode the delivery (whatever shape it arrived in), skip a
 * message this consumer already handled, validate the payload, call the
 * handler, then ack or ask for a retry.
 *
 * - Bad input is never retried: it is republished to `<topic>-dead-letter`
 *   with the reason in `deadLetterReason`, logged, and acked.
 * - A retryable failure throws, so the framework answers 500 and Pub/Sub
 *   redelivers (its dead-letter policy catches a message that never succeeds).
 * - A non-retryable failure is dead-lettered like bad input.
 * Handlers must still be idempotent: two deliveries of one message can run
 * at once, before either is recorded.
 */
import type { z } from 'zod';
import { COLLECTIONS } from '../contracts/collections';
import { PROCESSED_TTL_MS, processedMessageDocId } from '../contracts/documents/processed-message';
import { decodeJsonData, pubsubEventFrom, type PubsubEvent } from '../contracts/pubsub-event';
import { describeError, isRetryable, ValidationError } from '../errors';
import { correlationFrom, newCorrelationId } from '../logging/correlation';
import type { Logger } from '../logging/logger';
import type { Clock, IdGenerator } from '../ports/clock';
import type { EventBus } from '../ports/event-bus';
import type { StateStore } from '../ports/state-store';
import { deadLetterTopicOf } from '../topology';
import { keepPushDeliveryAttempt } from './push-delivery-attempt';
import { deadLetterMessage } from '../ports/dead-letter';

// At load, before the functions framework builds its server: a push's deliveryAttempt must reach handlers.
keepPushDeliveryAttempt();

export interface PubSubRuntime {
  state: StateStore;
  bus: EventBus;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
}

export interface HandlerContext {
  messageId: string;
  attributes: Record<string, string>;
  correlationId: string;
  deliveryAttempt?: number;
  logger: Logger;
}

export interface PubSubFunctionSpec<S extends z.ZodType> {
  /** The consuming function's name (topology), part of the de-duplication key. */
  consumer: string;
  topic: string;
  schema: S;
  /** What the payload is called in error messages, e.g. "Alert". */
  what: string;
  handle(payload: z.output<S>, ctx: HandlerContext): Promise<void>;
}

export type Outcome = 'handled' | 'duplicate' | 'dead-lettered';

/** Handles one delivery; resolves with what happened, or throws to ask for redelivery. */
export async function handlePubSubDelivery<S extends z.ZodType>(
  spec: PubSubFunctionSpec<S>,
  received: unknown,
  runtime: PubSubRuntime,
): Promise<Outcome> {
  const log = runtime.logger.child({ consumer: spec.consumer, topic: spec.topic });
  let event: PubsubEvent;
  try {
    event = pubsubEventFrom(received, `${spec.what} delivery`);
  } catch (err) {
    // No message id to de-duplicate by: park what we got, with the reason, and ack.
    const correlationId = newCorrelationId(runtime.ids);
    await runtime.bus.publish(
      deadLetterTopicOf(spec.topic),
      deadLetterMessage({
        consumer: spec.consumer,
        reason: describeError(err),
        correlationId,
        data: rawBytesOf(received),
        attributes: {},
      }),
    );
    log.error(`dead-lettered: ${describeError(err)}`, {
      undecodable: true,
      correlationId,
      received: summarise(received),
      deadLetterTopic: deadLetterTopicOf(spec.topic),
    });
    return 'dead-lettered';
  }
  const correlationId = correlationFrom(event.attributes, () => newCorrelationId(runtime.ids));
  const ctxLog = log.child({ correlationId, messageId: event.messageId });
  const timer = ctxLog.startTimer(`${spec.consumer} message`);
  const docId = processedMessageDocId(spec.consumer, event.messageId);

  if (await runtime.state.get(COLLECTIONS.processedMessages, docId)) {
    ctxLog.info('duplicate delivery skipped: this message was already handled');
    timer.end({ outcome: 'duplicate' });
    return 'duplicate';
  }

  try {
    const payload = decodeJsonData(event, spec.schema, spec.what);
    await spec.handle(payload, {
      messageId: event.messageId,
      attributes: event.attributes,
      correlationId,
      deliveryAttempt: event.deliveryAttempt,
      logger: ctxLog,
    });
  } catch (err) {
    if (!(err instanceof ValidationError) && isRetryable(err)) {
      timer.fail(err, { outcome: 'retry', deliveryAttempt: event.deliveryAttempt });
      throw err;
    }
    await deadLetter(spec, event, describeError(err), correlationId, runtime);
    ctxLog.warning(`dead-lettered: ${describeError(err)}`, {
      deadLetterTopic: deadLetterTopicOf(spec.topic),
    });
    timer.end({ outcome: 'dead-lettered' });
    return 'dead-lettered';
  }

  const now = runtime.clock.now();
  await runtime.state.set(COLLECTIONS.processedMessages, docId, {
    id: event.messageId,
    topic: spec.topic,
    consumer: spec.consumer,
    processedAt: now.toISOString(),
    expireAt: new Date(now.getTime() + PROCESSED_TTL_MS).toISOString(),
  });
  timer.end({ outcome: 'handled' });
  return 'handled';
}

async function deadLetter(
  spec: { consumer: string; topic: string },
  event: PubsubEvent,
  reason: string,
  correlationId: string,
  runtime: PubSubRuntime,
): Promise<void> {
  await runtime.bus.publish(
    deadLetterTopicOf(spec.topic),
    deadLetterMessage({
      consumer: spec.consumer,
      reason,
      correlationId,
      sourceMessageId: event.messageId,
      data: event.data,
      attributes: event.attributes,
    }),
  );
}

/** The bytes of a delivery that could not be decoded: as received, or its JSON text. */
function rawBytesOf(received: unknown): Buffer {
  return Buffer.isBuffer(received) ? received : Buffer.from(jsonText(received), 'utf8');
}

function summarise(received: unknown): string {
  const text = jsonText(received);
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/** JSON text of what arrived; JSON.stringify recurses, so a body nested deep enough throws RangeError. */
function jsonText(received: unknown): string {
  try {
    return JSON.stringify(received) ?? String(received);
  } catch (err) {
    return `(not printable as JSON: ${(err as Error).message})`;
  }
}
