import { PubsubMessage, PubsubPushBody } from '../../../../shared/contracts/external/pubsub-message';
import { parseWith, safeParseWith } from '../../../../shared/contracts/parse';
import { loadFixture } from '../../../helpers/gcp-fixtures';

describe('PubsubPushBody', () => {
  it('parses a production push, snake_case duplicates and all', () => {
    const body = parseWith(
      PubsubPushBody,
      loadFixture('1-pubsub-cloudevents/pubsub-push.production.json'),
      'push',
    );
    expect(body.subscription).toBe('projects/myproject/subscriptions/mysubscription');
    expect(body.message.messageId).toBe('2070443601311540');
    expect(body.message.message_id).toBe('2070443601311540');
    expect(body.message.publishTime).toBe('2021-02-26T19:13:55.749Z');
    expect(body.message.attributes).toEqual({ key: 'value' });
  });

  it('parses both emulator pushes: no publishTime, counter ids, empty attributes', () => {
    const fixture = loadFixture<Record<string, unknown>>('1-pubsub-cloudevents/pubsub-push.emulator.json');
    const doc = parseWith(PubsubPushBody, fixture.emulator_doc_example, 'push');
    expect(doc.message).toEqual({ data: 'TWVzc2FnZSBudW1iZXIgMQ==', messageId: '10', attributes: {} });
    const ff = parseWith(PubsubPushBody, fixture.functions_framework_fixture, 'push');
    expect(ff.message.publishTime).toBeUndefined();
    expect(ff.message.messageId).toBe('1');
  });

  it('parses the envelope a log sink publishes', () => {
    const { body } = loadFixture<{ body: unknown }>('2-vertex-pipeline-logs/sink-to-pubsub.push-body.json');
    const push = parseWith(PubsubPushBody, body, 'push');
    expect(push.message.attributes).toEqual({
      'logging.googleapis.com/timestamp': '2024-05-01T10:42:17.401235Z',
    });
  });

  it('keeps fields it does not read (message @type)', () => {
    const message = parseWith(
      PubsubMessage,
      loadFixture<{ message: unknown }>('1-pubsub-cloudevents/messagePublishedData.duplicated-fields.json')
        .message,
      'message',
    );
    expect(message['@type']).toBe('type.googleapis.com/google.pubsub.v1.PubsubMessage');
  });

  it.each([
    [
      { message: { data: 'eA==' }, subscription: 'projects/p/subscriptions/s' },
      'message.messageId: is required',
    ],
    [
      { message: { messageId: '1' }, subscription: 'p/s' },
      'subscription: must be projects/{project}/subscriptions/{subscription} (got "p/s")',
    ],
    [
      { message: { messageId: '1', attributes: { n: 1 } }, subscription: 'projects/p/subscriptions/s' },
      'message.attributes.n: must be a string (got 1)',
    ],
    [
      { message: { messageId: '1', publishTime: 'yesterday' }, subscription: 'projects/p/subscriptions/s' },
      'message.publishTime: must be an RFC 3339 date-time',
    ],
    [
      { message: { messageId: '1' }, subscription: 'projects/p/subscriptions/s', deliveryAttempt: 0 },
      'deliveryAttempt: must be >= 1 (got 0)',
    ],
    [{ subscription: 'projects/p/subscriptions/s' }, 'message: is required'],
  ])('rejects %j: %s', (value, reason) => {
    const result = safeParseWith(PubsubPushBody, value, 'Pub/Sub push');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toContain(`Pub/Sub push is invalid: ${reason}`);
  });

  it('accepts a message whose id comes only as message_id', () => {
    expect(parseWith(PubsubMessage, { message_id: '7' }, 'message').message_id).toBe('7');
  });
});
