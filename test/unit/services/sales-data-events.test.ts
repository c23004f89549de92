/**
 * sales-data-events over the embedded bus and state store: a new sales
 * object becomes one health-check request for exactly the books in it;
 * deletes, other prefixes and non-CSV names are ignored with a reason;
 * a second notification of the same generation asks for nothing more;
 * what is malformed or unreadable is dead-lettered, not retried forever.
 */
import { NotSalesSourceError } from '../../../shared/errors';
import { SqliteEventBus } from '../../../shared/adapters/local/sqlite-event-bus';
import { SqliteStateStore } from '../../../shared/adapters/local/sqlite-state-store';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import { HealthCheckRequest } from '../../../shared/contracts/messages/health-check-request';
import { BackendUnavailableError, NotFoundError } from '../../../shared/errors';
import { createSilentLogger } from '../../../shared/logging/capture';
import type { Clock } from '../../../shared/ports/clock';
import type { SalesData, SalesSource } from '../../../shared/ports/sales-data';
import {
  handleSalesDataDelivery,
  LOCAL_SALES_BUCKET,
  type SalesDataEventsSettings,
} from '../../../shared/services/sales-data-events';
import { ensureTopology } from '../../../shared/wiring/topology-setup';
import { loadFixture } from '../../helpers/gcp-fixtures';

type PushBody = {
  message: { attributes: Record<string, string>; data?: string; messageId: string; message_id?: string };
};
const fx = loadFixture<{ body: PushBody; body_first_upload: PushBody }>(
  '7-cloud-storage/notification.object-finalize.pubsub-push.json',
);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const clock: Clock = { now: () => new Date('2025-08-14T12:06:00Z'), sleep: async () => {} };
const DROP_ISBNS = ['9780007117116', '9780722532935', '9780747532743'];
const SETTINGS: SalesDataEventsSettings = { prefix: 'raw_data/' };

/** A SalesData whose one drop (uri + generation) holds DROP_ISBNS; it records what it was asked. */
class DropSales implements SalesData {
  asked: SalesSource[] = [];
  failWith?: Error;
  constructor(private readonly drops: Record<string, string[]>) {}
  async listIsbns(): Promise<string[]> {
    return [];
  }
  async getSeries(): Promise<undefined> {
    return undefined;
  }
  async isbnsIn(source: SalesSource): Promise<string[]> {
    this.asked.push(source);
    if (this.failWith) throw this.failWith;
    const isbns = this.drops[`${source.uri}#${source.generation}`];
    if (!isbns) throw new NotFoundError(`${source.uri} generation ${source.generation} does not exist`);
    return isbns;
  }
}

function attributesOnly(objectId: string, extra: Record<string, string> = {}): PushBody {
  const body = clone(fx.body_first_upload);
  delete body.message.data;
  Object.assign(body.message.attributes, { payloadFormat: 'NONE', objectId, ...extra });
  return body;
}

describe('sales-data-events', () => {
  let bus: SqliteEventBus;
  let state: SqliteStateStore;
  let sales: DropSales;

  beforeEach(async () => {
    bus = SqliteEventBus.open(':memory:');
    state = new SqliteStateStore(':memory:', { clock });
    await ensureTopology(bus);
    for (const topic of ['health-check-requests', 'sales-data-updates-dead-letter']) {
      await bus.ensureSubscription({
        name: `tap-${topic}`,
        topic,
        ackDeadlineSeconds: 10,
        maxDeliveryAttempts: 5,
        minBackoffSeconds: 10,
        maxBackoffSeconds: 600,
      });
    }
    sales = new DropSales({
      'gs://example-book-sales-artifacts/raw_data/UK_weekly_data.csv#1755173141123456': DROP_ISBNS,
    });
  });

  afterEach(async () => {
    await bus.close();
    await state.close();
  });

  const deps = () => ({ sales, state, bus, clock, logger: createSilentLogger() });
  const requests = async () =>
    (await bus.pull('tap-health-check-requests', 50)).map((m) => ({
      request: HealthCheckRequest.parse(JSON.parse(m.data.toString('utf8'))),
      attributes: m.attributes,
    }));
  const deadLetters = async () => bus.pull('tap-sales-data-updates-dead-letter', 50);

  it('asks for a health check of exactly the books in the drop, pinned to the generation that landed', async () => {
    const outcome = await handleSalesDataDelivery(clone(fx.body), deps(), SETTINGS);
    expect(outcome).toMatchObject({ outcome: 'requested', isbns: DROP_ISBNS });
    expect(sales.asked).toEqual([
      {
        uri: 'gs://example-book-sales-artifacts/raw_data/UK_weekly_data.csv',
        generation: '1755173141123456',
      },
    ]);
    const [one, ...more] = await requests();
    expect(more).toHaveLength(0);
    expect(one!.request).toMatchObject({ trigger: 'sales-data', isbns: DROP_ISBNS, onlyServed: true });
    expect(one!.request.reason).toBe(
      'sales drop gs://example-book-sales-artifacts/raw_data/UK_weekly_data.csv#1755173141123456 (replaced #1755075602654321)',
    );
    expect(one!.request.requestId).toMatch(/^sales-[0-9a-f]{32}$/);
    expect(one!.attributes.correlationId).toBe(one!.request.correlationId);
    expect(one!.attributes.salesEventTime).toBe('2025-08-14T12:05:41.122981Z');
  });

  it('handles a first upload and an attribute-only (NONE) notification alike', async () => {
    await handleSalesDataDelivery(clone(fx.body_first_upload), deps(), SETTINGS);
    expect((await requests())[0]!.request.reason).not.toMatch(/replaced/);
    await state.delete(
      COLLECTIONS.processedMessages,
      (await state.query(COLLECTIONS.processedMessages))[0]!.id,
    );
    const outcome = await handleSalesDataDelivery(
      attributesOnly('raw_data/UK_weekly_data.csv'),
      deps(),
      SETTINGS,
    );
    expect(outcome).toMatchObject({ outcome: 'requested', isbns: DROP_ISBNS });
  });

  it('asks once for one generation: a redelivery and a second notification under another message id are duplicates', async () => {
    const first = await handleSalesDataDelivery(clone(fx.body), deps(), SETTINGS);
    expect(await handleSalesDataDelivery(clone(fx.body), deps(), SETTINGS)).toEqual({ outcome: 'duplicate' });
    const again = clone(fx.body);
    again.message.messageId = again.message.message_id = '42';
    expect(await handleSalesDataDelivery(again, deps(), SETTINGS)).toEqual({ outcome: 'duplicate' });
    expect(await requests()).toHaveLength(1);
    expect(first.outcome).toBe('requested');
  });

  it('treats the Eventarc event of the same generation as the same drop: same books, one request', async () => {
    const object = JSON.parse(Buffer.from(fx.body.message.data!, 'base64').toString('utf8')) as Record<
      string,
      unknown
    >;
    const eventarc = {
      specversion: '1.0',
      type: 'google.cloud.storage.object.v1.finalized',
      source: '//storage.googleapis.com/projects/_/buckets/example-book-sales-artifacts',
      subject: 'objects/raw_data/UK_weekly_data.csv',
      id: '8352117402935581',
      time: '2025-08-14T12:05:41.123Z',
      data: { ...object, generation: Number(object.generation), size: Number(object.size) },
    };
    expect(await handleSalesDataDelivery(eventarc, deps(), SETTINGS)).toMatchObject({
      outcome: 'requested',
      isbns: DROP_ISBNS,
      source: {
        uri: 'gs://example-book-sales-artifacts/raw_data/UK_weekly_data.csv',
        generation: '1755173141123456',
      },
    });
    expect(await handleSalesDataDelivery(clone(fx.body), deps(), SETTINGS)).toEqual({ outcome: 'duplicate' });
    expect(await requests()).toHaveLength(1);
  });

  it('names the run after the generation, so a publish repeated after a crash asks for the same run', async () => {
    const a = await handleSalesDataDelivery(clone(fx.body), deps(), SETTINGS);
    await state.delete(
      COLLECTIONS.processedMessages,
      (await state.query(COLLECTIONS.processedMessages))[0]!.id,
    );
    const b = await handleSalesDataDelivery(clone(fx.body), deps(), SETTINGS);
    const [ra, rb] = await requests();
    expect(ra!.request.requestId).toBe(rb!.request.requestId);
    expect(ra!.request.correlationId).toBe(rb!.request.correlationId);
    expect(a.outcome).toBe('requested');
    expect(b.outcome).toBe('requested');
  });

  it.each([
    ['OBJECT_DELETE', { eventType: 'OBJECT_DELETE' }, /OBJECT_DELETE brings no new rows/],
    ['OBJECT_ARCHIVE', { eventType: 'OBJECT_ARCHIVE' }, /OBJECT_ARCHIVE brings no new rows/],
    ['OBJECT_METADATA_UPDATE', { eventType: 'OBJECT_METADATA_UPDATE' }, /brings no new rows/],
    [
      'outside the prefix',
      { objectId: 'models/arima_book_9780722532935.pkl' },
      /outside the sales prefix "raw_data\/"/,
    ],
    ['not a CSV', { objectId: 'raw_data/_SUCCESS' }, /is not a \.csv file/],
  ])('ignores %s with the reason, asking for nothing', async (_label, attrs, reason) => {
    const { objectId, ...rest } = { objectId: 'raw_data/UK_weekly_data.csv', ...attrs } as Record<
      string,
      string
    >;
    const outcome = await handleSalesDataDelivery(attributesOnly(objectId!, rest), deps(), SETTINGS);
    expect(outcome.outcome).toBe('ignored');
    expect((outcome as { reason: string }).reason).toMatch(reason);
    expect(sales.asked).toEqual([]);
    expect(await requests()).toHaveLength(0);
    expect(await deadLetters()).toHaveLength(0);
  });

  it('ignores a file beside the sales that the source does not read (ISBN_data.csv), without a dead letter', async () => {
    sales.failWith = new NotSalesSourceError(
      'sales source gs://b/raw_data/ISBN_data.csv is not under gs://b/raw_data/UK_weekly_data.csv, the source this backend reads',
    );
    const outcome = await handleSalesDataDelivery(attributesOnly('raw_data/ISBN_data.csv'), deps(), SETTINGS);
    expect(outcome.outcome).toBe('ignored');
    expect((outcome as { reason: string }).reason).toMatch(/is not under .*the source this backend reads/);
    expect(await requests()).toHaveLength(0);
    expect(await deadLetters()).toHaveLength(0);
  });

  it('dead-letters a malformed notification with the reason, once, and asks for nothing', async () => {
    const body = clone(fx.body);
    delete body.message.attributes.objectGeneration;
    const outcome = await handleSalesDataDelivery(body, deps(), SETTINGS);
    expect(outcome.outcome).toBe('dead-lettered');
    const [letter, ...more] = await deadLetters();
    expect(more).toHaveLength(0);
    expect(letter!.attributes.deadLetterReason).toMatch(/attributes.*objectGeneration/);
    expect(letter!.attributes.deadLetterConsumer).toBe('sales-data-events');
    expect(letter!.attributes.deadLetterSourceMessageId).toBe('15531887492217716');
    // The original is kept whole, so `dead-letters replay` can send it again once fixed.
    expect(letter!.attributes.bucketId).toBe('example-book-sales-artifacts');
    expect(letter!.data.toString('base64')).toBe(body.message.data);
    expect(await requests()).toHaveLength(0);
  });

  it('dead-letters a generation that no longer exists, and asks for redelivery when storage is unreachable', async () => {
    const gone = attributesOnly('raw_data/UK_weekly_data.csv', { objectGeneration: '1755173141000000' });
    const outcome = await handleSalesDataDelivery(gone, deps(), SETTINGS);
    expect(outcome.outcome).toBe('dead-lettered');
    expect((await deadLetters())[0]!.attributes.deadLetterReason).toMatch(
      /gs:\/\/example-book-sales-artifacts\/raw_data\/UK_weekly_data\.csv#1755173141000000: NotFoundError/,
    );
    sales.failWith = new BackendUnavailableError('storage.googleapis.com: 503', 'gcs-sales-data');
    await expect(handleSalesDataDelivery(clone(fx.body), deps(), SETTINGS)).rejects.toThrow(/503/);
    expect(await state.query(COLLECTIONS.processedMessages)).toHaveLength(0);
  });

  it('reads objects of the local stack bucket from the local sales folder on the embedded backend only', async () => {
    const local = attributesOnly('sales.csv', {
      bucketId: LOCAL_SALES_BUCKET,
      notificationConfig: `projects/_/buckets/${LOCAL_SALES_BUCKET}/notificationConfigs/forecast-guard-up`,
    });
    sales = new DropSales({ '/tmp/fg-state/sales.csv#1755173141123456': DROP_ISBNS });
    expect(
      await handleSalesDataDelivery(clone(local), deps(), { prefix: '', localRoot: '/tmp/fg-state' }),
    ).toMatchObject({ outcome: 'requested', source: { uri: '/tmp/fg-state/sales.csv' } });
    await handleSalesDataDelivery(
      clone(local),
      { ...deps(), state: new SqliteStateStore(':memory:') },
      { prefix: '' },
    );
    expect(sales.asked.at(-1)!.uri).toBe('gs://local/sales.csv');
  });
});
