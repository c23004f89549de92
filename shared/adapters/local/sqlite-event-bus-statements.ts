/**
 * The SQL of SqliteEventBus, prepared once per connection. Kept apart so the
 * queue logic reads as logic; every statement here is a single step of it.
 */
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './sqlite';

export interface EventBusStatements {
  insertTopic: Statement;
  topic: Statement;
  subscription: Statement;
  allSubscriptions: Statement;
  upsertSubscription: Statement;
  insertSubscriptionIfAbsent: Statement;
  insertMessage: Statement;
  fanOut: Statement;
  message: Statement;
  messagesByIds: Statement;
  deleteMessage: Statement;
  deleteMessageIfDone: Statement;
  anyDue: Statement;
  expiredExhausted: Statement;
  lease: Statement;
  deliveryByAckId: Statement;
  release: Statement;
  deleteDelivery: Statement;
  backlog: Statement;
}

const SUBSCRIPTION_COLUMNS = `(name, topic, ack_deadline_ms, max_delivery_attempts, dead_letter_topic,
  min_backoff_ms, max_backoff_ms, push_endpoint, created_at)
  VALUES (@name, @topic, @ack_deadline_ms, @max_delivery_attempts, @dead_letter_topic,
  @min_backoff_ms, @max_backoff_ms, @push_endpoint, @created_at)`;

export function prepareEventBusStatements(db: SqliteDatabase): EventBusStatements {
  return {
    insertTopic: db.prepare(`INSERT OR IGNORE INTO eb_topics (name, created_at) VALUES (?, ?)`),
    topic: db.prepare(`SELECT name FROM eb_topics WHERE name = ?`),
    subscription: db.prepare(`SELECT * FROM eb_subscriptions WHERE name = ?`),
    allSubscriptions: db.prepare(`SELECT * FROM eb_subscriptions ORDER BY name`),
    upsertSubscription: db.prepare(
      `INSERT INTO eb_subscriptions ${SUBSCRIPTION_COLUMNS}
       ON CONFLICT (name) DO UPDATE SET
         ack_deadline_ms = excluded.ack_deadline_ms,
         max_delivery_attempts = excluded.max_delivery_attempts,
         dead_letter_topic = excluded.dead_letter_topic,
         min_backoff_ms = excluded.min_backoff_ms,
         max_backoff_ms = excluded.max_backoff_ms,
         push_endpoint = excluded.push_endpoint`,
    ),
    insertSubscriptionIfAbsent: db.prepare(`INSERT OR IGNORE INTO eb_subscriptions ${SUBSCRIPTION_COLUMNS}`),
    insertMessage: db.prepare(
      `INSERT INTO eb_messages (id, topic, data, attributes, publish_time) VALUES (?, ?, ?, ?, ?)`,
    ),
    // Fan-out happens once, at publish: a subscription created later never sees this message.
    fanOut: db.prepare(
      `INSERT INTO eb_deliveries (message_id, subscription, state, attempts, visible_at)
       SELECT @id, name, 'ready', 0, @now FROM eb_subscriptions WHERE topic = @topic`,
    ),
    message: db.prepare(`SELECT * FROM eb_messages WHERE id = ?`),
    messagesByIds: db.prepare(`SELECT * FROM eb_messages WHERE id IN (SELECT value FROM json_each(?))`),
    deleteMessage: db.prepare(`DELETE FROM eb_messages WHERE id = ?`),
    deleteMessageIfDone: db.prepare(
      `DELETE FROM eb_messages WHERE id = ? AND NOT EXISTS (SELECT 1 FROM eb_deliveries WHERE message_id = ?)`,
    ),
    anyDue: db.prepare(`SELECT 1 FROM eb_deliveries WHERE subscription = ? AND visible_at <= ? LIMIT 1`),
    // Leases that expired on their last attempt, on any subscription with a
    // dead-letter topic: swept by every pull, so a dead letter shows up even
    // when nobody pulls its source subscription any more.
    expiredExhausted: db.prepare(
      `SELECT d.subscription, d.message_id, d.attempts, d.ack_id
       FROM eb_subscriptions s JOIN eb_deliveries d ON d.subscription = s.name
       WHERE s.dead_letter_topic IS NOT NULL AND d.state = 'leased' AND d.visible_at <= @now
         AND d.attempts >= s.max_delivery_attempts
       LIMIT @limit`,
    ),
    // Expired leases are due again like new messages: visible_at alone decides.
    // The ack id names the lease (message and attempt), so an old one never matches a newer lease.
    lease: db.prepare(
      `UPDATE eb_deliveries
       SET state = 'leased', attempts = attempts + 1, visible_at = @visible_at,
           ack_id = message_id || ':' || (attempts + 1)
       WHERE rowid IN (
         SELECT rowid FROM eb_deliveries
         WHERE subscription = @subscription AND visible_at <= @now
         ORDER BY visible_at, rowid LIMIT @max)
       RETURNING message_id, attempts, ack_id`,
    ),
    deliveryByAckId: db.prepare(
      `SELECT message_id, attempts, ack_id FROM eb_deliveries WHERE subscription = ? AND ack_id = ?`,
    ),
    release: db.prepare(
      `UPDATE eb_deliveries SET state = 'ready', ack_id = NULL, visible_at = ?
       WHERE subscription = ? AND message_id = ?`,
    ),
    deleteDelivery: db.prepare(`DELETE FROM eb_deliveries WHERE subscription = ? AND message_id = ?`),
    backlog: db.prepare(
      `SELECT state, count(*) AS n FROM eb_deliveries WHERE subscription = ? GROUP BY state`,
    ),
  };
}
