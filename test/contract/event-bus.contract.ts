/**
 * The EventBus contract: what every adapter (embedded SQLite queue, Pub/Sub
 * on the emulator) must do the same way. Each case prints a figure; figures
 * are never asserted on.
 */
import { randomUUID } from 'node:crypto';
import { NotFoundError, ValidationError } from '../../shared/errors';
import {
  DEAD_LETTER_ATTRIBUTES,
  type EventBus,
  type ReceivedMessage,
  type SubscriptionSpec,
} from '../../shared/ports/event-bus';
import { deadLetterSubscriptionOf, deadLetterTopicOf } from '../../shared/topology';
import { reportFigure } from '../helpers/figures';

/** How long things take on one adapter, and the shortest settings it accepts. */
export interface EventBusTiming {
  ackDeadlineSeconds: number;
  minBackoffSeconds: number;
  maxBackoffSeconds: number;
  maxDeliveryAttempts: number;
  /** Longest a nacked message may take to come back (backoff included). */
  redeliveryWaitMs: number;
  /** Longest an unacked message may take to come back once its ack deadline has passed. */
  deadlineSlackMs: number;
  /** Longest the last nack may take to land on the dead-letter topic. */
  deadLetterWaitMs: number;
}

export interface EventBusUnderTest {
  bus: EventBus;
  cleanup(): Promise<void>;
  /** A process restart: closes `bus` and opens a new one on the same storage (file, or Pub/Sub server). */
  reopen(): Promise<EventBus>;
  timing: EventBusTiming;
}

/** Pulls until `count` messages arrived or `timeoutMs` passed; acks each batch when `ack` is set. */
export async function pullUntil(
  bus: EventBus,
  subscription: string,
  count: number,
  timeoutMs: number,
  options: { ack?: boolean } = {},
): Promise<ReceivedMessage[]> {
  const got: ReceivedMessage[] = [];
  const deadline = Date.now() + timeoutMs;
  while (got.length < count && Date.now() < deadline) {
    const batch = await bus.pull(subscription, Math.min(100, count - got.length), Math.min(1000, timeoutMs));
    if (options.ack && batch.length > 0)
      await bus.ack(
        subscription,
        batch.map((m) => m.ackId),
      );
    got.push(...batch);
  }
  return got;
}

export function describeEventBusContract(label: string, makeBus: () => Promise<EventBusUnderTest>): void {
  describe(`EventBus contract: ${label}`, () => {
    const suffix = randomUUID().slice(0, 6);
    let counter = 0;
    const unique = (base: string): string => `${base}-${suffix}-${++counter}`;

    /**
     * Each case gets its own bus. The slow ones (waiting out an ack deadline,
     * dead-lettering) run concurrently so the emulator's 10 s floors overlap.
     */
    const contractCase = (
      name: string,
      fn: (ctx: EventBusUnderTest) => Promise<void>,
      options: { concurrent?: boolean } = {},
    ): void => {
      const register = options.concurrent ? it.concurrent : it;
      register(
        name,
        async () => {
          const ctx = await makeBus();
          try {
            await fn(ctx);
          } finally {
            await ctx.cleanup();
          }
        },
        60_000,
      );
    };

    const spec = (t: EventBusTiming, topic: string, name: string, deadLetter = true): SubscriptionSpec => ({
      name,
      topic,
      ackDeadlineSeconds: t.ackDeadlineSeconds,
      maxDeliveryAttempts: t.maxDeliveryAttempts,
      minBackoffSeconds: t.minBackoffSeconds,
      maxBackoffSeconds: t.maxBackoffSeconds,
      ...(deadLetter ? { deadLetterTopic: deadLetterTopicOf(topic) } : {}),
    });
    async function topicWithSubscription(ctx: EventBusUnderTest): Promise<{ topic: string; sub: string }> {
      const topic = unique('topic');
      const sub = unique('sub');
      await ctx.bus.ensureTopic(topic);
      await ctx.bus.ensureSubscription(spec(ctx.timing, topic, sub));
      return { topic, sub };
    }

    contractCase(
      'publish with attributes: pull returns the same bytes, attributes, id and deliveryAttempt 1',
      async (ctx) => {
        const { bus } = ctx;
        const { topic, sub } = await topicWithSubscription(ctx);
        const bytes = Buffer.from([0, 1, 2, 254, 255, 10, 13]);
        const started = Date.now();
        const id = await bus.publish(topic, {
          data: bytes,
          attributes: { correlationId: 'c-1', isbn: '9780722532935' },
        });
        const [got] = await pullUntil(bus, sub, 1, 5000);
        reportFigure(label, 'publish-to-pull', `${Date.now() - started} ms`);
        expect(got).toBeDefined();
        expect(got?.id).toBe(id);
        expect(typeof id).toBe('string');
        expect(got?.data.equals(bytes)).toBe(true);
        expect(got?.attributes).toEqual({ correlationId: 'c-1', isbn: '9780722532935' });
        expect(got?.deliveryAttempt).toBe(1);
        expect(Number.isNaN(Date.parse(got?.publishTime ?? ''))).toBe(false);

        const jsonId = await bus.publish(topic, { data: { isbn: '9780722532935', n: 1 } });
        const [json] = await pullUntil(bus, sub, 1, 5000, { ack: true });
        expect(json?.id).toBe(jsonId);
        expect(JSON.parse(json?.data.toString('utf8') ?? '')).toEqual({ isbn: '9780722532935', n: 1 });
        expect(json?.attributes).toEqual({});
      },
    );

    contractCase(
      'fans out: every subscription of the topic gets the message; one created later does not',
      async (ctx) => {
        const { bus, timing: t } = ctx;
        const { topic, sub } = await topicWithSubscription(ctx);
        const second = unique('sub');
        await bus.ensureSubscription(spec(t, topic, second));
        const id = await bus.publish(topic, { data: { n: 1 } });
        const late = unique('sub');
        await bus.ensureSubscription(spec(t, topic, late));

        const [a] = await pullUntil(bus, sub, 1, 5000, { ack: true });
        const [b] = await pullUntil(bus, second, 1, 5000, { ack: true });
        expect(a?.id).toBe(id);
        expect(b?.id).toBe(id);
        expect(await bus.pull(late, 10, 300)).toEqual([]);
        reportFigure(label, 'fan-out', '2 subscriptions got it, 1 created later did not');
      },
    );

    contractCase(
      'ack removes a message; nack redelivers it with deliveryAttempt 2; a stale ackId is ignored',
      async (ctx) => {
        const { bus, timing: t } = ctx;
        const { topic, sub } = await topicWithSubscription(ctx);
        const ackedId = await bus.publish(topic, { data: { n: 'acked' } });
        const [first] = await pullUntil(bus, sub, 1, 5000);
        expect(first?.id).toBe(ackedId);
        await bus.ack(sub, [first?.ackId ?? '']);
        await bus.ack(sub, [first?.ackId ?? '']); // idempotent
        expect(await bus.pull(sub, 10, 300)).toEqual([]);

        const nackedId = await bus.publish(topic, { data: { n: 'nacked' } });
        const [once] = await pullUntil(bus, sub, 1, 5000);
        const nackedAt = Date.now();
        await bus.nack(sub, [once?.ackId ?? '']);
        const [again] = await pullUntil(bus, sub, 1, t.redeliveryWaitMs);
        reportFigure(label, 'nack-to-redelivery', `${Date.now() - nackedAt} ms`);
        expect(again?.id).toBe(nackedId);
        expect(again?.deliveryAttempt).toBe(2);
        expect(again?.ackId).not.toBe(once?.ackId);
        await bus.ack(sub, [once?.ackId ?? '']); // the first delivery's ackId no longer owns the message
        await bus.ack(sub, [again?.ackId ?? '']);
        expect(await bus.pull(sub, 10, 300)).toEqual([]);
      },
    );

    contractCase(
      'redelivers a message that was not acked within its ack deadline',
      async (ctx) => {
        const { bus, timing: t } = ctx;
        const { topic, sub } = await topicWithSubscription(ctx);
        const id = await bus.publish(topic, { data: { n: 'slow consumer' } });
        const [first] = await pullUntil(bus, sub, 1, 5000);
        const leasedAt = Date.now();
        expect(first?.id).toBe(id);
        expect(await bus.pull(sub, 10, 0)).toEqual([]); // leased: nobody else gets it meanwhile
        const [again] = await pullUntil(bus, sub, 1, t.ackDeadlineSeconds * 1000 + t.deadlineSlackMs);
        reportFigure(
          label,
          'ack-deadline-redelivery',
          `${Date.now() - leasedAt} ms (deadline ${t.ackDeadlineSeconds} s)`,
        );
        expect(again?.id).toBe(id);
        expect(again?.deliveryAttempt).toBe(2);
        await bus.ack(sub, [again?.ackId ?? '']);
      },
      { concurrent: true },
    );

    contractCase(
      'dead-letters a message nacked maxDeliveryAttempts times, with the dead-letter attributes',
      async (ctx) => {
        const { bus, timing: t } = ctx;
        const { topic, sub } = await topicWithSubscription(ctx);
        const id = await bus.publish(topic, { data: { n: 'poison' }, attributes: { correlationId: 'c-dl' } });
        const started = Date.now();
        const deliveries: ReceivedMessage[] = [];
        let original: ReceivedMessage | undefined;
        for (let attempt = 1; attempt <= t.maxDeliveryAttempts; attempt++) {
          const [m] = await pullUntil(bus, sub, 1, t.redeliveryWaitMs);
          expect(m?.id).toBe(id);
          expect(m?.deliveryAttempt).toBe(attempt);
          original ??= m;
          deliveries.push(m as ReceivedMessage);
          await bus.nack(sub, [m?.ackId ?? ''], { reason: 'handler failed: boom' });
        }
        // Consumers keep pulling the source meanwhile; it must not come back
        // there. (The emulator forwards to the dead-letter topic only when the
        // source subscription is pulled again.)
        let dead: ReceivedMessage | undefined;
        const deadline = Date.now() + t.deadLetterWaitMs;
        while (!dead && Date.now() < deadline) {
          expect(await bus.pull(sub, 10, 100)).toEqual([]);
          [dead] = await bus.pull(deadLetterSubscriptionOf(topic), 1, 100);
        }
        if (dead) await bus.ack(deadLetterSubscriptionOf(topic), [dead.ackId]);
        reportFigure(
          label,
          'dead-letter',
          `${deliveries.length} deliveries before dead-letter (max ${t.maxDeliveryAttempts}), ${Date.now() - started} ms`,
        );
        expect(dead).toBeDefined();
        expect(dead?.data.toString('utf8')).toBe(JSON.stringify({ n: 'poison' }));
        expect(dead?.attributes).toMatchObject({
          correlationId: 'c-dl',
          [DEAD_LETTER_ATTRIBUTES.deliveryCount]: String(t.maxDeliveryAttempts),
          [DEAD_LETTER_ATTRIBUTES.subscription]: sub,
        });
        const sourcePublish = dead?.attributes[DEAD_LETTER_ATTRIBUTES.topicPublishTime] ?? '';
        expect(Date.parse(sourcePublish)).toBe(Date.parse(original?.publishTime ?? ''));
        expect(await bus.pull(sub, 10, 300)).toEqual([]);
      },
      { concurrent: true },
    );

    contractCase(
      'delivers 200 messages published concurrently: none lost, none again after ack',
      async (ctx) => {
        const { bus } = ctx;
        const { topic, sub } = await topicWithSubscription(ctx);
        const started = Date.now();
        const ids = await Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            bus.publish(topic, { data: { i }, attributes: { i: String(i) } }),
          ),
        );
        const published = Date.now();
        expect(new Set(ids).size).toBe(200);
        const got = await pullUntil(bus, sub, 200, 20_000, { ack: true });
        const unique = new Map(got.map((m) => [m.id, m]));
        reportFigure(
          label,
          '200-concurrent',
          `publish ${published - started} ms, publish+pull+ack ${Date.now() - started} ms, ${got.length - unique.size} duplicates`,
        );
        expect([...unique.keys()].sort()).toEqual([...ids].sort());
        expect(new Set([...unique.values()].map((m) => m.attributes.i)).size).toBe(200);
        expect(await bus.pull(sub, 100, 500)).toEqual([]);
      },
    );

    contractCase(
      'survives a restart: unacked messages come back, acked ones never do',
      async (ctx) => {
        let bus = ctx.bus;
        const t = ctx.timing;
        const { topic, sub } = await topicWithSubscription(ctx);
        const ids = await Promise.all(
          Array.from({ length: 10 }, (_, i) => bus.publish(topic, { data: { i } })),
        );
        const leased = await pullUntil(bus, sub, 10, 5000);
        expect(leased).toHaveLength(10);
        const acked = leased.slice(0, 5);
        await bus.ack(
          sub,
          acked.map((m) => m.ackId),
        );
        const started = Date.now();
        bus = await ctx.reopen(); // the old process held leases on the other five and died
        const back = await pullUntil(bus, sub, 5, t.ackDeadlineSeconds * 1000 + t.deadlineSlackMs, {
          ack: true,
        });
        reportFigure(
          label,
          'restart-redelivery',
          `${back.length} unacked back after ${Date.now() - started} ms`,
        );
        const expected = ids.filter((id) => !acked.some((m) => m.id === id));
        expect(back.map((m) => m.id).sort()).toEqual(expected.sort());
        expect(await bus.pull(sub, 100, 500)).toEqual([]);
      },
      { concurrent: true },
    );

    contractCase(
      'refuses what Pub/Sub refuses at publish (its resource limits) and accepts what it accepts',
      async (ctx) => {
        // https://cloud.google.com/pubsub/quotas#resource_limits: a message of at most 10 MB,
        // at most 100 attributes, keys of 1-256 bytes not starting with "goog", values of at
        // most 1,024 bytes (UTF-8 bytes, not characters); and data or an attribute
        // (https://cloud.google.com/pubsub/docs/reference/rest/v1/PubsubMessage).
        const { bus } = ctx;
        const { topic, sub } = await topicWithSubscription(ctx);
        const refused = (message: Parameters<EventBus['publish']>[1], field: string) =>
          expect(bus.publish(topic, message)).rejects.toMatchObject({
            name: ValidationError.name,
            fields: [field],
          });
        const attrs = (n: number): Record<string, string> =>
          Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, 'v']));

        await refused({ data: Buffer.alloc(10_000_001, 0x61) }, 'message.data');
        await refused(
          { data: Buffer.alloc(9_999_990, 0x61), attributes: { key: 'more than ten' } },
          'message.data',
        );
        await refused({ data: 1, attributes: attrs(101) }, 'message.attributes');
        await refused(
          { data: 1, attributes: { ['é'.repeat(128) + 'x']: 'v' } },
          `message.attributes.${'é'.repeat(128)}x`,
        );
        await refused({ data: 1, attributes: { big: '€'.repeat(341) + 'ab' } }, 'message.attributes.big');
        await refused({ data: 1, attributes: { googKey: 'v' } }, 'message.attributes.googKey');
        await refused({ data: 1, attributes: { '': 'v' } }, 'message.attributes.');
        await refused({ data: Buffer.alloc(0) }, 'message.data');
        await refused({ data: undefined }, 'message.data');

        // Right at each limit: accepted, and delivered intact.
        const atLimits = {
          ...attrs(97),
          ['é'.repeat(128)]: 'key of 256 bytes',
          value: '€'.repeat(341) + 'a',
          onlyAttribute: '',
        };
        const id = await bus.publish(topic, { data: Buffer.alloc(0), attributes: atLimits });
        const [got] = await pullUntil(bus, sub, 1, 5000, { ack: true });
        expect(got?.id).toBe(id);
        expect(got?.data.length).toBe(0);
        expect(got?.attributes).toEqual(atLimits);
        const big = Buffer.alloc(10_000_000 - 'k'.length - 'v'.length, 0x62);
        const bigId = await bus.publish(topic, { data: big, attributes: { k: 'v' } });
        const [gotBig] = await pullUntil(bus, sub, 1, 10_000, { ack: true });
        expect(gotBig?.id).toBe(bigId);
        expect(gotBig?.data.equals(big)).toBe(true);
        reportFigure(label, 'publish-limits', '9 over-limit messages refused, 2 at the limits delivered');
      },
    );

    contractCase('refuses bad input with the field and reason named', async (ctx) => {
      const { bus, timing: t } = ctx;
      const { topic, sub } = await topicWithSubscription(ctx);
      await expect(bus.publish('no spaces allowed', { data: 1 })).rejects.toMatchObject({
        name: ValidationError.name,
        fields: ['topic'],
      });
      await expect(
        bus.publish(topic, { data: 1, attributes: { isbn: 978 as unknown as string } }),
      ).rejects.toMatchObject({ name: ValidationError.name, fields: ['message.attributes.isbn'] });
      await expect(bus.publish(unique('missing'), { data: 1 })).rejects.toBeInstanceOf(NotFoundError);
      await expect(bus.pull(unique('missing'), 1)).rejects.toBeInstanceOf(NotFoundError);
      await expect(bus.pull(sub, 0)).rejects.toMatchObject({ name: ValidationError.name, fields: ['max'] });
      await expect(
        bus.ensureSubscription({ ...spec(t, topic, unique('sub')), maxDeliveryAttempts: 0 }),
      ).rejects.toMatchObject({ name: ValidationError.name, fields: ['subscription.maxDeliveryAttempts'] });
      reportFigure(label, 'bad-input', 'ValidationError/NotFoundError with fields named');
    });
  });
}
