/**
 * The embedded EventBus: a Pub/Sub-like queue in one SQLite file, so the
 * whole system runs on a laptop with the same at-least-once, retry and
 * dead-letter behaviour as Google Cloud. Several processes may share the file
 * (the CLI publishes while the local stack consumes): every change runs in an
 * IMMEDIATE transaction, so two pullers never lease the same delivery.
 */
import { randomUUID } from 'node:crypto';
import { BackendUnavailableError, ConflictError, NotFoundError, ValidationError } from '../../errors';
import { systemClock, type Clock, type IdGenerator } from '../../ports/clock';
import {
  DEAD_LETTER_ATTRIBUTES,
  PUBSUB_LIMITS,
  assertResourceId,
  encodeOutgoingMessage,
  inspectSubscriptionOf,
  truncateUtf8,
  type Attributes,
  type EventBus,
  type NackOptions,
  type OutgoingMessage,
  type ReceivedMessage,
  type SubscriptionSpec,
} from '../../ports/event-bus';
import { DELIVERY } from '../../topology';
import { openSqlite, type SqliteDatabase } from './sqlite';
import {
  assertAckIds,
  backoffMs,
  migrateEventBus,
  specOf,
  subscriptionParams,
  translateSqliteError,
  validateEmbeddedSpec,
  type DeliveryRow,
  type ExhaustedRow,
  type MessageRow,
  type SubscriptionRow,
} from './sqlite-event-bus-schema';
import { prepareEventBusStatements, type EventBusStatements } from './sqlite-event-bus-statements';

export interface SqliteEventBusOptions {
  /** Source of publish times, deadlines and backoff; a fake clock lets tests skip waiting. */
  clock?: Clock;
  /** Message ids; random UUIDs by default (unique across files, unlike a row counter). */
  ids?: IdGenerator;
  /** Longest gap between checks while `pull` waits for another process to publish (default 50 ms). */
  pollIntervalMs?: number;
  busyTimeoutMs?: number;
}

/** Embedded queue with Pub/Sub semantics; see the file comment. */
export class SqliteEventBus implements EventBus {
  private readonly clock: Clock;
  private readonly ids: IdGenerator;
  private readonly pollIntervalMs: number;
  private readonly stmts: EventBusStatements;
  /** In-process pullers waiting for work; publish and nack wake them without waiting for a poll. */
  private readonly waiters = new Set<() => void>();
  private closed = false;

  /** Opens (creating if needed) the queue in `file`; `:memory:` works for one process. */
  static open(file: string, options: SqliteEventBusOptions = {}): SqliteEventBus {
    const db = openSqlite(file, { busyTimeoutMs: options.busyTimeoutMs });
    try {
      migrateEventBus(db);
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteEventBus(db, options);
  }

  private constructor(
    private readonly db: SqliteDatabase,
    options: SqliteEventBusOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.ids = options.ids ?? { next: () => randomUUID() };
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
    this.stmts = prepareEventBusStatements(db);
  }

  async ensureTopic(topic: string): Promise<void> {
    assertResourceId('topic', topic);
    this.guard(() => this.stmts.insertTopic.run(topic, this.nowIso()));
  }

  async ensureSubscription(spec: SubscriptionSpec): Promise<void> {
    validateEmbeddedSpec(spec);
    this.immediate(() => {
      const now = this.nowIso();
      const existing = this.stmts.subscription.get(spec.name) as SubscriptionRow | undefined;
      if (existing && existing.topic !== spec.topic) {
        throw new ConflictError(
          `subscription ${spec.name} already exists on topic ${existing.topic}, not ${spec.topic}`,
        );
      }
      this.stmts.insertTopic.run(spec.topic, now);
      // Unlike Pub/Sub (settings are Terraform's job there), the embedded bus
      // takes the latest settings so a changed topology applies on restart.
      this.stmts.upsertSubscription.run(subscriptionParams(spec, now));
      if (spec.deadLetterTopic) {
        this.stmts.insertTopic.run(spec.deadLetterTopic, now);
        this.stmts.insertSubscriptionIfAbsent.run(
          subscriptionParams(
            { ...DELIVERY, name: inspectSubscriptionOf(spec.deadLetterTopic), topic: spec.deadLetterTopic },
            now,
          ),
        );
      }
    });
  }

  async publish(topic: string, message: OutgoingMessage): Promise<string> {
    assertResourceId('topic', topic);
    const { data, attributes } = encodeOutgoingMessage(message);
    const id = this.immediate(() => {
      if (!this.stmts.topic.get(topic)) throw new NotFoundError(`topic ${topic} does not exist`);
      return this.insertMessage(topic, data, attributes);
    });
    this.wake();
    return id;
  }

  async pull(subscription: string, max: number, waitMs = 0): Promise<ReceivedMessage[]> {
    assertResourceId('subscription', subscription);
    if (!Number.isInteger(max) || max < 1 || max > 1000) {
      throw new ValidationError(`max must be a whole number from 1 to 1000 (got ${max})`, ['max']);
    }
    this.requireSubscription(subscription);
    const deadline = this.nowMs() + Math.max(0, waitMs);
    for (;;) {
      const got = this.leaseDue(subscription, max);
      if (got.length > 0 || this.closed) return got;
      const left = deadline - this.nowMs();
      if (left <= 0) return [];
      await this.idle(Math.min(left, this.pollIntervalMs));
      if (this.closed) return [];
    }
  }

  async ack(subscription: string, ackIds: string[]): Promise<void> {
    assertAckIds(subscription, ackIds);
    if (ackIds.length === 0) return;
    this.immediate(() => {
      this.requireSubscription(subscription);
      for (const ackId of ackIds) {
        const delivery = this.stmts.deliveryByAckId.get(subscription, ackId) as DeliveryRow | undefined;
        // Unknown or superseded (the lease expired and was re-leased): ignored, as Pub/Sub does.
        if (!delivery) continue;
        this.removeDelivery(subscription, delivery.message_id);
      }
    });
  }

  async nack(subscription: string, ackIds: string[], options: NackOptions = {}): Promise<void> {
    assertAckIds(subscription, ackIds);
    if (ackIds.length === 0) return;
    this.immediate(() => {
      const sub = this.requireSubscription(subscription);
      const now = this.nowMs();
      for (const ackId of ackIds) {
        const delivery = this.stmts.deliveryByAckId.get(subscription, ackId) as DeliveryRow | undefined;
        if (!delivery) continue;
        if (sub.dead_letter_topic && delivery.attempts >= sub.max_delivery_attempts) {
          this.deadLetter(sub, delivery, options.reason);
        } else {
          this.stmts.release.run(now + backoffMs(sub, delivery.attempts), subscription, delivery.message_id);
        }
      }
    });
    this.wake();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake();
    this.db.close();
  }

  /** The stored settings of one subscription (the push dispatcher reads its endpoint here). */
  subscription(name: string): SubscriptionSpec | undefined {
    const row = this.guard(() => this.stmts.subscription.get(name) as SubscriptionRow | undefined);
    return row ? specOf(row) : undefined;
  }

  /** Every subscription, by name. */
  subscriptions(): SubscriptionSpec[] {
    return this.guard(() => this.stmts.allSubscriptions.all() as SubscriptionRow[]).map(specOf);
  }

  /** How many messages wait on a subscription: `ready` (or backing off) and `leased` to a consumer now. */
  backlog(subscription: string): { ready: number; leased: number } {
    const rows = this.guard(
      () => this.stmts.backlog.all(subscription) as Array<{ state: string; n: number }>,
    );
    return {
      ready: rows.find((r) => r.state === 'ready')?.n ?? 0,
      leased: rows.find((r) => r.state === 'leased')?.n ?? 0,
    };
  }

  /** Leases up to `max` due deliveries, first dead-lettering the expired leases that used their last attempt. */
  private leaseDue(subscription: string, max: number): ReceivedMessage[] {
    const now = this.nowMs();
    // Plain reads first: idle polling never takes the write lock.
    const exhausted = this.guard(() => this.stmts.expiredExhausted.all({ now, limit: 1 }).length > 0);
    if (!exhausted && !this.guard(() => this.stmts.anyDue.get(subscription, now))) return [];
    return this.immediate(() => {
      if (exhausted) {
        for (const delivery of this.stmts.expiredExhausted.all({ now, limit: 1000 }) as ExhaustedRow[]) {
          this.deadLetter(this.requireSubscription(delivery.subscription), delivery);
        }
      }
      const sub = this.requireSubscription(subscription);
      const leased = this.stmts.lease.all({
        subscription,
        now,
        visible_at: now + sub.ack_deadline_ms,
        max,
      }) as DeliveryRow[];
      if (leased.length === 0) return [];
      const messages = this.stmts.messagesByIds.all(
        JSON.stringify(leased.map((d) => d.message_id)),
      ) as MessageRow[];
      const byId = new Map(messages.map((m) => [m.id, m]));
      return leased
        .map((d): ReceivedMessage => {
          const m = byId.get(d.message_id) as MessageRow;
          return {
            ackId: d.ack_id as string,
            id: m.id,
            data: m.data,
            attributes: JSON.parse(m.attributes) as Attributes,
            publishTime: m.publish_time,
            deliveryAttempt: d.attempts,
          };
        })
        .sort((a, b) => a.publishTime.localeCompare(b.publishTime));
    });
  }

  /** Stores a message and fans it out to the topic's current subscriptions; call inside a transaction. */
  private insertMessage(topic: string, data: Buffer, attributes: Attributes): string {
    const id = this.ids.next('msg');
    this.stmts.insertMessage.run(id, topic, data, JSON.stringify(attributes), this.nowIso());
    const fanout = this.stmts.fanOut.run({ id, now: this.nowMs(), topic });
    // No subscription, no reader: Pub/Sub drops such a message too.
    if (fanout.changes === 0) this.stmts.deleteMessage.run(id);
    return id;
  }

  /** Republishes a delivery on the dead-letter topic with Pub/Sub's attributes; call inside a transaction. */
  private deadLetter(sub: SubscriptionRow, delivery: DeliveryRow, reason?: string): void {
    const message = this.stmts.message.get(delivery.message_id) as MessageRow;
    const attributes: Attributes = {
      ...(JSON.parse(message.attributes) as Attributes),
      [DEAD_LETTER_ATTRIBUTES.deliveryCount]: String(delivery.attempts),
      [DEAD_LETTER_ATTRIBUTES.subscription]: sub.name,
      [DEAD_LETTER_ATTRIBUTES.topicPublishTime]: message.publish_time,
    };
    // Attribute values are capped at 1,024 bytes on Pub/Sub; keep a replay there possible.
    if (reason)
      attributes[DEAD_LETTER_ATTRIBUTES.reason] = truncateUtf8(reason, PUBSUB_LIMITS.maxAttributeValueBytes);
    const topic = sub.dead_letter_topic as string;
    this.stmts.insertTopic.run(topic, this.nowIso());
    this.insertMessage(topic, message.data, attributes);
    this.removeDelivery(sub.name, delivery.message_id);
  }

  private removeDelivery(subscription: string, messageId: string): void {
    this.stmts.deleteDelivery.run(subscription, messageId);
    this.stmts.deleteMessageIfDone.run(messageId, messageId);
  }

  private requireSubscription(name: string): SubscriptionRow {
    const row = this.guard(() => this.stmts.subscription.get(name) as SubscriptionRow | undefined);
    if (!row) throw new NotFoundError(`subscription ${name} does not exist`);
    return row;
  }

  /** Runs `fn` in an IMMEDIATE transaction: the write lock is taken up front, so readers never deadlock upgrading. */
  private immediate<T>(fn: () => T): T {
    return this.guard(() => this.db.transaction(fn).immediate());
  }

  /** Translates SQLite failures into the errors handlers understand. */
  private guard<T>(fn: () => T): T {
    if (this.closed) {
      throw new BackendUnavailableError('the embedded event bus is closed', 'sqlite-event-bus', {
        retryable: false,
      });
    }
    try {
      return fn();
    } catch (err) {
      throw translateSqliteError(err);
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.waiters.delete(done);
        resolve();
      };
      this.waiters.add(done);
      void this.clock.sleep(ms).then(done);
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private nowMs(): number {
    return this.clock.now().getTime();
  }

  private nowIso(): string {
    return this.clock.now().toISOString();
  }
}
