import {
  MessagePublishedData,
  PUBSUB_MESSAGE_PUBLISHED,
  PubsubCloudEvent,
  topicFromSource,
} from '../../../../shared/contracts/external/cloud-event';
import { parseWith, safeParseWith } from '../../../../shared/contracts/parse';
import { loadFixture } from '../../../helpers/gcp-fixtures';

describe('PubsubCloudEvent', () => {
  it('parses the structured Eventarc example', () => {
    const ce = parseWith(
      PubsubCloudEvent,
      loadFixture('1-pubsub-cloudevents/eventarc-pubsub-cloudevent.structured.json'),
      'ce',
    );
    expect(ce.type).toBe(PUBSUB_MESSAGE_PUBLISHED);
    expect(ce.data.subscription).toBe('projects/test-project/subscriptions/my-subscription');
    expect(ce.data.message.orderingKey).toBe('ordering-key');
    expect(ce.datacontenttype).toBe('application/json');
  });

  it('parses the binary event as the functions framework hands it over (no datacontenttype)', () => {
    const fixture = loadFixture<Record<string, Record<string, unknown>>>(
      '1-pubsub-cloudevents/eventarc-pubsub-cloudevent.binary-http.json',
    );
    const { _note, ...received } = fixture.cloudEvent_as_seen_by_functions_framework_nodejs ?? {};
    expect(_note).toBeDefined();
    const ce = parseWith(PubsubCloudEvent, received, 'ce');
    expect(ce.datacontenttype).toBeUndefined();
    expect(ce.data).toEqual(fixture.body);
  });

  it('rejects another event type, naming the field', () => {
    const ce = loadFixture('1-pubsub-cloudevents/eventarc-pubsub-cloudevent.structured.json');
    const result = safeParseWith(
      PubsubCloudEvent,
      { ...ce, type: 'google.cloud.storage.object.v1.finalized' },
      'ce',
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.message).toBe(
        'ce is invalid: type: must be google.cloud.pubsub.topic.v1.messagePublished (got "google.cloud.storage.object.v1.finalized")',
      );
    }
  });
});

describe('MessagePublishedData', () => {
  it('parses the duplicated-fields example and deliveryAttempt', () => {
    const data = loadFixture('1-pubsub-cloudevents/messagePublishedData.duplicated-fields.json');
    const parsed = parseWith(MessagePublishedData, { ...data, deliveryAttempt: 3 }, 'data');
    expect(parsed.message.publish_time).toBe('2021-02-05T04:06:14.109Z');
    expect(parsed.deliveryAttempt).toBe(3);
  });
});

describe('topicFromSource', () => {
  it('reads the topic id, or nothing when the push URL named none', () => {
    expect(topicFromSource('//pubsub.googleapis.com/projects/test-project/topics/my-topic')).toBe('my-topic');
    expect(topicFromSource('//pubsub.googleapis.com/')).toBeUndefined();
    expect(topicFromSource(undefined)).toBeUndefined();
  });
});
