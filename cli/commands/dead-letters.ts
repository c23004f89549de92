/**
 * `dead-letters list [TOPIC]` and `dead-letters replay TOPIC [--id ID]`:
 * the messages a consumer gave up on, kept on `<topic>-dead-letter` and read
 * through its `-inspect` subscription.
 *
 * Listing pulls without acking or nacking, so nothing is consumed; like any
 * Pub/Sub pull, it holds what it read for the subscription's ack deadline
 * (60 s), after which the messages are visible again. Replay republishes a
 * message to its original topic (data and attributes as first published,
 * the dead-letter bookkeeping removed) and only then acks the dead letter;
 * it waits out such a hold when asked for one message by id, and hands back
 * at once (a nack) the messages it read but was not asked to replay.
 */
import { DEAD_LETTER_ATTRIBUTES, type EventBus, type ReceivedMessage } from '../../shared/ports/event-bus';
import { NotFoundError } from '../../shared/errors';
import { systemClock, type Clock } from '../../shared/ports/clock';
import { TOPICS, deadLetterSubscriptionOf, type TopicName } from '../../shared/topology';
import { DEAD_LETTER_OWN } from '../../shared/ports/dead-letter';
import type { Command, CommandContext } from '../command';
import { withBackend } from '../backend';
import { EXIT, UsageError } from '../exit-codes';
import { FLAGS } from '../flag-table';
import { helpOf } from './help-table';

/** One dead-lettered message, as listed. */
export interface DeadLetter {
  /** The dead letter's own message id (on `<topic>-dead-letter`). */
  id: string;
  /** The topic it was first published to, where replay sends it. */
  topic: TopicName;
  reason: string;
  /** Deliveries made before it was dead-lettered (1 when the consumer refused it outright). */
  attempts: number;
  /** The consumer that gave up on it, when it said. */
  consumer?: string;
  /** The original message id on `topic`. */
  sourceMessageId?: string;
  publishTime: string;
  /** The start of the payload, for a person to recognise it. */
  preview: string;
}

// Attributes added on the way to the dead-letter topic; replay removes them.
const BOOKKEEPING = new Set<string>([
  ...Object.values(DEAD_LETTER_ATTRIBUTES),
  ...Object.values(DEAD_LETTER_OWN),
]);

/** Reads a dead letter's attributes into what an operator needs. */
export function describeDeadLetter(topic: TopicName, m: ReceivedMessage): DeadLetter {
  const a = m.attributes;
  const count = Number(a[DEAD_LETTER_ATTRIBUTES.deliveryCount]);
  const attempts = Number.isInteger(count) && count > 0 ? count : 1;
  const text = m.data.toString('utf8');
  return {
    id: m.id,
    topic,
    reason:
      a[DEAD_LETTER_ATTRIBUTES.reason] ??
      `delivery failed ${attempts} times (Pub/Sub records no reason; see the consumer's logs)`,
    attempts,
    ...(a.deadLetterConsumer ? { consumer: a.deadLetterConsumer } : {}),
    ...(a.deadLetterSourceMessageId ? { sourceMessageId: a.deadLetterSourceMessageId } : {}),
    publishTime: m.publishTime,
    preview: text.length > 120 ? `${text.slice(0, 119)}…` : text,
  };
}

/** Every dead letter of `topic` visible now, pulled without acking. */
export async function pullDeadLetters(bus: EventBus, topic: TopicName): Promise<ReceivedMessage[]> {
  const subscription = deadLetterSubscriptionOf(topic);
  const all: ReceivedMessage[] = [];
  for (let round = 0; round < 20; round++) {
    const batch = await bus.pull(subscription, 1000, round === 0 ? 200 : 0);
    if (batch.length === 0) break;
    all.push(...batch);
  }
  return all;
}

/** Which dead letters to replay, and how long to wait for one. */
export interface ReplayOptions {
  /** Replay only this message (its dead-letter id or its original id). */
  id?: string;
  /** With `id`: how long to wait for it to become visible (a recent list holds it for the ack deadline). */
  waitMs?: number;
  clock?: Clock;
}

/** Republishes dead letters of `topic` to `topic` and acks them; the others are left as they are. */
export async function replayDeadLetters(
  bus: EventBus,
  topic: TopicName,
  options: ReplayOptions = {},
): Promise<Array<DeadLetter & { replayedAs: string }>> {
  const clock = options.clock ?? systemClock;
  const subscription = deadLetterSubscriptionOf(topic);
  const deadline = clock.now().getTime() + (options.id ? (options.waitMs ?? 0) : 0);
  const wanted = (m: ReceivedMessage) =>
    !options.id || m.id === options.id || m.attributes.deadLetterSourceMessageId === options.id;
  let chosen: ReceivedMessage[] = [];
  for (;;) {
    const pulled = await pullDeadLetters(bus, topic);
    chosen = pulled.filter(wanted);
    // The others go back at once (after the subscription's backoff) instead of being held for the ack deadline.
    const others = pulled.filter((m) => !wanted(m)).map((m) => m.ackId);
    if (others.length > 0) await bus.nack(subscription, others, { reason: 'not chosen for replay' });
    if (chosen.length > 0 || clock.now().getTime() >= deadline) break;
    await clock.sleep(1000);
  }
  if (options.id && chosen.length === 0) {
    throw new NotFoundError(
      `no dead letter ${options.id} is visible on ${subscription} (dead-letters list ${topic} shows them; one listed in the last minute reappears after the ack deadline, or pass --wait 70s)`,
    );
  }
  const replayed: Array<DeadLetter & { replayedAs: string }> = [];
  for (const m of chosen) {
    const attributes: Record<string, string> = { replayOf: m.id };
    for (const [k, v] of Object.entries(m.attributes)) if (!BOOKKEEPING.has(k)) attributes[k] = v;
    // Republish first, ack after: a crash in between replays it twice rather than losing it.
    const replayedAs = await bus.publish(topic, { data: m.data, attributes });
    await bus.ack(subscription, [m.ackId]);
    replayed.push({ ...describeDeadLetter(topic, m), replayedAs });
  }
  return replayed;
}

function topicArg(value: string | undefined, required: true): TopicName;
function topicArg(value: string | undefined, required: false): TopicName | undefined;
function topicArg(value: string | undefined, required: boolean): TopicName | undefined {
  if (value === undefined) {
    if (required) throw new UsageError(`TOPIC is required; topics: ${TOPICS.join(', ')}`, ['TOPIC']);
    return undefined;
  }
  if (!(TOPICS as readonly string[]).includes(value)) {
    throw new UsageError(`unknown topic "${value}"; topics: ${TOPICS.join(', ')}`, ['TOPIC']);
  }
  return value as TopicName;
}

const COLUMNS = ['topic', 'id', 'attempts', 'consumer', 'reason'];

/** `dead-letters list [TOPIC]`. */
export const deadLettersListCommand: Command = {
  ...helpOf('dead-letters list'),
  async run(ctx: CommandContext) {
    const only = topicArg(ctx.positionals[0], false);
    const messages = await withBackend(ctx, async (backend) => {
      const out: DeadLetter[] = [];
      for (const topic of only ? [only] : TOPICS) {
        out.push(...(await pullDeadLetters(backend.bus, topic)).map((m) => describeDeadLetter(topic, m)));
      }
      return out;
    });
    ctx.out.table(messages as unknown as Array<Record<string, unknown>>, COLUMNS);
    ctx.out.result({ messages });
    return EXIT.ok;
  },
};

/** `dead-letters replay TOPIC [--id ID] [--wait D]`. */
export const deadLettersReplayCommand: Command = {
  ...helpOf('dead-letters replay'),
  async run(ctx: CommandContext) {
    const topic = topicArg(ctx.positionals[0], true);
    const id = ctx.flag(FLAGS.id);
    const waitMs = ctx.flag(FLAGS.replayWait);
    const messages = await withBackend(ctx, (backend) =>
      replayDeadLetters(backend.bus, topic, { ...(id ? { id } : {}), waitMs }),
    );
    for (const m of messages) ctx.out.line(`replayed ${m.id} to ${topic} as ${m.replayedAs}`);
    if (messages.length === 0) ctx.out.line(`no dead letters visible on ${topic}`);
    ctx.out.result({ messages });
    return EXIT.ok;
  },
};

/** Both `dead-letters` subcommands, for the command list. */
export const deadLettersCommands: Command[] = [deadLettersListCommand, deadLettersReplayCommand];
