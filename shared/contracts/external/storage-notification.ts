/**
 * Cloud Storage object events, in the two forms a function can receive them:
 *
 * - a Pub/Sub notification (`google_storage_notification` → a topic → a push
 *   subscription), https://cloud.google.com/storage/docs/pubsub-notifications:
 *   the attributes say what happened (`eventType`, `bucketId`, `objectId` —
 *   NOT URL-encoded —, `objectGeneration`, `eventTime`, `payloadFormat`,
 *   `notificationConfig`, `overwroteGeneration` on an overwrite), and the data
 *   is the JSON API object resource (int64 fields as strings) when the
 *   payload format is JSON_API_V1, or nothing at all when it is NONE;
 * - an Eventarc CloudEvent `google.cloud.storage.object.v1.finalized` (and
 *   `.deleted`, `.archived`, `.metadataUpdated`), https://cloud.google.com/eventarc/docs/cloudevents:
 *   the data is the object resource itself, no base64, no attributes, and
 *   its int64 fields may be numbers or strings (Google's own examples show both).
 *
 * `storageEventFrom` reduces both to one `StorageObjectEvent`, or throws a
 * ValidationError naming the field. selfLink and mediaLink are never read:
 * they are URL-encoded (and their host has changed over the years); a
 * consumer builds its own URI from bucket + name.
 */
import { z } from 'zod';
import { ValidationError } from '../../errors';
import { preview } from '../issues';
import { parseWith } from '../parse';
import { pubsubEventFrom } from '../pubsub-event';
import { rfc3339 } from '../primitives';

/** Notification `eventType` attribute values. */
export const StorageEventType = z.enum([
  'OBJECT_FINALIZE',
  'OBJECT_METADATA_UPDATE',
  'OBJECT_DELETE',
  'OBJECT_ARCHIVE',
]);
export type StorageEventType = z.infer<typeof StorageEventType>;

/** Eventarc's type for each notification event type (proto/google/events/cloud/storage/v1/events.proto). */
export const EVENTARC_STORAGE_TYPES: Record<StorageEventType, string> = {
  OBJECT_FINALIZE: 'google.cloud.storage.object.v1.finalized',
  OBJECT_METADATA_UPDATE: 'google.cloud.storage.object.v1.metadataUpdated',
  OBJECT_DELETE: 'google.cloud.storage.object.v1.deleted',
  OBJECT_ARCHIVE: 'google.cloud.storage.object.v1.archived',
};

/**
 * An int64 as Cloud Storage writes it: a decimal string in the JSON API and
 * in notification attributes, a JSON number in some Eventarc payloads. Kept
 * as a string (generations are ~1.7e15 today and may exceed 2^53); a number
 * is accepted only while it is an exact integer.
 */
export const int64 = z.unknown().transform((value, ctx): string => {
  if (typeof value === 'string' && /^[0-9]{1,19}$/.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  const message =
    typeof value === 'number' && Number.isInteger(value) && value > 0
      ? 'is beyond 2^53 as a JSON number, so its exact value is lost'
      : 'must be a non-negative int64: decimal digits in a string (or a whole JSON number)';
  ctx.addIssue({ code: 'custom', message, input: value });
  return z.NEVER;
});

/** The object resource (JSON API v1) in a JSON_API_V1 notification or an Eventarc event; what we read of it. */
export const StorageObject = z.looseObject({
  kind: z.literal('storage#object').optional(),
  bucket: z.string().min(1, 'must not be empty'),
  name: z.string().min(1, 'must not be empty'),
  generation: int64,
  metageneration: int64.optional(),
  size: int64.optional(),
  contentType: z.string().optional(),
  timeCreated: rfc3339.optional(),
  updated: rfc3339.optional(),
});
export type StorageObject = z.infer<typeof StorageObject>;

/** The attributes every notification carries (custom attributes from the config may be added beside them). */
export const StorageNotificationAttributes = z.looseObject({
  notificationConfig: z.string().regex(/^projects\/_\/buckets\/[^/]+\/notificationConfigs\/[^/]+$/, {
    message: 'must be projects/_/buckets/{bucket}/notificationConfigs/{id}',
  }),
  eventType: StorageEventType,
  payloadFormat: z.enum(['JSON_API_V1', 'NONE']),
  bucketId: z.string().min(1, 'must not be empty'),
  objectId: z.string().min(1, 'must not be empty'),
  objectGeneration: int64,
  eventTime: rfc3339,
  overwroteGeneration: int64.optional(),
  overwrittenByGeneration: int64.optional(),
});
export type StorageNotificationAttributes = z.infer<typeof StorageNotificationAttributes>;

/** The CloudEvent Eventarc delivers for a direct Cloud Storage event (structured, or binary lifted by the framework). */
export const StorageCloudEvent = z.looseObject({
  specversion: z.literal('1.0'),
  type: z.enum(Object.values(EVENTARC_STORAGE_TYPES) as [string, ...string[]]),
  /** `//storage.googleapis.com/projects/_/buckets/{bucket}` */
  source: z.string().regex(/^\/\/storage\.googleapis\.com\/projects\/_\/buckets\/[^/]+$/, {
    message: 'must be //storage.googleapis.com/projects/_/buckets/{bucket}',
  }),
  id: z.string().min(1, 'must not be empty'),
  time: rfc3339.optional(),
  subject: z.string().optional(),
  data: StorageObject,
});

/** One Cloud Storage object event, whichever way it was delivered. */
export interface StorageObjectEvent {
  /** How it came: a Pub/Sub notification, or Eventarc's storage CloudEvent. */
  via: 'pubsub' | 'eventarc';
  /** The Pub/Sub message id or the CloudEvent id (not the de-duplication key: see `storageEventKey`). */
  deliveryId: string;
  eventType: StorageEventType;
  bucket: string;
  /** The object name as stored, not URL-encoded (may contain '/'). */
  name: string;
  generation: string;
  /** When the event happened (notification `eventTime`, CloudEvent `time`). */
  eventTime?: string;
  /** Notifications only: the generation this upload replaced; absent for a first upload. */
  overwroteGeneration?: string;
  /** The object resource, when the delivery carried one (absent for payloadFormat NONE). */
  object?: StorageObject;
  /** Pub/Sub message attributes (`{}` for Eventarc); carries `correlationId` when a producer set one. */
  attributes: Record<string, string>;
  deliveryAttempt?: number;
}

/**
 * The de-duplication key of an event. Delivery is at least once and Cloud
 * Storage may publish one change more than once, under different message ids,
 * so the key is what happened to which generation, not the message id.
 */
export function storageEventKey(e: Pick<StorageObjectEvent, 'bucket' | 'name' | 'generation' | 'eventType'>) {
  return `${e.bucket}/${e.name}#${e.generation}:${e.eventType}`;
}

/**
 * Turns what a cloudEvent handler received (an Eventarc storage CloudEvent, a
 * Pub/Sub CloudEvent, or a raw push envelope — the functions framework leaves
 * a data-less NONE notification unconverted) into a StorageObjectEvent.
 */
export function storageEventFrom(received: unknown, what = 'Cloud Storage notification'): StorageObjectEvent {
  if (
    isRecord(received) &&
    typeof received.type === 'string' &&
    received.type.startsWith('google.cloud.storage.')
  ) {
    return fromEventarc(received, what);
  }
  return fromNotification(received, what);
}

function fromEventarc(received: Record<string, unknown>, what: string): StorageObjectEvent {
  const ce = parseWith(StorageCloudEvent, received, what);
  const eventType = (Object.keys(EVENTARC_STORAGE_TYPES) as StorageEventType[]).find(
    (k) => EVENTARC_STORAGE_TYPES[k] === ce.type,
  ) as StorageEventType;
  const sourceBucket = ce.source.slice(ce.source.lastIndexOf('/') + 1);
  if (sourceBucket !== ce.data.bucket) {
    throw new ValidationError(
      `${what} is invalid: data.bucket: "${ce.data.bucket}" is not the bucket the source names ("${sourceBucket}")`,
      ['data.bucket'],
    );
  }
  return {
    via: 'eventarc',
    deliveryId: ce.id,
    eventType,
    bucket: ce.data.bucket,
    name: ce.data.name,
    generation: ce.data.generation,
    ...(ce.time ? { eventTime: ce.time } : {}),
    object: ce.data,
    attributes: {},
  };
}

function fromNotification(received: unknown, what: string): StorageObjectEvent {
  const message = pubsubEventFrom(received, what);
  const attrs = parseWith(StorageNotificationAttributes, message.attributes, `${what} attributes`);
  const configBucket = /^projects\/_\/buckets\/([^/]+)\//.exec(attrs.notificationConfig)?.[1];
  if (configBucket !== attrs.bucketId) {
    throw new ValidationError(
      `${what} is invalid: attributes.bucketId: "${attrs.bucketId}" is not the bucket of notificationConfig "${attrs.notificationConfig}"`,
      ['attributes.bucketId'],
    );
  }
  const event: StorageObjectEvent = {
    via: 'pubsub',
    deliveryId: message.messageId,
    eventType: attrs.eventType,
    bucket: attrs.bucketId,
    name: attrs.objectId,
    generation: attrs.objectGeneration,
    eventTime: attrs.eventTime,
    ...(attrs.overwroteGeneration ? { overwroteGeneration: attrs.overwroteGeneration } : {}),
    attributes: message.attributes,
    ...(message.deliveryAttempt === undefined ? {} : { deliveryAttempt: message.deliveryAttempt }),
  };
  const bytes = message.data ?? Buffer.alloc(0);
  if (attrs.payloadFormat === 'NONE') {
    if (bytes.length > 0) {
      throw new ValidationError(
        `${what} is invalid: message.data: payloadFormat is NONE but the message carries ${bytes.length} bytes`,
        ['message.data'],
      );
    }
    return event;
  }
  const object = parseObject(bytes, what);
  // The attributes and the resource describe one object; a mismatch is a forged or mangled message.
  for (const [field, attr, value] of [
    ['bucket', 'bucketId', attrs.bucketId],
    ['name', 'objectId', attrs.objectId],
    ['generation', 'objectGeneration', attrs.objectGeneration],
  ] as const) {
    if (object[field] !== value) {
      throw new ValidationError(
        `${what} is invalid: message.data.${field}: ${JSON.stringify(object[field])} differs from attributes.${attr} ${JSON.stringify(value)}`,
        [`message.data.${field}`],
      );
    }
  }
  return { ...event, object };
}

function parseObject(bytes: Buffer, what: string): StorageObject {
  if (bytes.length === 0) {
    throw new ValidationError(
      `${what} is invalid: message.data is empty but payloadFormat is JSON_API_V1 (expected the object resource)`,
      ['message.data'],
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new ValidationError(
      `${what} is invalid: message.data is not the object resource as JSON: ${(err as Error).message.slice(0, 120)} (starts with ${preview(bytes.subarray(0, 40).toString('latin1'), 40)})`,
      ['message.data'],
      { cause: err },
    );
  }
  return parseWith(StorageObject, value, `${what} message.data`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
