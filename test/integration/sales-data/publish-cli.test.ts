/**
 * `forecast-guard publish sales-data-updates`: an operator (or a script)
 * publishes a Cloud Storage notification by hand, in its documented form:
 * the attributes with `--attr`, the object resource in `--file`, or no file
 * for payloadFormat NONE. It is checked as sales-data-events will read it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUEUE_DB_FILE } from '../../../shared/wiring/backend';
import { SqliteEventBus } from '../../../shared/adapters/local/sqlite-event-bus';
import { storageEventFrom } from '../../../shared/contracts/external/storage-notification';
import { ensureTopology } from '../../../shared/wiring/topology-setup';
import { runCli } from '../../helpers/cli';

const PAIRS = [
  'notificationConfig=projects/_/buckets/example-book-sales-artifacts/notificationConfigs/1',
  'eventType=OBJECT_FINALIZE',
  'bucketId=example-book-sales-artifacts',
  'objectId=raw_data/UK_weekly_data.csv',
  'objectGeneration=1755173141123456',
  'eventTime=2025-08-14T12:05:41.122981Z',
];
const attrFlags = (pairs: string[]) => pairs.flatMap((a) => ['--attr', a]);
const ATTRS = attrFlags(PAIRS);

describe('forecast-guard publish sales-data-updates', () => {
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fg-publish-sales-'));
    env = { FG_STATE_DIR: dir, FG_LOG_LEVEL: 'error' };
    const bus = SqliteEventBus.open(join(dir, QUEUE_DB_FILE));
    await ensureTopology(bus);
    await bus.ensureSubscription({
      name: 'tap',
      topic: 'sales-data-updates',
      ackDeadlineSeconds: 10,
      maxDeliveryAttempts: 5,
      minBackoffSeconds: 10,
      maxBackoffSeconds: 600,
    });
    await bus.close();
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function published() {
    const bus = SqliteEventBus.open(join(dir, QUEUE_DB_FILE));
    try {
      return (await bus.pull('tap', 10)).map((m) =>
        storageEventFrom({
          message: {
            messageId: m.id,
            attributes: m.attributes,
            ...(m.data.length ? { data: m.data.toString('base64') } : {}),
          },
        }),
      );
    } finally {
      await bus.close();
    }
  }

  it('publishes a JSON_API_V1 notification that decodes as Cloud Storage would have sent it', async () => {
    const object = join(dir, 'object.json');
    writeFileSync(
      object,
      JSON.stringify({
        kind: 'storage#object',
        bucket: 'example-book-sales-artifacts',
        name: 'raw_data/UK_weekly_data.csv',
        generation: '1755173141123456',
        size: '5728',
      }),
    );
    const res = await runCli(
      env,
      'publish',
      'sales-data-updates',
      '--file',
      object,
      ...ATTRS,
      '--attr',
      'payloadFormat=JSON_API_V1',
    );
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const [event] = await published();
    expect(event).toMatchObject({
      name: 'raw_data/UK_weekly_data.csv',
      generation: '1755173141123456',
      object: { size: '5728' },
    });
  });

  it('publishes an attribute-only notification (payloadFormat NONE) without --file', async () => {
    const res = await runCli(env, 'publish', 'sales-data-updates', ...ATTRS, '--attr', 'payloadFormat=NONE');
    expect(res.code).toBe(0);
    const [event] = await published();
    expect(event).toMatchObject({ bucket: 'example-book-sales-artifacts', generation: '1755173141123456' });
    expect(event!.object).toBeUndefined();
  });

  it('refuses a notification the function would dead-letter, naming the field, and publishes nothing', async () => {
    const res = await runCli(
      env,
      'publish',
      'sales-data-updates',
      ...attrFlags([...PAIRS.filter((a) => !a.startsWith('objectGeneration=')), 'payloadFormat=NONE']),
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/objectGeneration/);
    expect(await published()).toEqual([]);
  });
});
