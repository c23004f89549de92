/**
 * Tables and checks behind SqliteEventBus, kept apart from the queue logic.
 * One row per topic and subscription, one per message (shared by every
 * subscription it fanned out to) and one per (subscription, message)
 * delivery, which is the queue entry: its `visible_at` decides when it can be
 * pulled, so a lease, a nack backoff and a new message are the same thing.
 */
import { BackendUnavailableError, ForecastGuardError, ValidationError } from '../../errors';
import { assertResourceId, type SubscriptionSpec } from '../../ports/event-bus';
import type { SqliteDatabase } from './sqlite';
import { isSqliteError } from './sqlite-errors';

/** Bumped when the tables change shape; a newer file is refused rather than misread. */
export const EVENT_BUS_SCHEMA_VERSION = 1;

const DDL = `
CREATE TABLE IF NOT EXISTS eb_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS eb_topics (
  name TEXT PRIMARY KEY,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS eb_subscriptions (
  name TEXT PRIMARY KEY,
  topic TEXT NOT NULL REFERENCES eb_topics(name),
  ack_deadline_ms INTEGER NOT NULL,
  max_delivery_attempts INTEGER NOT NULL,
  dead_letter_topic TEXT,
  min_backoff_ms INTEGER NOT NULL,
  max_backoff_ms INTEGER NOT NULL,
  push_endpoint TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS eb_subscriptions_topic ON eb_subscriptions (topic);
CREATE TABLE IF NOT EXISTS eb_messages (
  id TEXT PRIMARY KEY,
  topic TEXT NOT NULL,
  data BLOB NOT NULL,
  attributes TEXT NOT NULL,
  publish_time TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS eb_deliveries (
  message_id TEXT NOT NULL REFERENCES eb_messages(id) ON DELETE CASCADE,
  subscription TEXT NOT NULL REFERENCES eb_subscriptions(name) ON DELETE CASCADE,
  state TEXT NOT NULL CHECK (state IN ('ready', 'leased')),
  attempts INTEGER NOT NULL DEFAULT 0,
  visible_at INTEGER NOT NULL,
  ack_id TEXT,
  PRIMARY KEY (subscription, message_id)
);
CREATE INDEX IF NOT EXISTS eb_deliveries_due ON eb_deliveries (subscription, visible_at);
CREATE INDEX IF NOT EXISTS eb_deliveries_ack ON eb_deliveries (subscription, ack_id);
CREATE INDEX IF NOT EXISTS eb_deliveries_message ON eb_deliveries (message_id);
`;

/** Creates the tables if absent; refuses a file written by a newer schema. */
export function migrateEventBus(db: SqliteDatabase): void {
  db.exec(DDL);
  const row = db.prepare(`SELECT value FROM eb_meta WHERE key = 'schema_version'`).get() as
    { value: string } | undefined;
  if (!row) {
    db.prepare(`INSERT OR IGNORE INTO eb_meta (key, value) VALUES ('schema_version', ?)`).run(
      String(EVENT_BUS_SCHEMA_VERSION),
    );
  } else if (Number(row.value) > EVENT_BUS_SCHEMA_VERSION) {
    throw new ValidationError(
      `event bus file has schema version ${row.value}; this build reads up to ${EVENT_BUS_SCHEMA_VERSION}`,
      ['eb_meta.schema_version'],
    );
  }
}

export interface SubscriptionRow {
  name: string;
  topic: string;
  ack_deadline_ms: number;
  max_delivery_attempts: number;
  dead_letter_topic: string | null;
  min_backoff_ms: number;
  max_backoff_ms: number;
  push_endpoint: string | null;
}

export interface MessageRow {
  id: string;
  topic: string;
  data: Buffer;
  attributes: string;
  publish_time: string;
}

export interface DeliveryRow {
  message_id: string;
  attempts: number;
  ack_id: string | null;
}

/** A delivery whose lease expired on its last attempt, and where it came from. */
export type ExhaustedRow = DeliveryRow & { subscription: string };

/** Named parameters for the subscription insert/upsert statements. */
export function subscriptionParams(
  spec: SubscriptionSpec,
  createdAt: string,
): Record<string, string | number | null> {
  return {
    name: spec.name,
    topic: spec.topic,
    ack_deadline_ms: Math.round(spec.ackDeadlineSeconds * 1000),
    max_delivery_attempts: spec.maxDeliveryAttempts,
    dead_letter_topic: spec.deadLetterTopic ?? null,
    min_backoff_ms: Math.round(spec.minBackoffSeconds * 1000),
    max_backoff_ms: Math.round(spec.maxBackoffSeconds * 1000),
    push_endpoint: spec.pushEndpoint ?? null,
    created_at: createdAt,
  };
}

export function specOf(row: SubscriptionRow): SubscriptionSpec {
  return {
    name: row.name,
    topic: row.topic,
    ackDeadlineSeconds: row.ack_deadline_ms / 1000,
    maxDeliveryAttempts: row.max_delivery_attempts,
    ...(row.dead_letter_topic ? { deadLetterTopic: row.dead_letter_topic } : {}),
    minBackoffSeconds: row.min_backoff_ms / 1000,
    maxBackoffSeconds: row.max_backoff_ms / 1000,
    ...(row.push_endpoint ? { pushEndpoint: row.push_endpoint } : {}),
  };
}

function assertNumber(field: string, value: unknown, min: number, max: number, integer = false): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ValidationError(
      `${field} must be a number from ${min} to ${max} (got ${JSON.stringify(value)})`,
      [field],
    );
  }
  if (integer && !Number.isInteger(value)) {
    throw new ValidationError(`${field} must be a whole number (got ${value})`, [field]);
  }
}

/**
 * Checks a spec for the embedded bus. Looser than Pub/Sub on purpose (sub-second
 * deadlines and fewer attempts keep tests and drills fast); the Pub/Sub
 * adapter enforces Google's own limits.
 */
export function validateEmbeddedSpec(spec: SubscriptionSpec): void {
  assertResourceId('subscription.name', spec.name);
  assertResourceId('subscription.topic', spec.topic);
  assertNumber('subscription.ackDeadlineSeconds', spec.ackDeadlineSeconds, 0.001, 600);
  assertNumber('subscription.maxDeliveryAttempts', spec.maxDeliveryAttempts, 1, 100, true);
  assertNumber('subscription.minBackoffSeconds', spec.minBackoffSeconds, 0, 600);
  assertNumber('subscription.maxBackoffSeconds', spec.maxBackoffSeconds, spec.minBackoffSeconds, 600);
  if (spec.deadLetterTopic !== undefined) {
    assertResourceId('subscription.deadLetterTopic', spec.deadLetterTopic);
    if (spec.deadLetterTopic === spec.topic) {
      throw new ValidationError('subscription.deadLetterTopic must differ from subscription.topic', [
        'subscription.deadLetterTopic',
      ]);
    }
  }
  if (spec.pushEndpoint !== undefined) assertHttpUrl('subscription.pushEndpoint', spec.pushEndpoint);
}

export function assertHttpUrl(field: string, value: unknown): void {
  let ok = false;
  try {
    ok = typeof value === 'string' && ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    ok = false;
  }
  if (!ok)
    throw new ValidationError(`${field} must be an http(s) URL (got ${JSON.stringify(value)})`, [field]);
}

/** Pub/Sub-style exponential backoff after the `attempts`-th delivery was nacked. */
export function backoffMs(
  sub: Pick<SubscriptionRow, 'min_backoff_ms' | 'max_backoff_ms'>,
  attempts: number,
): number {
  const doubled = sub.min_backoff_ms * 2 ** Math.max(0, attempts - 1);
  return Math.min(sub.max_backoff_ms, doubled);
}

export function assertAckIds(subscription: string, ackIds: unknown): asserts ackIds is string[] {
  assertResourceId('subscription', subscription);
  if (!Array.isArray(ackIds) || ackIds.some((id) => typeof id !== 'string')) {
    throw new ValidationError('ackIds must be an array of strings', ['ackIds']);
  }
}

/**
 * SQLite failures as the errors handlers decide on: a busy or locked file
 * (another process holds the write lock past the busy timeout) and a full
 * disk or an I/O error (room may be made, the device may come back) are
 * worth retrying; anything else from SQLite is not. Other errors pass
 * through. A push dispatcher stops pulling on an error not worth retrying,
 * so a full disk counted as final would stop delivery until a restart.
 */
export function translateSqliteError(err: unknown): unknown {
  if (err instanceof ForecastGuardError || !isSqliteError(err)) return err;
  const transient = /^SQLITE_(BUSY|LOCKED|FULL|IOERR)/.test(err.code);
  return new BackendUnavailableError(`embedded event bus: ${err.message} (${err.code})`, 'sqlite-event-bus', {
    cause: err,
    retryable: transient,
  });
}
