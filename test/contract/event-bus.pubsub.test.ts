/**
 * The EventBus contract on Google's Pub/Sub emulator, plus push delivery to
 * a real local HTTP server and the Pub/Sub-only checks (Google's limits,
 * error translation). One project id per suite, so nothing is shared.
 */
import { PubSub } from '@google-cloud/pubsub';
import { pubsubEmulatorOptions } from '../../shared/adapters/gcp/emulator-clients';
import { PubSubEventBus } from '../../shared/adapters/gcp/pubsub-event-bus';
import { translatePubSubError } from '../../shared/adapters/gcp/pubsub-errors';
import { BackendUnavailableError, ConflictError, NotFoundError, ValidationError } from '../../shared/errors';
import type { SubscriptionSpec } from '../../shared/ports/event-bus';
import { deadLetterTopicOf } from '../../shared/topology';
import { describeOnEmulators, requireEmulatorHosts, uniqueProjectId } from '../helpers/emulators';
import { reportFigure } from '../helpers/figures';
import { startRecorder } from '../helpers/http-recorder';
import { describeEventBusContract } from './event-bus.contract';

describeOnEmulators('PubSubEventBus', () => {
  const projectId = uniqueProjectId('demo-fg-bus');
  const open = () => new PubSubEventBus({ projectId, emulatorHost: requireEmulatorHosts().pubsub });

  describeEventBusContract('pubsub', async () => {
    let bus = open();
    return {
      bus,
      cleanup: () => bus.close(),
      reopen: async () => {
        await bus.close();
        bus = open();
        return bus;
      },
      // The emulator's floor: 10 s deadline, 5 attempts; nack redelivery ~0-2 s with a 0-1 s backoff.
      timing: {
        ackDeadlineSeconds: 10,
        minBackoffSeconds: 0,
        maxBackoffSeconds: 1,
        maxDeliveryAttempts: 5,
        redeliveryWaitMs: 5000,
        deadlineSlackMs: 5000,
        deadLetterWaitMs: 8000,
      },
    };
  });

  describe('push and Pub/Sub-only behaviour', () => {
    let bus: PubSubEventBus;
    beforeEach(() => {
      bus = open();
    });
    afterEach(async () => {
      await bus.close();
    });

    const spec = (over: Partial<SubscriptionSpec>): SubscriptionSpec => ({
      name: 'push-sub',
      topic: 'push-topic',
      ackDeadlineSeconds: 10,
      maxDeliveryAttempts: 5,
      deadLetterTopic: deadLetterTopicOf('push-topic'),
      minBackoffSeconds: 0,
      maxBackoffSeconds: 1,
      ...over,
    });

    it('a push subscription POSTs the production-ish push body to the endpoint; a 500 is redelivered', async () => {
      const recorder = await startRecorder({ defaultStatus: 204 });
      try {
        recorder.failNext(1, 500);
        const path = `/projects/${projectId}/topics/push-topic`;
        await bus.ensureSubscription(spec({ pushEndpoint: `${recorder.url}${path}` }));
        const payload = { isbn: '9780722532935', version: '22', note: 'ünïcödé' };
        const started = Date.now();
        const id = await bus.publish('push-topic', {
          data: payload,
          attributes: { correlationId: 'c-push' },
        });
        const requests = await recorder.waitFor(2, 10_000);
        reportFigure(
          'pubsub',
          'push-redelivery-after-500',
          `${requests[1]!.receivedAt.getTime() - started} ms`,
        );

        expect(requests.map((r) => [r.method, r.path, r.status])).toEqual([
          ['POST', path, 500],
          ['POST', path, 204],
        ]);
        const body = requests[0]?.body as {
          subscription: string;
          message: { data: string; attributes: Record<string, string>; messageId: string };
        };
        expect(body.subscription).toBe(`projects/${projectId}/subscriptions/push-sub`);
        expect(body.message.messageId).toBe(id);
        expect(body.message.attributes).toEqual({ correlationId: 'c-push' });
        expect(JSON.parse(Buffer.from(body.message.data, 'base64').toString('utf8'))).toEqual(payload);
        expect((requests[1]?.body as typeof body).message.messageId).toBe(id);
      } finally {
        await recorder.close();
      }
    });

    it("refuses settings outside Google's limits, naming the field", async () => {
      await expect(
        bus.ensureSubscription(spec({ name: 'too-quick', ackDeadlineSeconds: 5 })),
      ).rejects.toMatchObject({
        name: ValidationError.name,
        fields: ['subscription.ackDeadlineSeconds'],
      });
      await expect(
        bus.ensureSubscription(spec({ name: 'too-few', maxDeliveryAttempts: 3 })),
      ).rejects.toMatchObject({
        name: ValidationError.name,
        fields: ['subscription.maxDeliveryAttempts'],
      });
      await expect(
        bus.ensureSubscription(spec({ name: 'bad-url', pushEndpoint: 'not a url' })),
      ).rejects.toMatchObject({ name: ValidationError.name, fields: ['subscription.pushEndpoint'] });
    });

    it('ensureTopic and ensureSubscription are idempotent', async () => {
      await bus.ensureTopic('twice-topic');
      await bus.ensureTopic('twice-topic');
      await bus.ensureSubscription(spec({ name: 'twice-sub', topic: 'twice-topic' }));
      await bus.ensureSubscription(spec({ name: 'twice-sub', topic: 'twice-topic' }));
      const id = await bus.publish('twice-topic', { data: { n: 1 } });
      const [m] = await bus.pull('twice-sub', 1, 5000);
      expect(m?.id).toBe(id);
      await bus.ack('twice-sub', [m?.ackId ?? '']);
    });
  });

  /**
   * What Google's emulator itself refuses, publishing with the client library
   * directly (our adapter checks Pub/Sub's limits before sending, so the
   * contract suite above never reaches the emulator with an over-limit
   * message). Where the emulator accepts what real Pub/Sub refuses
   * (https://cloud.google.com/pubsub/quotas#resource_limits), this test
   * says so: the emulator is not evidence that such a message would publish.
   */
  it('the emulator itself: which over-limit publishes it refuses and where it is more lenient than Pub/Sub', async () => {
    const client = new PubSub({ projectId, ...pubsubEmulatorOptions(requireEmulatorHosts().pubsub) });
    const topicName = 'limits-probe';
    try {
      await client.createTopic(topicName);
      const topic = client.topic(topicName, { batching: { maxMessages: 1 } });
      const outcome = async (message: { data?: Buffer; attributes?: Record<string, string> }) => {
        try {
          await topic.publishMessage(message);
          return 'accepted';
        } catch (err) {
          return `refused: ${(err as Error).message.slice(0, 120)}`;
        }
      };
      const attrs = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, 'v']));
      const probes = {
        'data over 10 MB': await outcome({ data: Buffer.alloc(10_000_001, 0x61) }),
        '101 attributes': await outcome({ data: Buffer.from('x'), attributes: attrs(101) }),
        'key of 257 bytes': await outcome({ data: Buffer.from('x'), attributes: { ['k'.repeat(257)]: 'v' } }),
        'value of 1,025 bytes': await outcome({
          data: Buffer.from('x'),
          attributes: { k: 'v'.repeat(1025) },
        }),
        'key starting with goog': await outcome({ data: Buffer.from('x'), attributes: { googKey: 'v' } }),
        'no data and no attributes': await outcome({ data: Buffer.alloc(0) }),
      };
      for (const [probe, result] of Object.entries(probes))
        reportFigure('pubsub', `emulator ${probe}`, result);
      // Refused by the emulator as by Pub/Sub:
      expect(probes['no data and no attributes']).toMatch(/^refused: 3 INVALID_ARGUMENT/);
      // As observed (Google Cloud SDK 528 emulator): the emulator is MORE LENIENT than real
      // Pub/Sub, which refuses every one of these. Our adapters refuse them all before sending
      // (contract case "refuses what Pub/Sub refuses at publish"), so a test on the emulator
      // cannot pass a message that production would refuse.
      expect(probes).toMatchObject({
        'data over 10 MB': 'accepted',
        '101 attributes': 'accepted',
        'key of 257 bytes': 'accepted',
        'value of 1,025 bytes': 'accepted',
        'key starting with goog': 'accepted',
      });
    } finally {
      await client.close();
    }
  });

  it('translates gRPC codes into the error classes, retryable only when it could help', () => {
    const grpc = (code: number) => Object.assign(new Error(`${code} X`), { code, details: 'detail' });
    expect(translatePubSubError(grpc(14), 'publish')).toMatchObject({ retryable: true });
    expect(translatePubSubError(grpc(14), 'publish')).toBeInstanceOf(BackendUnavailableError);
    expect(translatePubSubError(grpc(4), 'pull')).toMatchObject({ retryable: true });
    expect(translatePubSubError(grpc(5), 'pull')).toBeInstanceOf(NotFoundError);
    expect(translatePubSubError(grpc(6), 'create')).toBeInstanceOf(ConflictError);
    expect(translatePubSubError(grpc(3), 'ack')).toBeInstanceOf(ValidationError);
    expect(translatePubSubError(grpc(7), 'publish')).toMatchObject({ retryable: false });
    expect(translatePubSubError(grpc(5), 'pull from subscription s').message).toBe(
      'Pub/Sub: pull from subscription s failed: detail',
    );
  });
});
