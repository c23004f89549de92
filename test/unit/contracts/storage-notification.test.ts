/**
 * Cloud Storage object events in both delivery forms (Pub/Sub notification,
 * Eventarc CloudEvent) decode to one StorageObjectEvent; what is malformed is
 * refused with the field named. Formats: test/fixtures/gcp-formats/7-cloud-storage.
 */
import {
  storageEventFrom,
  storageEventKey,
  type StorageObjectEvent,
} from '../../../shared/contracts/external/storage-notification';
import { ValidationError } from '../../../shared/errors';
import { loadFixture } from '../../helpers/gcp-fixtures';

type PushBody = { message: { attributes: Record<string, string>; data?: string; messageId: string } };
const push = loadFixture<{ body: PushBody; body_first_upload: PushBody }>(
  '7-cloud-storage/notification.object-finalize.pubsub-push.json',
);
const binary = loadFixture<{ cloudEvent_as_seen_by_functions_framework_nodejs: Record<string, unknown> }>(
  '7-cloud-storage/eventarc-storage-finalized.cloudevent.binary-http.json',
);
const structured = loadFixture<Record<string, unknown>>(
  '7-cloud-storage/eventarc-storage-finalized.cloudevent.structured.json',
);

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** What the functions framework hands a cloudEvent handler for a converted push. */
function asPubsubCloudEvent(body: PushBody): Record<string, unknown> {
  return {
    specversion: '1.0',
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    source: '//pubsub.googleapis.com/projects/p/topics/sales-data-updates',
    id: body.message.messageId,
    data: { message: body.message },
  };
}

/** The Eventarc event for the object a notification describes (the resource is the same JSON). */
function eventarcFor(body: PushBody): Record<string, unknown> {
  const object = JSON.parse(Buffer.from(body.message.data!, 'base64').toString('utf8')) as Record<
    string,
    unknown
  >;
  return {
    specversion: '1.0',
    type: 'google.cloud.storage.object.v1.finalized',
    source: `//storage.googleapis.com/projects/_/buckets/${String(object.bucket)}`,
    subject: `objects/${String(object.name)}`,
    id: '8352117402935581',
    time: object.updated,
    bucket: object.bucket,
    data: object,
  };
}

const core = (e: StorageObjectEvent) => ({
  eventType: e.eventType,
  bucket: e.bucket,
  name: e.name,
  generation: e.generation,
  size: e.object?.size,
  contentType: e.object?.contentType,
});

function refusal(received: unknown): ValidationError {
  try {
    storageEventFrom(received);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('storageEventFrom: Pub/Sub notification', () => {
  it('decodes an overwrite: the new generation and the one it replaced, from attributes and the object resource', () => {
    const e = storageEventFrom(asPubsubCloudEvent(push.body));
    expect(e).toMatchObject({
      via: 'pubsub',
      deliveryId: '15531887492217716',
      eventType: 'OBJECT_FINALIZE',
      bucket: 'example-book-sales-artifacts',
      name: 'raw_data/UK_weekly_data.csv',
      generation: '1755173141123456',
      overwroteGeneration: '1755075602654321',
      eventTime: '2025-08-14T12:05:41.122981Z',
    });
    expect(e.object).toMatchObject({ size: '5728', metageneration: '1', contentType: 'text/csv' });
  });

  it('decodes a first upload: no overwroteGeneration', () => {
    const e = storageEventFrom(asPubsubCloudEvent(push.body_first_upload));
    expect(e.generation).toBe('1755173141123456');
    expect(e.overwroteGeneration).toBeUndefined();
    expect(e.object?.name).toBe('raw_data/UK_weekly_data.csv');
  });

  it('decodes the raw push envelope as well as the CloudEvent the framework makes of it', () => {
    expect(core(storageEventFrom(clone(push.body)))).toEqual(
      core(storageEventFrom(asPubsubCloudEvent(push.body))),
    );
  });

  it('decodes an attribute-only message (payloadFormat NONE), which the framework leaves as a raw envelope', () => {
    const body = clone(push.body_first_upload);
    delete body.message.data;
    body.message.attributes.payloadFormat = 'NONE';
    const e = storageEventFrom(body);
    expect(e).toMatchObject({ bucket: 'example-book-sales-artifacts', name: 'raw_data/UK_weekly_data.csv' });
    expect(e.generation).toBe('1755173141123456');
    expect(e.object).toBeUndefined();
  });

  it('keeps an object name with spaces and slashes as it is (objectId is not URL-encoded)', () => {
    const body = clone(push.body_first_upload);
    delete body.message.data;
    Object.assign(body.message.attributes, {
      payloadFormat: 'NONE',
      objectId: 'raw_data/week 32/UK sales+.csv',
    });
    expect(storageEventFrom(body).name).toBe('raw_data/week 32/UK sales+.csv');
  });

  it('de-duplicates by what happened to which generation, not by message id', () => {
    const a = storageEventFrom(clone(push.body));
    const second = clone(push.body);
    second.message.messageId = '99999999999';
    (second.message as Record<string, unknown>).message_id = '99999999999';
    const b = storageEventFrom(second);
    expect(b.deliveryId).not.toBe(a.deliveryId);
    expect(storageEventKey(b)).toBe(storageEventKey(a));
    expect(storageEventKey({ ...a, eventType: 'OBJECT_DELETE' })).not.toBe(storageEventKey(a));
  });
});

describe('storageEventFrom: Eventarc CloudEvent', () => {
  it('decodes to the same thing as the Pub/Sub notification of the same object', () => {
    const fromEventarc = storageEventFrom(eventarcFor(push.body));
    const fromPubsub = storageEventFrom(asPubsubCloudEvent(push.body));
    expect(fromEventarc.via).toBe('eventarc');
    expect(core(fromEventarc)).toEqual(core(fromPubsub));
  });

  it('decodes the binary-mode event as the functions framework presents it (int64 as strings)', () => {
    const e = storageEventFrom(binary.cloudEvent_as_seen_by_functions_framework_nodejs);
    expect(e).toMatchObject({
      eventType: 'OBJECT_FINALIZE',
      bucket: 'sample-bucket',
      name: 'folder/Test.cs',
      generation: '1587627537231057',
      deliveryId: '8352117402935581',
    });
  });

  it('decodes the structured event whose int64 fields are JSON numbers, as strings', () => {
    const e = storageEventFrom(structured);
    expect(e.generation).toBe('96883251');
    expect(e.object?.size).toBe('0');
    expect(e.name).toBe('MyFile');
  });

  it('maps the other storage event types to the notification names', () => {
    const ce = { ...structured, type: 'google.cloud.storage.object.v1.deleted' };
    expect(storageEventFrom(ce).eventType).toBe('OBJECT_DELETE');
  });
});

describe('storageEventFrom: refusals name the field', () => {
  it('refuses a notification without objectGeneration', () => {
    const body = clone(push.body);
    delete body.message.attributes.objectGeneration;
    expect(refusal(body).message).toMatch(/objectGeneration/);
  });

  it('refuses JSON_API_V1 data that describes another object than the attributes', () => {
    const body = clone(push.body);
    body.message.attributes.objectGeneration = '1755173141123457';
    expect(refusal(body).message).toMatch(
      /message\.data\.generation: "1755173141123456" differs from attributes\.objectGeneration/,
    );
  });

  it('refuses JSON_API_V1 without data, and NONE with data', () => {
    const noData = clone(push.body);
    delete noData.message.data;
    expect(refusal(noData).message).toMatch(/message\.data is empty but payloadFormat is JSON_API_V1/);
    const withData = clone(push.body);
    withData.message.attributes.payloadFormat = 'NONE';
    expect(refusal(withData).message).toMatch(/payloadFormat is NONE but the message carries/);
  });

  it('refuses data that is not the object resource as JSON', () => {
    const body = clone(push.body);
    body.message.data = Buffer.from('not json').toString('base64');
    expect(refusal(body).message).toMatch(/message\.data is not the object resource as JSON/);
  });

  it('refuses a bucketId that is not the notification config bucket', () => {
    const body = clone(push.body_first_upload);
    delete body.message.data;
    Object.assign(body.message.attributes, { payloadFormat: 'NONE', bucketId: 'someone-else' });
    expect(refusal(body).message).toMatch(
      /attributes\.bucketId: "someone-else" is not the bucket of notificationConfig/,
    );
  });

  it('refuses an unknown eventType and a generation that lost precision as a JSON number', () => {
    const body = clone(push.body);
    body.message.attributes.eventType = 'OBJECT_CREATE';
    expect(refusal(body).message).toMatch(/eventType/);
    const ce = { ...structured, data: { ...(structured.data as object), generation: 2 ** 60 } };
    expect(refusal(ce).message).toMatch(/data\.generation: is beyond 2\^53 as a JSON number/);
  });

  it('refuses an Eventarc event whose data names another bucket than its source', () => {
    const ce = { ...structured, source: '//storage.googleapis.com/projects/_/buckets/other' };
    expect(refusal(ce).message).toMatch(
      /data\.bucket: "sample-bucket" is not the bucket the source names \("other"\)/,
    );
  });

  it('refuses something that is neither form', () => {
    expect(refusal({ hello: 'world' }).message).toMatch(
      /CloudEvent with data\.message or a push body with message/,
    );
  });
});
