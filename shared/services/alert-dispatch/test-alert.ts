/**
 * `alerts test`: a test alert end to end — published on `alerts` as any
 * producer would, dispatched by alert-dispatch (the deployed function, the
 * local stack, or, on the embedded backend with nothing consuming, this
 * process taking the subscription's messages itself through the same
 * handler, which the wiring hands in), and followed until every channel it
 * was routed to has it.
 */
import type { PubsubPushBody } from '../../contracts/external/pubsub-message';
import { Alert } from '../../contracts/messages/alert';
import type { Severity } from '../../contracts/primitives';
import { alertFingerprint } from '../../domain/alerting/fingerprint';
import type { OutboxDoc } from '../../domain/alerting/outbox';
import { withCorrelation } from '../../logging/correlation';
import type { IdGenerator } from '../../ports/clock';
import type { EventBus } from '../../ports/event-bus';
import type { AlertDispatchDeps } from './deps';
import { OUTBOX } from './outbox';

/** How to send the test alert and how long to follow it. */
export interface TestAlertOptions {
  severity: Severity;
  requestedBy: string;
  correlationId: string;
  /** How long to wait for the alert to be dispatched and delivered. */
  waitMs: number;
  /** Take messages from this subscription and dispatch them here (the embedded backend with no stack running). */
  consumeFrom?: AlertConsumer;
}

/** alert-dispatch's subscription, and its handler run in this process (`localAlertConsumer` in shared/wiring/alerting.ts). */
export interface AlertConsumer {
  subscription: string;
  /** Handles one delivery as the alert-dispatch function would; throws when the message must be nacked. */
  deliver(envelope: PubsubPushBody): Promise<void>;
}

/** What became of the test notification on one channel. */
export interface TestChannelResult {
  channel: string;
  status: 'delivered' | 'pending' | 'gave-up';
  attempts: number;
  lastError?: string;
}

/** The test alert sent, and each channel it reached (or did not). */
export interface TestAlertResult {
  correlationId: string;
  messageId: string;
  fingerprint: string;
  /** True once alert-dispatch decided on it (whoever ran it). */
  dispatched: boolean;
  channels: TestChannelResult[];
}

/** Publishes a test alert on `alerts` and follows it to its channels (see the file comment). */
export async function sendTestAlert(
  options: TestAlertOptions,
  deps: AlertDispatchDeps & { bus: EventBus; ids: IdGenerator },
): Promise<TestAlertResult> {
  const alert = Alert.parse({
    kind: 'test',
    severity: options.severity,
    status: 'firing',
    summary: `Test alert from forecast-guard (requested by ${options.requestedBy})`,
    details: { requestedBy: options.requestedBy, purpose: 'proves the alert channels work end to end' },
    source: 'cli',
    observedAt: deps.clock.now().toISOString(),
    correlationId: options.correlationId,
    environment: deps.environment,
  });
  const fingerprint = alertFingerprint({ environment: deps.environment, kind: 'test' });
  const messageId = await deps.bus.publish('alerts', {
    data: alert,
    attributes: withCorrelation({ kind: 'test', severity: alert.severity }, alert.correlationId),
  });
  const log = deps.logger.child({ correlationId: alert.correlationId, messageId });
  log.info('test alert published on alerts');

  const deadline = deps.clock.now().getTime() + options.waitMs;
  let channels: TestChannelResult[] = [];
  while (deps.clock.now().getTime() < deadline) {
    if (options.consumeFrom) await consumeOnce(deps, options.consumeFrom);
    channels = await channelsOf(deps, fingerprint, alert.correlationId);
    // Settled once every channel delivered, gave up, or failed once (it stays pending and is retried; the operator hears now).
    if (channels.length > 0 && channels.every((c) => c.status !== 'pending' || c.lastError)) break;
    await deps.clock.sleep(100);
  }
  return {
    correlationId: alert.correlationId,
    messageId,
    fingerprint,
    dispatched: channels.length > 0,
    channels,
  };
}

// Only the embedded queue is consumed here; its subscriptions belong to no Google project.
const LOCAL_PROJECT = 'local';

/** Dispatches whatever waits on the alert-dispatch subscription now, through the function's own handler. */
async function consumeOnce(
  deps: AlertDispatchDeps & { bus: EventBus; ids: IdGenerator },
  consumer: AlertConsumer,
) {
  const { subscription } = consumer;
  const messages = await deps.bus.pull(subscription, 50, 50);
  for (const m of messages) {
    const envelope = {
      message: {
        data: m.data.toString('base64'),
        attributes: m.attributes,
        messageId: m.id,
        publishTime: m.publishTime,
      },
      subscription: `projects/${LOCAL_PROJECT}/subscriptions/${subscription}`,
      deliveryAttempt: m.deliveryAttempt,
    };
    try {
      await consumer.deliver(envelope);
      await deps.bus.ack(subscription, [m.ackId]);
    } catch (err) {
      await deps.bus.nack(subscription, [m.ackId], {
        reason: err instanceof Error ? err.message : String(err),
      });
    }
  }
}

/** The deliveries of the test notification carrying `correlationId`, by channel. */
async function channelsOf(deps: AlertDispatchDeps, fingerprint: string, correlationId: string) {
  // A test alert is told on its own: its notification ids start `n-<fingerprint>-`.
  const prefix = `n-${fingerprint}-`;
  const docs = await deps.state.query<OutboxDoc>(OUTBOX, {
    where: [
      { field: 'id', op: '>=', value: prefix },
      { field: 'id', op: '<', value: `${prefix}~` },
    ],
  });
  return docs
    .map((d) => d.data)
    .filter((d) => d.payload.type === 'send' && d.payload.notification.correlationId === correlationId)
    .map((d): TestChannelResult => ({
      channel: d.channel,
      status: d.deliveredAt ? 'delivered' : d.payload.closed ? 'gave-up' : 'pending',
      attempts: d.attempts,
      ...(d.lastError ? { lastError: d.lastError } : {}),
    }))
    .sort((a, b) => a.channel.localeCompare(b.channel));
}
