import { z } from 'zod';
import { PipelineJobLogEntry } from '../../../shared/contracts/external/pipeline-job-log-entry';
import { Alert } from '../../../shared/contracts/messages/alert';
import { HealthCheckRequest } from '../../../shared/contracts/messages/health-check-request';
import { decodeBase64, decodeJsonData, pubsubEventFrom } from '../../../shared/contracts/pubsub-event';
import { ValidationError } from '../../../shared/errors';
import { SCHEDULES } from '../../../shared/topology';
import { reportFigure } from '../../helpers/figures';
import { loadFixture } from '../../helpers/gcp-fixtures';
import * as samples from './samples';

type Json = Record<string, unknown>;
const NOW = '2024-05-01T12:00:00.000Z';

/** The framework fills `<NOW>`/`TIME` with its clock; so do we, with a fixed one. */
function atNow<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replace(/"(<NOW>|TIME)"/g, `"${NOW}"`)) as T;
}

/** The CloudEvent the framework builds from a binary request: ce-* headers as attributes, body as data. */
function cloudEventFromBinary(request: { headers: Record<string, string>; body: unknown }): Json {
  const ce: Json = { data: request.body };
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.startsWith('ce-')) ce[name.slice(3)] = value;
  }
  return ce;
}

/** What Eventarc would deliver for `data` published on `topic`. */
function eventarcEvent(
  data: Buffer | undefined,
  attributes?: Record<string, string>,
  topic = 'health-check-requests',
): Json {
  return {
    specversion: '1.0',
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    source: `//pubsub.googleapis.com/projects/demo/topics/${topic}`,
    id: '42',
    time: NOW,
    data: {
      subscription: `projects/demo/subscriptions/${topic}--health-check`,
      message: {
        ...(data ? { data: data.toString('base64') } : {}),
        ...(attributes ? { attributes } : {}),
        messageId: '42',
        publishTime: NOW,
      },
    },
  };
}

function validationError(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('expected a ValidationError');
}

const ff = () =>
  loadFixture<Record<string, Json>>('1-pubsub-cloudevents/ff-nodejs.raw-push-to-cloudevent.json');

describe('pubsubEventFrom', () => {
  it('reads a real Eventarc CloudEvent (structured)', () => {
    const event = pubsubEventFrom(
      loadFixture('1-pubsub-cloudevents/eventarc-pubsub-cloudevent.structured.json'),
    );
    expect(event).toEqual({
      messageId: 'message-id',
      data: Buffer.from('test message 3'),
      attributes: { attr1: 'attr1-value' },
      publishTime: '2021-02-05T04:06:14.109Z',
      subscription: 'projects/test-project/subscriptions/my-subscription',
      topic: 'my-topic',
    });
  });

  it('reads a binary CloudEvent as the framework passes it on, and the sink topic', () => {
    const binary = loadFixture<Json>('1-pubsub-cloudevents/eventarc-pubsub-cloudevent.binary-http.json');
    const { _note, ...ce } = binary.cloudEvent_as_seen_by_functions_framework_nodejs as Json;
    expect(_note).toBeDefined();
    expect(pubsubEventFrom(ce).data?.toString()).toBe('test message 3');

    const sink = loadFixture<{ headers: Record<string, string>; body: unknown }>(
      '2-vertex-pipeline-logs/sink-to-pubsub.cloudevent.binary-http.json',
    );
    const event = pubsubEventFrom(cloudEventFromBinary(sink));
    expect(event.topic).toBe('vertex-pipeline-events');
    expect(event.messageId).toBe('11223344556677');
    expect(event.attributes['logging.googleapis.com/timestamp']).toBe('2024-05-01T10:42:17.401235Z');
  });

  it('takes deliveryAttempt and snake_case duplicates from MessagePublishedData', () => {
    const data = loadFixture<Json>('1-pubsub-cloudevents/messagePublishedData.duplicated-fields.json');
    const event = pubsubEventFrom({ ...eventarcEvent(undefined), data: { ...data, deliveryAttempt: 4 } });
    expect(event.data).toEqual(Buffer.from([1, 2, 3, 4]));
    expect(event.deliveryAttempt).toBe(4);
    expect(event.attributes).toEqual({});
    const snakeOnly = { message: { data: 'AQ==', message_id: '9', publish_time: NOW } };
    expect(pubsubEventFrom({ ...eventarcEvent(undefined), data: snakeOnly })).toMatchObject({
      messageId: '9',
      publishTime: NOW,
    });
  });

  it("reads the framework's conversion of a raw push: topic from the URL, no subscription", () => {
    const { _note, ...ce } = atNow(
      ff().case_A_topic_in_push_path?.signature_cloudevent__user_function_arg as Json,
    );
    expect(_note).toBeDefined();
    const event = pubsubEventFrom(ce);
    expect(event).toEqual({
      messageId: '1',
      data: Buffer.from('{"foo":"bar"}'),
      attributes: { test: '123' },
      publishTime: NOW,
      topic: 'BAR_TOPIC',
    });
    expect(decodeJsonData(ce, z.looseObject({ foo: z.string() }), 'Foo')).toEqual({ foo: 'bar' });
  });

  it('reads a converted push whose URL named no topic (source //pubsub.googleapis.com/)', () => {
    const ce = atNow(ff().case_B_no_topic_in_path__VERBATIM_integration_test?.cloudEvent_received as Json);
    const event = pubsubEventFrom(ce);
    expect(event.topic).toBeUndefined();
    expect(event.subscription).toBeUndefined();
    expect(event.data?.toString()).toBe('This is a sample message');
  });

  it('reads the raw envelope the framework passes through for an attribute-only message', () => {
    const raw = ff().case_C_NOT_converted?.cloudEvent_received;
    const event = pubsubEventFrom(raw);
    expect(event).toEqual({
      messageId: '2',
      data: undefined,
      attributes: { only: 'attributes' },
      subscription: 'projects/FOO/subscriptions/BAR_SUB',
    });
  });

  it('reads raw push bodies from production and the emulator', () => {
    const production = pubsubEventFrom(loadFixture('1-pubsub-cloudevents/pubsub-push.production.json'));
    expect(production.data?.toString()).toBe('Hello Cloud Pub/Sub! Here is my message!');
    expect(production.publishTime).toBe('2021-02-26T19:13:55.749Z');
    const emulator = pubsubEventFrom(
      loadFixture<Json>('1-pubsub-cloudevents/pubsub-push.emulator.json').emulator_doc_example,
    );
    expect(emulator).toEqual({
      messageId: '10',
      data: Buffer.from('Message number 1'),
      attributes: {},
      subscription: 'projects/PUBSUB_PROJECT_ID/subscriptions/SUBSCRIPTION_ID',
    });
  });

  it('names what is wrong with something that is not a Pub/Sub event', () => {
    for (const value of [null, 'text', {}, { data: 'x' }, [1]]) {
      const err = validationError(() => pubsubEventFrom(value));
      expect(err.message).toMatch(
        /^Pub\/Sub message is invalid: \(root\): must be a CloudEvent with data\.message/,
      );
      expect(err.fields).toEqual(['(root)']);
    }
    const noId = eventarcEvent(Buffer.from('{}'));
    delete ((noId.data as Json).message as Json).messageId;
    expect(validationError(() => pubsubEventFrom(noId)).message).toBe(
      'Pub/Sub message is invalid: data.message.messageId: is required',
    );
    expect(validationError(() => pubsubEventFrom({ ...eventarcEvent(undefined), type: 'x.y' })).message).toBe(
      'Pub/Sub message is invalid: type: must be google.cloud.pubsub.topic.v1.messagePublished (got "x.y")',
    );
  });
});

describe('decodeJsonData', () => {
  it("decodes a sink's PipelineJob log entry from the push body", () => {
    const { body } = loadFixture<{ body: unknown }>('2-vertex-pipeline-logs/sink-to-pubsub.push-body.json');
    const entry = decodeJsonData(body, PipelineJobLogEntry, 'PipelineJobLogEntry');
    expect(entry).toEqual(loadFixture('2-vertex-pipeline-logs/pipelinejob-logentry.failed.json'));
  });

  it('decodes what a Scheduler Pub/Sub job publishes', () => {
    const fixture = loadFixture<Record<string, Json>>(
      '3-cloud-scheduler/pubsub-target.job-and-published-message.json',
    );
    const ce = cloudEventFromBinary(
      fixture.as_received_by_2nd_gen_function as { headers: Record<string, string>; body: unknown },
    );
    expect(decodeJsonData(ce, z.looseObject({}), 'job data')).toEqual(fixture.decoded_data);
    expect(pubsubEventFrom(ce).attributes).toEqual({ trigger: 'nightly' });

    for (const schedule of SCHEDULES.filter((s) => s.topic === 'health-check-requests')) {
      const event = eventarcEvent(Buffer.from(JSON.stringify(schedule.body)));
      expect(decodeJsonData(event, HealthCheckRequest, 'HealthCheckRequest')).toEqual({
        trigger: 'schedule',
      });
    }
  });

  it('decodes a PubsubEvent and an EventBus ReceivedMessage alike', () => {
    const bytes = Buffer.from(JSON.stringify(samples.alert()));
    const event = pubsubEventFrom(eventarcEvent(bytes, { correlationId: 'corr-1' }, 'alerts'));
    expect(decodeJsonData(event, Alert, 'Alert')).toEqual(samples.alert());
    const received = {
      ackId: 'a1',
      id: '7',
      data: bytes,
      attributes: {},
      publishTime: NOW,
      deliveryAttempt: 1,
    };
    expect(decodeJsonData(received, Alert, 'Alert')).toEqual(samples.alert());
    expect(decodeJsonData({ ...received, data: new Uint8Array(bytes) }, Alert, 'Alert')).toEqual(
      samples.alert(),
    );
  });

  it('gives a distinct, field-naming error for each way data can be bad', () => {
    const cases: Array<[string, Json, string]> = [
      ['no data', eventarcEvent(undefined, { trigger: 'schedule' }), 'message.data is empty'],
      ['empty data', eventarcEvent(Buffer.alloc(0)), 'message.data is empty'],
      [
        'raw attribute-only envelope',
        ff().case_C_NOT_converted?.cloudEvent_received as Json,
        'message.data is empty',
      ],
      [
        'not base64',
        { message: { data: 'not base64!', messageId: '1' } },
        'message.data is not valid base64: unexpected character " " at position 3',
      ],
      [
        'padding inside',
        { message: { data: 'ab=c', messageId: '1' } },
        'message.data is not valid base64: padding "=" may only end the text',
      ],
      [
        'impossible length',
        { message: { data: 'abcde', messageId: '1' } },
        'message.data is not valid base64: length 5 is not a possible base64 length',
      ],
      ['not JSON', eventarcEvent(Buffer.from('trigger=schedule')), 'message.data is not JSON: '],
      [
        'not UTF-8',
        eventarcEvent(Buffer.from([0xff, 0xfe, 0x00])),
        'message.data is not JSON: it is not UTF-8 text (starts with bytes fffe00)',
      ],
    ];
    const messages = new Set<string>();
    for (const [label, received, reason] of cases) {
      const err = validationError(() => decodeJsonData(received, HealthCheckRequest, 'HealthCheckRequest'));
      expect({ label, message: err.message }).toEqual({
        label,
        message: expect.stringContaining(`HealthCheckRequest is invalid: ${reason}`),
      });
      expect(err.fields).toEqual(['message.data']);
      expect(err.retryable).toBe(false);
      messages.add(err.message.split(':').slice(0, 2).join(':'));
    }
    expect([...messages].sort()).toEqual([
      'HealthCheckRequest is invalid: message.data is empty (a message with attributes only?)',
      'HealthCheckRequest is invalid: message.data is not JSON',
      'HealthCheckRequest is invalid: message.data is not valid base64',
    ]);
  });

  it('echoes only the start of non-JSON data', () => {
    const err = validationError(() =>
      decodeJsonData(
        eventarcEvent(Buffer.from(`<html>${'x'.repeat(10000)}`)),
        HealthCheckRequest,
        'HealthCheckRequest',
      ),
    );
    expect(err.message.length).toBeLessThan(300);
    expect(err.message).toContain('(starts with "<html>xxx');
  });

  it('reports schema failures by field, through parseWith', () => {
    const event = eventarcEvent(Buffer.from('{"trigger":"cron","isbns":["978"]}'));
    const err = validationError(() => decodeJsonData(event, HealthCheckRequest, 'HealthCheckRequest'));
    expect(err.message).toBe(
      'HealthCheckRequest is invalid: trigger: must be one of schedule|manual|drill|sales-data (got "cron"); ' +
        'isbns.0: must be a valid ISBN-13 (13 digits, 978/979 prefix, correct check digit) (got "978")',
    );
    expect(err.fields).toEqual(['trigger', 'isbns.0']);
  });

  it('prints how fast it decodes and validates (a figure, not a limit)', () => {
    const events = Array.from({ length: 2000 }, (_, i) =>
      eventarcEvent(
        Buffer.from(JSON.stringify({ ...samples.alert(), runId: `run-${i}` })),
        { correlationId: `c-${i}` },
        'alerts',
      ),
    );
    const started = process.hrtime.bigint();
    const decoded = events.map((e) => decodeJsonData(e, Alert, 'Alert'));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(decoded[1999]?.runId).toBe('run-1999');
    reportFigure(
      'contracts',
      'decodeJsonData(Alert CloudEvent)',
      `${events.length} in ${ms.toFixed(0)} ms, ${((ms * 1000) / events.length).toFixed(1)} µs each`,
    );
  });
});

describe('decodeBase64', () => {
  it('accepts standard, URL-safe and unpadded text alike', () => {
    const bytes = Buffer.from([0xfb, 0xff, 0xbf, 0x01]);
    expect(decodeBase64(bytes.toString('base64'))).toEqual(bytes);
    expect(decodeBase64(bytes.toString('base64url'))).toEqual(bytes);
    expect(decodeBase64(bytes.toString('base64').replace(/=+$/, ''))).toEqual(bytes);
  });
});
