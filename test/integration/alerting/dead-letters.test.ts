/**
 * Dead-letter inspection and replay over the embedded queue with a stepped
 * clock: listing reads without consuming (a read holds messages for the ack
 * deadline, then they are back), replay republishes the original message
 * and acks only what it replayed, and waits out a hold when asked to.
 */
import { SqliteEventBus } from '../../../shared/adapters/local/sqlite-event-bus';
import { describeDeadLetter, pullDeadLetters, replayDeadLetters } from '../../../cli/commands/dead-letters';
import { ensureTopology } from '../../../shared/wiring/topology-setup';
import { steppedClock, type SteppedClock } from './harness';

describe('dead letters', () => {
  let clock: SteppedClock;
  let bus: SqliteEventBus;

  beforeEach(async () => {
    clock = steppedClock();
    bus = SqliteEventBus.open(':memory:', { clock });
    await ensureTopology(bus);
    await bus.ensureSubscription({
      name: 'tap-alerts',
      topic: 'alerts',
      ackDeadlineSeconds: 10,
      maxDeliveryAttempts: 5,
      minBackoffSeconds: 1,
      maxBackoffSeconds: 10,
    });
  });
  afterEach(() => bus.close());

  async function deadLetter(n: number) {
    return bus.publish('alerts-dead-letter', {
      data: { n },
      attributes: {
        correlationId: `corr-${n}`,
        deadLetterReason: `Alert is invalid: severity: bad ${n}`,
        deadLetterConsumer: 'alert-dispatch',
        deadLetterSourceMessageId: `orig-${n}`,
      },
    });
  }

  it('lists without consuming: what was read is back after the ack deadline', async () => {
    const ids = [await deadLetter(1), await deadLetter(2)];
    const first = await pullDeadLetters(bus, 'alerts');
    expect(first.map((m) => describeDeadLetter('alerts', m))).toEqual([
      expect.objectContaining({
        id: ids[0],
        topic: 'alerts',
        attempts: 1,
        reason: 'Alert is invalid: severity: bad 1',
        consumer: 'alert-dispatch',
        sourceMessageId: 'orig-1',
        preview: '{"n":1}',
      }),
      expect.objectContaining({ id: ids[1], sourceMessageId: 'orig-2' }),
    ]);
    expect(await pullDeadLetters(bus, 'alerts')).toHaveLength(0);
    clock.advance(61_000);
    expect((await pullDeadLetters(bus, 'alerts')).map((m) => m.id)).toEqual(ids);
  });

  it('names the attempts Pub/Sub counted, and says when no reason was recorded', async () => {
    await bus.publish('alerts-dead-letter', {
      data: { n: 3 },
      attributes: { CloudPubSubDeadLetterSourceDeliveryCount: '5' },
    });
    const [m] = await pullDeadLetters(bus, 'alerts');
    expect(describeDeadLetter('alerts', m!)).toMatchObject({
      attempts: 5,
      reason: expect.stringContaining('delivery failed 5 times'),
    });
  });

  it('replays one message by its original id, leaves the others, and waits out a hold', async () => {
    const [a] = [await deadLetter(1), await deadLetter(2)];
    await pullDeadLetters(bus, 'alerts'); // an operator's list: both are held for 60 s now
    await expect(replayDeadLetters(bus, 'alerts', { id: 'orig-1', clock })).rejects.toThrow(
      /no dead letter orig-1 is visible/,
    );
    const [replayed] = await replayDeadLetters(bus, 'alerts', { id: 'orig-1', waitMs: 70_000, clock });
    expect(replayed).toMatchObject({ id: a, sourceMessageId: 'orig-1' });
    const [republished] = await bus.pull('tap-alerts', 10, 100);
    expect(republished!.id).toBe(replayed!.replayedAs);
    expect(republished!.attributes).toEqual({ correlationId: 'corr-1', replayOf: a });
    clock.advance(61_000);
    expect((await pullDeadLetters(bus, 'alerts')).map((m) => m.attributes.deadLetterSourceMessageId)).toEqual(
      ['orig-2'],
    );
  });

  it('replays every visible dead letter of a topic when no id is given', async () => {
    await deadLetter(1);
    await deadLetter(2);
    const replayed = await replayDeadLetters(bus, 'alerts');
    expect(replayed.map((r) => r.sourceMessageId)).toEqual(['orig-1', 'orig-2']);
    clock.advance(61_000);
    expect(await pullDeadLetters(bus, 'alerts')).toHaveLength(0);
    expect(await bus.pull('tap-alerts', 10, 100)).toHaveLength(2);
  });
});
