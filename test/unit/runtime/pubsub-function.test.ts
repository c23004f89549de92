/**
 * The Pub/Sub runtime on its own: for one delivery it decides handled,
 * duplicate, dead-lettered (acked) or retry (throws, so Pub/Sub redelivers).
 * Every function goes through it, so each decision is pinned here against the
 * embedded queue and state store (in memory), with a fixed clock and ids.
 */
import { z } from 'zod';
import { SqliteEventBus } from '../../../shared/adapters/local/sqlite-event-bus';
import { SqliteStateStore } from '../../../shared/adapters/local/sqlite-state-store';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import { processedMessageDocId } from '../../../shared/contracts/documents/processed-message';
import { BackendUnavailableError, ConflictError, ValidationError } from '../../../shared/errors';
import { createSilentLogger } from '../../../shared/logging/capture';
import type { Clock, IdGenerator } from '../../../shared/ports/clock';
import type { ReceivedMessage } from '../../../shared/ports/event-bus';
import {
  handlePubSubDelivery,
  type HandlerContext,
  type PubSubFunctionSpec,
  type PubSubRuntime,
} from '../../../shared/runtime/pubsub-function';
import { deadLetterSubscriptionOf } from '../../../shared/topology';
import { ensureTopology } from '../../../shared/wiring/topology-setup';

const TOPIC = 'alerts';
const NOW = new Date('2026-03-02T09:00:00.000Z');
const Payload = z.object({ isbn: z.string().regex(/^\d{13}$/, 'must be 13 digits'), count: z.number() });
type Payload = z.output<typeof Payload>;

const clock: Clock = { now: () => NOW, sleep: async () => undefined };
function countingIds(): IdGenerator {
  let n = 0;
  return { next: (prefix) => `${prefix ?? 'id'}-${++n}` };
}

/** A Pub/Sub push body, as the functions framework hands it over. */
function push(
  messageId: string,
  data: unknown,
  options: { attributes?: Record<string, string>; deliveryAttempt?: number } = {},
) {
  return {
    subscription: `projects/demo/subscriptions/${TOPIC}--alert-dispatch`,
    message: {
      messageId,
      data: Buffer.from(JSON.stringify(data)).toString('base64'),
      attributes: options.attributes ?? {},
    },
    ...(options.deliveryAttempt !== undefined ? { deliveryAttempt: options.deliveryAttempt } : {}),
  };
}

const GOOD = { isbn: '9780000000001', count: 3 };

describe('handlePubSubDelivery', () => {
  let bus: SqliteEventBus;
  let state: SqliteStateStore;
  let runtime: PubSubRuntime;
  let calls: Array<{ payload: Payload; ctx: HandlerContext }>;

  beforeEach(async () => {
    bus = SqliteEventBus.open(':memory:', { clock });
    await ensureTopology(bus);
    // The store's TTL reads the same clock: a record expires 8 days after NOW, not after today.
    state = new SqliteStateStore(':memory:', { clock });
    runtime = { state, bus, clock, ids: countingIds(), logger: createSilentLogger() };
    calls = [];
  });
  afterEach(async () => {
    await bus.close();
    await state.close();
  });

  function spec(
    consumer = 'alert-dispatch',
    handle: (payload: Payload, ctx: HandlerContext) => Promise<void> = async () => undefined,
  ): PubSubFunctionSpec<typeof Payload> {
    return {
      consumer,
      topic: TOPIC,
      schema: Payload,
      what: 'Sample',
      handle: async (payload, ctx) => {
        calls.push({ payload, ctx });
        await handle(payload, ctx);
      },
    };
  }

  async function deadLetters(): Promise<ReceivedMessage[]> {
    return bus.pull(deadLetterSubscriptionOf(TOPIC), 10);
  }

  async function processed(consumer: string, messageId: string) {
    return (await state.get(COLLECTIONS.processedMessages, processedMessageDocId(consumer, messageId)))?.data;
  }

  it('hands a valid payload to the handler and records the message as processed for 8 days', async () => {
    expect(await handlePubSubDelivery(spec(), push('m-1', GOOD), runtime)).toBe('handled');
    expect(calls.map((c) => c.payload)).toEqual([GOOD]);
    expect(calls[0]?.ctx.messageId).toBe('m-1');
    expect(await processed('alert-dispatch', 'm-1')).toMatchObject({
      id: 'm-1',
      topic: TOPIC,
      consumer: 'alert-dispatch',
      processedAt: NOW.toISOString(),
      // 8 days: longer than Pub/Sub keeps a message (7 days), so no redelivery outlives the record.
      expireAt: '2026-03-10T09:00:00.000Z',
    });
    expect(await deadLetters()).toEqual([]);
  });

  it('skips a message id this consumer already handled, but not for another consumer', async () => {
    await handlePubSubDelivery(spec(), push('m-dup', GOOD), runtime);
    expect(await handlePubSubDelivery(spec(), push('m-dup', GOOD), runtime)).toBe('duplicate');
    expect(calls).toHaveLength(1);
    expect(await handlePubSubDelivery(spec('daily-summary'), push('m-dup', GOOD), runtime)).toBe('handled');
    expect(calls).toHaveLength(2);
    expect(await processed('daily-summary', 'm-dup')).toBeDefined();
  });

  it('dead-letters an undecodable delivery with the reason and acks it (resolves)', async () => {
    const received = { neither: 'a push body nor a CloudEvent' };
    expect(await handlePubSubDelivery(spec(), received, runtime)).toBe('dead-lettered');
    expect(calls).toEqual([]);
    const [dead, ...more] = await deadLetters();
    expect(more).toEqual([]);
    expect(dead?.attributes).toMatchObject({
      deadLetterConsumer: 'alert-dispatch',
      deadLetterReason: expect.stringContaining('Sample delivery'),
      correlationId: 'corr-1',
    });
    expect(JSON.parse(dead?.data.toString('utf8') ?? '')).toEqual(received);
  });

  it('dead-letters a payload that breaks the schema, the reason naming the field, and does not record it', async () => {
    const outcome = await handlePubSubDelivery(spec(), push('m-bad', { ...GOOD, isbn: '97800' }), runtime);
    expect(outcome).toBe('dead-lettered');
    expect(calls).toEqual([]);
    const [dead] = await deadLetters();
    expect(dead?.attributes.deadLetterReason).toMatch(/Sample is invalid: isbn: must be 13 digits/);
    expect(dead?.attributes.deadLetterSourceMessageId).toBe('m-bad');
    expect(await processed('alert-dispatch', 'm-bad')).toBeUndefined();
  });

  it('throws a retryable failure, so Pub/Sub redelivers, and does not record the message', async () => {
    const down = new BackendUnavailableError('firestore is down', 'firestore');
    const failing = spec('alert-dispatch', async () => {
      throw down;
    });
    await expect(handlePubSubDelivery(failing, push('m-retry', GOOD), runtime)).rejects.toBe(down);
    expect(await processed('alert-dispatch', 'm-retry')).toBeUndefined();
    expect(await deadLetters()).toEqual([]);
    // The redelivery runs the handler again: nothing marked it done.
    expect(await handlePubSubDelivery(spec(), push('m-retry', GOOD), runtime)).toBe('handled');
    expect(calls).toHaveLength(2);
  });

  it('treats a plain Error as retryable', async () => {
    const failing = spec('alert-dispatch', async () => {
      throw new Error('socket hang up');
    });
    await expect(handlePubSubDelivery(failing, push('m-plain', GOOD), runtime)).rejects.toThrow(
      'socket hang up',
    );
    expect(await deadLetters()).toEqual([]);
  });

  it.each([
    ['a non-retryable error', new ConflictError('rollback refused: book quarantined')],
    ['a ValidationError from the handler', new ValidationError('isbn: not in the fleet', ['isbn'])],
  ])('dead-letters %s with its reason and acks it', async (_name, err) => {
    const failing = spec('alert-dispatch', async () => {
      throw err;
    });
    expect(await handlePubSubDelivery(failing, push('m-refused', GOOD), runtime)).toBe('dead-lettered');
    const [dead] = await deadLetters();
    expect(dead?.attributes.deadLetterReason).toBe(`${err.name}: ${err.message}`);
    expect(JSON.parse(dead?.data.toString('utf8') ?? '')).toEqual(GOOD);
    expect(await processed('alert-dispatch', 'm-refused')).toBeUndefined();
  });

  it('passes the delivery attempt on to the handler', async () => {
    await handlePubSubDelivery(spec(), push('m-3rd', GOOD, { deliveryAttempt: 3 }), runtime);
    expect(calls[0]?.ctx.deliveryAttempt).toBe(3);
  });

  it('takes the correlation id from the attributes, with the attributes, when it carries one', async () => {
    const attributes = { correlationId: 'corr-from-upstream', type: 'x' };
    await handlePubSubDelivery(spec(), push('m-corr', GOOD, { attributes }), runtime);
    expect(calls[0]?.ctx.correlationId).toBe('corr-from-upstream');
    expect(calls[0]?.ctx.attributes).toEqual(attributes);
  });

  it('creates a correlation id when the message carries none, or an unusable one', async () => {
    await handlePubSubDelivery(spec(), push('m-none', GOOD), runtime);
    await handlePubSubDelivery(
      spec(),
      push('m-hostile', GOOD, { attributes: { correlationId: 'a b\n{' } }),
      runtime,
    );
    expect(calls.map((c) => c.ctx.correlationId)).toEqual(['corr-1', 'corr-2']);
  });
});
