/**
 * Push delivery for the embedded bus: what Pub/Sub does for a push
 * subscription, done locally. It pulls from a SqliteEventBus subscription and
 * POSTs each message, in Pub/Sub's push format, to an HTTP endpoint — on the
 * local stack, a functions-framework server running a `cloudEvent` handler.
 * A 102/200/201/202/204 answer acks; any other status, a timeout or a
 * connection error nacks, so the bus's backoff and dead-letter policy apply.
 *
 * The URL path is `/projects/<project>/topics/<topic>` because the functions
 * framework builds the CloudEvent `source` from it. It converts a raw push
 * into a CloudEvent only when `message.data` is non-empty: a message that has
 * only attributes is posted without `data` (as Pub/Sub does) and reaches the
 * handler as the raw push envelope, which handlers must accept.
 */
import { ConfigError, describeError, isRetryable } from '../../errors';
import { systemClock, type Clock } from '../../ports/clock';
import type { ReceivedMessage } from '../../ports/event-bus';
import type { SqliteEventBus } from './sqlite-event-bus';

/** Statuses Pub/Sub treats as an acknowledgement of a push. */
export const PUSH_ACK_STATUSES: ReadonlySet<number> = new Set([102, 200, 201, 202, 204]);

/** The JSON body of a Pub/Sub push request (production shape, snake_case twins included). */
export interface PushBody {
  message: {
    data?: string;
    attributes: Record<string, string>;
    messageId: string;
    message_id: string;
    publishTime: string;
    publish_time: string;
  };
  subscription: string;
  deliveryAttempt: number;
}

/** What became of one POST, for logs and tests. */
export interface PushResult {
  messageId: string;
  deliveryAttempt: number;
  /** HTTP status, absent when the request failed before an answer. */
  status?: number;
  acked: boolean;
  durationMs: number;
  error?: string;
}

export interface PushDispatcherOptions {
  bus: SqliteEventBus;
  subscription: string;
  /** Goes into the URL path and `subscription` (`projects/<p>/subscriptions/<s>`); any id works locally. */
  projectId: string;
  /** Overrides the subscription's `pushEndpoint`. A bare origin gets `/projects/<p>/topics/<topic>` appended. */
  endpoint?: string;
  /** POSTs in flight at once for this subscription (default 4). */
  concurrency?: number;
  /**
   * Sent as `Authorization: Bearer <token>` with every push, where a Pub/Sub
   * push subscription with authentication sends its OIDC token (the local
   * stack's push secret).
   */
  bearerToken?: string;
  /** Per-request timeout; by default the ack deadline, as Pub/Sub does. */
  timeoutMs?: number;
  /** How long one pull waits for work; also bounds how long `stop()` waits for an idle loop (default 200 ms). */
  pullWaitMs?: number;
  clock?: Clock;
  /** Called after every POST. */
  onResult?: (result: PushResult) => void;
  /** Called when pulling, acking or nacking fails; the loop carries on unless the error is not retryable. */
  onError?: (error: unknown) => void;
}

/** Builds the body Pub/Sub would POST for `message` on `subscription`. */
export function buildPushBody(message: ReceivedMessage, projectId: string, subscription: string): PushBody {
  return {
    message: {
      // Pub/Sub leaves out empty data; the functions framework then passes the raw envelope through.
      ...(message.data.length > 0 ? { data: message.data.toString('base64') } : {}),
      attributes: message.attributes,
      messageId: message.id,
      message_id: message.id,
      publishTime: message.publishTime,
      publish_time: message.publishTime,
    },
    subscription: `projects/${projectId}/subscriptions/${subscription}`,
    deliveryAttempt: message.deliveryAttempt,
  };
}

/** `endpoint` as is when it has a path, else with `/projects/<p>/topics/<topic>` for the functions framework. */
export function pushUrl(endpoint: string, projectId: string, topic: string): string {
  const url = new URL(endpoint);
  if (url.pathname === '/' || url.pathname === '') url.pathname = `/projects/${projectId}/topics/${topic}`;
  return url.toString();
}

/** Pulls one subscription and pushes each message to its endpoint; see the file comment. */
export class PushDispatcher {
  readonly url: string;
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  private readonly pullWaitMs: number;
  private readonly clock: Clock;
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: PushDispatcherOptions) {
    const spec = options.bus.subscription(options.subscription);
    if (!spec) {
      throw new ConfigError(`push subscription ${options.subscription} does not exist`, 'subscription');
    }
    const endpoint = options.endpoint ?? spec.pushEndpoint;
    if (!endpoint) {
      throw new ConfigError(
        `subscription ${options.subscription} has no pushEndpoint and no endpoint was given`,
        'pushEndpoint',
      );
    }
    try {
      this.url = pushUrl(endpoint, options.projectId, spec.topic);
    } catch (err) {
      throw new ConfigError(
        `pushEndpoint ${JSON.stringify(endpoint)} is not a URL: ${describeError(err)}`,
        'pushEndpoint',
      );
    }
    const concurrency = options.concurrency ?? 4;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new ConfigError(
        `concurrency must be a whole number of at least 1 (got ${concurrency})`,
        'concurrency',
      );
    }
    this.concurrency = concurrency;
    this.timeoutMs = options.timeoutMs ?? spec.ackDeadlineSeconds * 1000;
    this.pullWaitMs = options.pullWaitMs ?? 200;
    this.clock = options.clock ?? systemClock;
  }

  /** Starts pulling and pushing in the background; calling it twice does nothing. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops pulling and resolves once every POST in flight has been answered and acked or nacked. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  private async run(): Promise<void> {
    const { bus, subscription } = this.options;
    while (this.running) {
      const free = this.concurrency - this.inFlight.size;
      if (free === 0) {
        await Promise.race(this.inFlight);
        continue;
      }
      let batch: ReceivedMessage[];
      try {
        batch = await bus.pull(subscription, free, this.pullWaitMs);
      } catch (err) {
        this.options.onError?.(err);
        if (!isRetryable(err)) break; // closed bus, deleted subscription: nothing left to do
        await this.clock.sleep(this.pullWaitMs);
        continue;
      }
      for (const message of batch) {
        const delivery: Promise<void> = this.deliver(message).finally(() => this.inFlight.delete(delivery));
        this.inFlight.add(delivery);
      }
    }
    this.running = false;
  }

  private async deliver(message: ReceivedMessage): Promise<void> {
    const { bus, subscription, projectId } = this.options;
    const started = this.clock.now().getTime();
    let status: number | undefined;
    let answer = '';
    let error: string | undefined;
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)',
          ...(this.options.bearerToken ? { authorization: `Bearer ${this.options.bearerToken}` } : {}),
        },
        body: JSON.stringify(buildPushBody(message, projectId, subscription)),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = res.status;
      answer = (await res.text()).slice(0, 300);
    } catch (err) {
      // fetch hides the socket error (ECONNREFUSED...) in `cause`.
      // Duck-typed: undici's errors may come from another realm (jest's vm), where instanceof fails.
      const cause = typeof err === 'object' && err !== null ? (err as { cause?: unknown }).cause : undefined;
      error = describeError(cause ?? err);
    }
    const acked = status !== undefined && PUSH_ACK_STATUSES.has(status);
    try {
      if (acked) await bus.ack(subscription, [message.ackId]);
      else {
        const reason =
          status !== undefined ? `push endpoint answered HTTP ${status}: ${answer}` : `push failed: ${error}`;
        await bus.nack(subscription, [message.ackId], { reason: reason.trim() });
      }
    } catch (err) {
      this.options.onError?.(err);
    }
    this.options.onResult?.({
      messageId: message.id,
      deliveryAttempt: message.deliveryAttempt,
      ...(status !== undefined ? { status } : {}),
      acked,
      durationMs: this.clock.now().getTime() - started,
      ...(error !== undefined ? { error } : {}),
    });
  }
}

/**
 * Starts a PushDispatcher for every subscription of `bus` that has a
 * `pushEndpoint` (the local stack's equivalent of Pub/Sub push); `stop()`
 * stops them all.
 */
export function startPushDelivery(
  bus: SqliteEventBus,
  options: Omit<PushDispatcherOptions, 'bus' | 'subscription' | 'endpoint'>,
): { dispatchers: PushDispatcher[]; stop(): Promise<void> } {
  const dispatchers = bus
    .subscriptions()
    .filter((spec) => spec.pushEndpoint)
    .map((spec) => new PushDispatcher({ ...options, bus, subscription: spec.name }));
  for (const dispatcher of dispatchers) dispatcher.start();
  return {
    dispatchers,
    stop: async () => {
      await Promise.all(dispatchers.map((d) => d.stop()));
    },
  };
}
