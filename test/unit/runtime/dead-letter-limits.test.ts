/**
 * A dead-lettered message must itself be publishable on Pub/Sub, whatever the
 * original carried: attribute values ≤ 1,024 bytes (UTF-8, not UTF-16 units),
 * keys ≤ 256 bytes and not `goog*`, at most 100 attributes in all
 * (https://cloud.google.com/pubsub/quotas#resource_limits). The embedded bus
 * refuses what Pub/Sub refuses, so a dead letter over a limit would throw and
 * the delivery would be retried forever instead of being parked.
 */
import { z } from 'zod';
import { SqliteEventBus } from '../../../shared/adapters/local/sqlite-event-bus';
import { SqliteStateStore } from '../../../shared/adapters/local/sqlite-state-store';
import { ValidationError } from '../../../shared/errors';
import { createSilentLogger } from '../../../shared/logging/capture';
import { randomIds, systemClock } from '../../../shared/ports/clock';
import type { ReceivedMessage } from '../../../shared/ports/event-bus';
import { handlePubSubDelivery, type PubSubRuntime } from '../../../shared/runtime/pubsub-function';
import { deadLetterSubscriptionOf } from '../../../shared/topology';
import { ensureTopology } from '../../../shared/wiring/topology-setup';

const TOPIC = 'alerts';

describe('dead letters stay within Pub/Sub attribute limits', () => {
  let runtime: PubSubRuntime;
  let bus: SqliteEventBus;

  beforeEach(async () => {
    bus = SqliteEventBus.open(':memory:');
    await ensureTopology(bus);
    runtime = {
      state: new SqliteStateStore(':memory:'),
      bus,
      clock: systemClock,
      ids: randomIds,
      logger: createSilentLogger(),
    };
  });
  afterEach(async () => {
    await bus.close();
    await runtime.state.close();
  });

  function push(messageId: string, data: unknown, attributes: Record<string, string> = {}) {
    return {
      subscription: 'projects/demo/subscriptions/alerts--alert-dispatch',
      message: {
        messageId,
        data: Buffer.from(JSON.stringify(data)).toString('base64'),
        attributes,
      },
    };
  }

  async function deliverRefused(reason: string, body: unknown): Promise<ReceivedMessage> {
    const outcome = await handlePubSubDelivery(
      {
        consumer: 'alert-dispatch',
        topic: TOPIC,
        schema: z.object({ ok: z.literal(true) }),
        what: 'Alert',
        handle: async () => {
          throw new ValidationError(reason, ['x']);
        },
      },
      body,
      runtime,
    );
    expect(outcome).toBe('dead-lettered');
    const dead = await bus.pull(deadLetterSubscriptionOf(TOPIC), 10);
    expect(dead).toHaveLength(1);
    return dead[0]!;
  }

  function expectWithinLimits(attributes: Record<string, string>): void {
    const entries = Object.entries(attributes);
    expect(entries.length).toBeLessThanOrEqual(100);
    for (const [key, value] of entries) {
      expect(Buffer.byteLength(key)).toBeLessThanOrEqual(256);
      expect(key.startsWith('goog')).toBe(false);
      expect(Buffer.byteLength(value)).toBeLessThanOrEqual(1024);
    }
  }

  it('cuts a long multi-byte reason at 1,024 UTF-8 bytes, on a character boundary', async () => {
    const reason = `isbn: ${'é€😀'.repeat(800)}`;
    const dead = await deliverRefused(reason, push('m-utf8', { ok: true }));
    const got = dead.attributes.deadLetterReason!;
    expectWithinLimits(dead.attributes);
    expect(got).toMatch(/^ValidationError: isbn: é€😀/);
    expect(got).not.toContain('\uFFFD');
    // Nothing was cut that would still have fitted: another character would pass 1,024 bytes.
    expect(Buffer.byteLength(got)).toBeGreaterThan(1024 - 8);
    expect(got.endsWith('…')).toBe(true);
  });

  it('keeps its own attributes when the original carried 100, and says how many it dropped', async () => {
    const attributes: Record<string, string> = {};
    for (let i = 0; i < 100; i++) attributes[`k${String(i).padStart(3, '0')}`] = 'v'.repeat(1024);
    const dead = await deliverRefused('refused', push('m-many', { ok: true }, attributes));
    expectWithinLimits(dead.attributes);
    expect(dead.attributes).toMatchObject({
      deadLetterReason: expect.stringContaining('refused'),
      deadLetterConsumer: 'alert-dispatch',
      deadLetterSourceMessageId: 'm-many',
      correlationId: expect.any(String),
    });
    expect(dead.attributes.deadLetterDroppedAttributes).toMatch(/^\d+$/);
    const kept = Object.keys(dead.attributes).filter((k) => /^k\d{3}$/.test(k));
    expect(kept.length + Number(dead.attributes.deadLetterDroppedAttributes)).toBe(100);
    expect(kept.length).toBeGreaterThan(90);
  });

  it('drops original attributes Pub/Sub would refuse (a push can carry anything), keeping the rest', async () => {
    const dead = await deliverRefused(
      'refused',
      push(
        'm-bad-attrs',
        { ok: false },
        {
          fine: 'yes',
          ['k'.repeat(300)]: 'long key',
          googThing: 'reserved prefix',
          huge: 'ü'.repeat(600),
          '': 'empty key',
        },
      ),
    );
    expectWithinLimits(dead.attributes);
    expect(dead.attributes.fine).toBe('yes');
    expect(dead.attributes.deadLetterDroppedAttributes).toBe('4');
  });

  it('dead-letters a delivery it cannot even decode (no message id), with the reason and what arrived', async () => {
    const body = { message: { data: 'e30=', attributes: { a: 'b' } }, subscription: 's' };
    const dead = await deliverRefused('unused', body);
    expectWithinLimits(dead.attributes);
    expect(dead.attributes.deadLetterReason).toContain('messageId');
    expect(dead.attributes.deadLetterSourceMessageId).toBeUndefined();
    expect(dead.attributes.deadLetterConsumer).toBe('alert-dispatch');
    expect(JSON.parse(dead.data.toString('utf8'))).toEqual(body);
  });

  it('dead-letters a message whose id is too long to key its de-duplication record, instead of failing it forever', async () => {
    const id = `m-${'\u202E'.repeat(600)}`; // 1,802 bytes: past the 1,500-byte document id limit
    const dead = await deliverRefused('unused', push(id, { ok: true }));
    expectWithinLimits(dead.attributes);
    expect(dead.attributes.deadLetterReason).toContain('messageId');
  });

  it('dead-letters once, and acks, a delivery nested too deep to print (no stack overflow on the way)', async () => {
    const deep = JSON.parse('['.repeat(50_000) + ']'.repeat(50_000)) as unknown;
    const body = { message: { messageId: 'm-deep', data: 'e30=', attributes: deep }, subscription: 's' };
    const dead = await deliverRefused('unused', body);
    expect(dead.attributes.deadLetterReason).toContain('attributes');
    expectWithinLimits(dead.attributes);
  });

  it('a reason cannot overwrite the bookkeeping attributes an original tried to forge', async () => {
    const dead = await deliverRefused(
      'the real reason',
      push('m-forged', { ok: true }, { deadLetterReason: 'forged', deadLetterSourceMessageId: 'other' }),
    );
    expect(dead.attributes.deadLetterReason).toContain('the real reason');
    expect(dead.attributes.deadLetterSourceMessageId).toBe('m-forged');
  });
});
