/**
 * PushDispatcher against a real local HTTP server: the Pub/Sub push body and
 * URL, ack on 2xx, redelivery after a failure, dead-letter after the last
 * attempt, bounded concurrency and a stop that waits for posts in flight.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PushDispatcher,
  startPushDelivery,
  type PushBody,
  type PushResult,
} from '../../../../shared/adapters/local/push-dispatcher';
import { SqliteEventBus } from '../../../../shared/adapters/local/sqlite-event-bus';
import { ConfigError } from '../../../../shared/errors';
import { DEAD_LETTER_ATTRIBUTES, type SubscriptionSpec } from '../../../../shared/ports/event-bus';
import { deadLetterSubscriptionOf, deadLetterTopicOf } from '../../../../shared/topology';
import { reportFigure } from '../../../helpers/figures';
import { startRecorder, type Recorder } from '../../../helpers/http-recorder';

const PROJECT = 'demo-forecast-guard';
const TOPIC = 'model-deployments';
const SUB = 'model-deployments--post-deploy-validation';

let dir: string;
let bus: SqliteEventBus;
let recorder: Recorder;
let dispatcher: PushDispatcher | undefined;
const results: PushResult[] = [];

function spec(over: Partial<SubscriptionSpec> = {}): SubscriptionSpec {
  return {
    name: SUB,
    topic: TOPIC,
    ackDeadlineSeconds: 2,
    maxDeliveryAttempts: 3,
    deadLetterTopic: deadLetterTopicOf(TOPIC),
    minBackoffSeconds: 0.02,
    maxBackoffSeconds: 0.05,
    pushEndpoint: recorder.url,
    ...over,
  };
}

function startDispatcher(
  over: Partial<ConstructorParameters<typeof PushDispatcher>[0]> = {},
): PushDispatcher {
  dispatcher = new PushDispatcher({
    bus,
    subscription: SUB,
    projectId: PROJECT,
    pullWaitMs: 20,
    onResult: (r) => results.push(r),
    ...over,
  });
  dispatcher.start();
  return dispatcher;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fg-push-'));
  bus = SqliteEventBus.open(join(dir, 'bus.sqlite'), { pollIntervalMs: 10 });
  recorder = await startRecorder({ defaultStatus: 204 });
  results.length = 0;
  await bus.ensureSubscription(spec());
});

afterEach(async () => {
  await dispatcher?.stop();
  dispatcher = undefined;
  await bus.close();
  await recorder.close();
  rmSync(dir, { recursive: true, force: true });
});

async function settle(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

describe('PushDispatcher', () => {
  it('POSTs the Pub/Sub push body to /projects/<p>/topics/<topic> and delivers once on 204', async () => {
    const payload = { isbn: '9780722532935', version: '22' };
    const publishedAt = Date.now();
    const id = await bus.publish(TOPIC, { data: payload, attributes: { correlationId: 'c-42' } });
    startDispatcher();
    const [request] = await recorder.waitFor(1);
    reportFigure('push-dispatcher', 'publish-to-post', `${Date.now() - publishedAt} ms`);

    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(`/projects/${PROJECT}/topics/${TOPIC}`);
    expect(request?.headers['content-type']).toBe('application/json');
    const body = request?.body as PushBody;
    expect(Object.keys(body).sort()).toEqual(['deliveryAttempt', 'message', 'subscription']);
    expect(body.subscription).toBe(`projects/${PROJECT}/subscriptions/${SUB}`);
    expect(body.deliveryAttempt).toBe(1);
    expect(body.message).toEqual({
      data: Buffer.from(JSON.stringify(payload)).toString('base64'),
      attributes: { correlationId: 'c-42' },
      messageId: id,
      message_id: id,
      publishTime: body.message.publishTime,
      publish_time: body.message.publishTime,
    });
    expect(JSON.parse(Buffer.from(body.message.data ?? '', 'base64').toString('utf8'))).toEqual(payload);
    expect(Number.isNaN(Date.parse(body.message.publishTime))).toBe(false);

    await settle(300);
    expect(recorder.requests).toHaveLength(1);
    expect(results).toEqual([expect.objectContaining({ messageId: id, status: 204, acked: true })]);
    expect(bus.backlog(SUB)).toEqual({ ready: 0, leased: 0 });
  });

  it('sends its bearer token as a push with authentication sends its OIDC token, and none without one', async () => {
    startDispatcher({ bearerToken: 'stack-secret-0123456789' });
    await bus.publish(TOPIC, { data: { n: 1 } });
    const [withToken] = await recorder.waitFor(1);
    expect(withToken?.headers.authorization).toBe('Bearer stack-secret-0123456789');
    await dispatcher!.stop();
    startDispatcher();
    await bus.publish(TOPIC, { data: { n: 2 } });
    const [, without] = await recorder.waitFor(2);
    expect(without?.headers.authorization).toBeUndefined();
  });

  it('redelivers after a 500 with deliveryAttempt 2, then acks', async () => {
    recorder.failNext(1, 500);
    const id = await bus.publish(TOPIC, { data: { n: 1 } });
    startDispatcher();
    const requests = await recorder.waitFor(2);
    const bodies = requests.map((r) => r.body as PushBody);
    expect(requests.map((r) => r.status)).toEqual([500, 204]);
    expect(bodies.map((b) => b.message.messageId)).toEqual([id, id]);
    expect(bodies.map((b) => b.deliveryAttempt)).toEqual([1, 2]);
    await settle(200);
    expect(recorder.requests).toHaveLength(2);
    expect(bus.backlog(SUB)).toEqual({ ready: 0, leased: 0 });
  });

  it('keeps redelivering while the endpoint is down and acks once it recovers', async () => {
    await bus.ensureSubscription(spec({ maxDeliveryAttempts: 100 }));
    const recoversAt = new Date(Date.now() + 300);
    recorder.failUntil(recoversAt, 502);
    await bus.publish(TOPIC, { data: { n: 1 } });
    startDispatcher();
    while (!recorder.requests.some((r) => r.status === 204))
      await recorder.waitFor(recorder.requests.length + 1);
    const statuses = recorder.requests.map((r) => r.status);
    reportFigure(
      'push-dispatcher',
      'outage',
      `${statuses.length - 1} failed posts during a 300 ms outage, then 204`,
    );
    expect(statuses.slice(0, -1).every((s) => s === 502)).toBe(true);
    expect(statuses.length).toBeGreaterThan(1);
    const last = recorder.requests[recorder.requests.length - 1];
    expect(last?.receivedAt.getTime()).toBeGreaterThanOrEqual(recoversAt.getTime());
    await settle(200);
    expect(recorder.requests.filter((r) => r.status === 204)).toHaveLength(1);
    expect(bus.backlog(SUB)).toEqual({ ready: 0, leased: 0 });
  });

  it('dead-letters after maxDeliveryAttempts failures, with the status as the reason', async () => {
    recorder.failUntil(() => false, 503);
    const id = await bus.publish(TOPIC, { data: { n: 'poison' }, attributes: { correlationId: 'c-dl' } });
    const started = Date.now();
    startDispatcher();
    await recorder.waitFor(3);
    const [dead] = await bus.pull(deadLetterSubscriptionOf(TOPIC), 1, 2000);
    reportFigure(
      'push-dispatcher',
      'dead-letter',
      `3 failed posts then dead-letter in ${Date.now() - started} ms`,
    );
    expect((recorder.requests.map((r) => r.body) as PushBody[]).map((b) => b.deliveryAttempt)).toEqual([
      1, 2, 3,
    ]);
    expect(dead?.data.toString('utf8')).toBe(JSON.stringify({ n: 'poison' }));
    expect(dead?.attributes).toMatchObject({
      correlationId: 'c-dl',
      [DEAD_LETTER_ATTRIBUTES.deliveryCount]: '3',
      [DEAD_LETTER_ATTRIBUTES.subscription]: SUB,
      [DEAD_LETTER_ATTRIBUTES.reason]: 'push endpoint answered HTTP 503: failed',
    });
    expect(results.map((r) => r.messageId)).toEqual([id, id, id]);
    await settle(200);
    expect(recorder.requests).toHaveLength(3);
  });

  it('nacks on a connection error, naming it in the dead-letter reason', async () => {
    await bus.ensureSubscription(spec({ maxDeliveryAttempts: 2 }));
    const closed = await startRecorder();
    await closed.close(); // nothing listens on that port any more
    await bus.publish(TOPIC, { data: { n: 1 } });
    startDispatcher({ endpoint: closed.url });
    const [dead] = await bus.pull(deadLetterSubscriptionOf(TOPIC), 1, 3000);
    expect(dead?.attributes[DEAD_LETTER_ATTRIBUTES.reason]).toMatch(/^push failed: .*ECONNREFUSED/);
    expect(results.map((r) => [r.acked, r.status])).toEqual([
      [false, undefined],
      [false, undefined],
    ]);
  });

  it('keeps at most `concurrency` posts in flight, and stop() waits for them', async () => {
    const slow = await slowServer(150);
    await Promise.all(Array.from({ length: 12 }, (_, i) => bus.publish(TOPIC, { data: { i } })));
    const started = Date.now();
    startDispatcher({ endpoint: slow.url, concurrency: 4 });
    while (slow.answered < 10) await settle(10);
    await dispatcher?.stop();
    reportFigure(
      'push-dispatcher',
      'concurrency',
      `max ${slow.maxInFlight} in flight, ${slow.answered} posts in ${Date.now() - started} ms`,
    );
    expect(slow.maxInFlight).toBe(4);
    // stop() returned only after every post it started was answered and acked
    expect(slow.inFlight).toBe(0);
    expect(bus.backlog(SUB).leased).toBe(0);
    expect(bus.backlog(SUB).ready).toBe(12 - slow.answered);
    await slow.close();
  });

  it('posts an attributes-only message without `data`, as Pub/Sub does', async () => {
    await bus.publish(TOPIC, { data: undefined, attributes: { trigger: 'schedule' } });
    startDispatcher();
    const [request] = await recorder.waitFor(1);
    const body = request?.body as PushBody;
    expect('data' in body.message).toBe(false);
    expect(body.message.attributes).toEqual({ trigger: 'schedule' });
  });

  it('startPushDelivery runs one dispatcher per push subscription', async () => {
    await bus.ensureSubscription(spec({ name: 'pull-only', pushEndpoint: undefined }));
    const delivery = startPushDelivery(bus, { projectId: PROJECT, pullWaitMs: 20 });
    try {
      expect(delivery.dispatchers.map((d) => d.url)).toEqual([
        `${recorder.url}/projects/${PROJECT}/topics/${TOPIC}`,
      ]);
      await bus.publish(TOPIC, { data: { n: 1 } });
      await recorder.waitFor(1);
      const [pulled] = await bus.pull('pull-only', 1, 100);
      expect(pulled).toBeDefined(); // the pull subscription is left to its consumer
    } finally {
      await delivery.stop();
    }
  });

  it('refuses a subscription without an endpoint, naming it', () => {
    return bus.ensureSubscription(spec({ name: 'no-endpoint', pushEndpoint: undefined })).then(() => {
      expect(() => new PushDispatcher({ bus, subscription: 'no-endpoint', projectId: PROJECT })).toThrow(
        ConfigError,
      );
      expect(() => new PushDispatcher({ bus, subscription: 'no-endpoint', projectId: PROJECT })).toThrow(
        /no-endpoint has no pushEndpoint/,
      );
      expect(() => new PushDispatcher({ bus, subscription: 'absent', projectId: PROJECT })).toThrow(
        /push subscription absent does not exist/,
      );
    });
  });
});

/** An endpoint that answers 204 after `delayMs`, counting posts in flight. */
async function slowServer(delayMs: number): Promise<{
  url: string;
  inFlight: number;
  maxInFlight: number;
  answered: number;
  close(): Promise<void>;
}> {
  const state = { inFlight: 0, maxInFlight: 0, answered: 0 };
  const server: Server = createServer((req, res) => {
    state.inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    req.resume();
    setTimeout(() => {
      state.inFlight -= 1;
      state.answered += 1;
      res.writeHead(204).end();
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    url,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
