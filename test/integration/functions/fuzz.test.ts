/**
 * Fuzz: hostile deliveries to every Pub/Sub-triggered function, through the
 * real functions framework on the embedded backend with a seeded fleet. At
 * least 200 per topic, generated with fast-check from the topic's zod
 * contract (test/helpers/hostile-messages.ts), each sent as a Pub/Sub push,
 * a structured CloudEvent or a binary CloudEvent (Eventarc's form). Each one
 * must be acked and dead-lettered on `<topic>-dead-letter` with a reason;
 * nothing may crash (every request answered, no unhandled rejection), and
 * nothing else may happen: no document or fleet row changed, nothing
 * published anywhere but that dead-letter topic, no prototype polluted.
 * The seed is fixed: a failure replays exactly (FG_FUZZ_SEED overrides it).
 *
 * Bodies are JSON objects, as Pub/Sub and Eventarc send: the framework itself
 * answers anything else (a bare JSON string: 400; text/plain: 500 from its
 * event-conversion middleware) before any function code runs.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import type { z } from 'zod';
// Registers every function, as loading the bundle does; runtimes read the env at the first event.
import '../../../functions';
import { fleetDbPath } from '../../../shared/adapters/local/fleet-db';
import { stateDbPath } from '../../../shared/adapters/local/sqlite-state-store';
import { TOPIC_MESSAGES } from '../../../shared/contracts/topic-messages';
import { PUBSUB_LIMITS, type EventBus, type ReceivedMessage } from '../../../shared/ports/event-bus';
import {
  deadLetterSubscriptionOf,
  deadLetterTopicOf,
  DELIVERY,
  FUNCTIONS,
  TOPICS,
  type TopicName,
} from '../../../shared/topology';
import { closeFunctionRuntimes } from '../../../shared/wiring/function-runtime';
import { reportFigure } from '../../helpers/figures';
import { startFunctionServer, type FunctionServer } from '../../helpers/function-server';
import { loadFixture } from '../../helpers/gcp-fixtures';
import { useFunctionEnv, type FunctionEnv } from '../../helpers/function-env';
import {
  brokenBytes,
  brokenPayloads,
  deepArrayText,
  fieldsOf,
  isInvalidData,
  notBase64,
  oddString,
  rawToken,
  setAt,
  toJsonText,
} from '../../helpers/hostile-messages';
import * as samples from '../../unit/contracts/samples';
import { openWorld, seedBook, type TestWorld } from '../rollback/helpers/fleet';

const SEED = Number(process.env.FG_FUZZ_SEED ?? 20261202);
const PAYLOAD_CASES = 170;
const BYTE_CASES = 40;
const TAP = (topic: string) => `fuzz-tap--${topic}`;

interface Case {
  kind: string;
  /** What reaches the function: a push body, or a CloudEvent (structured or binary). */
  mode: 'push' | 'structured' | 'binary';
  body: string;
  headers: Record<string, string>;
  /** The message id the dead letter must name; undefined when the envelope carries none usable. */
  messageId?: string;
}

const consuming = FUNCTIONS.filter((f) => f.trigger !== undefined);

/** A valid payload per topic, aimed at a real seeded book, for mutations to start from. */
function validPayload(topic: TopicName, isbn: string): unknown {
  switch (topic) {
    case 'health-check-requests':
      return { ...samples.healthCheckRequest(), isbns: [isbn] };
    case 'daily-summary-requests':
      return samples.dailySummaryRequest();
    case 'alerts':
      return { ...samples.alert(), isbn };
    case 'model-deployments':
      return { ...samples.modelDeployed(), isbn };
    case 'rollback-requests':
      return { ...samples.rollbackRequest(), scope: { isbns: [isbn] } };
    case 'pipeline-events':
      return loadFixture('2-vertex-pipeline-logs/pipelinejob-logentry.failed.json');
    case 'cloud-builds':
      return loadFixture<{ decoded_data: unknown }>('6-cloud-build/cloud-builds.push-body.failure.json')
        .decoded_data;
    case 'sales-data-updates': {
      // The object resource of a JSON_API_V1 notification (its meaning is in attributes the fuzz never forges whole).
      const push = loadFixture<{ body: { message: { data: string } } }>(
        '7-cloud-storage/notification.object-finalize.pubsub-push.json',
      );
      return JSON.parse(Buffer.from(push.body.message.data, 'base64').toString('utf8'));
    }
    default:
      throw new Error(`no consumer for ${topic}`);
  }
}

/** Attributes a push may carry: within Pub/Sub's limits, odd unicode, pollution keys, the odd forged excess. */
const attributesArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({}) },
  { weight: 3, arbitrary: fc.dictionary(oddString, oddString, { maxKeys: 5 }) },
  {
    weight: 1,
    arbitrary: fc.constant(
      Object.fromEntries(
        Array.from({ length: PUBSUB_LIMITS.maxAttributes }, (_, i) => [
          `k${i}-${'é'.repeat(120)}`,
          '€'.repeat(341) + 'a',
        ]),
      ),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      JSON.parse('{"__proto__":"x","constructor":"y","prototype":"z","correlationId":"\\u202Eevil"}'),
      { correlationId: 'x'.repeat(1024), deadLetterReason: 'forged', googReserved: 'v' },
      Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`extra${i}`, 'v'])),
      { ['k'.repeat(300)]: 'v'.repeat(2000) },
    ),
  },
);

/** Ways the envelope around the message can be wrong (the message's data is already invalid). */
const envelopeFault = fc.constantFrom(
  'none',
  'none',
  'none',
  'none',
  'messageId missing',
  'messageId number',
  'messageId object',
  'messageId empty',
  'messageId huge',
  'attributes array',
  'attributes string',
  'attribute not a string',
  'data number',
  'data object',
  'message null',
  'message array',
  'publishTime garbage',
  'deliveryAttempt garbage',
  'body array',
  'ce type wrong',
  'ce data string',
  'attributes deep',
  'unknown field deep',
);

function deliver(
  topic: string,
  mode: Case['mode'],
  id: string,
  data: string | undefined,
  attributes: Record<string, unknown>,
  fault: string,
): Case {
  let message: unknown = {
    ...(data !== undefined ? { data } : {}),
    attributes,
    messageId: id,
    message_id: id,
    publishTime: '2024-05-01T10:00:00.000Z',
  };
  let messageId: string | undefined = id;
  const m = message as Record<string, unknown>;
  switch (fault) {
    case 'messageId missing':
      delete m.messageId;
      delete m.message_id;
      messageId = undefined;
      break;
    case 'messageId number':
      m.messageId = 42;
      m.message_id = 42;
      messageId = undefined;
      break;
    case 'messageId object':
      m.messageId = JSON.parse('{"__proto__":{"polluted":"yes"}}');
      m.message_id = m.messageId;
      messageId = undefined;
      break;
    case 'messageId empty':
      m.messageId = '';
      m.message_id = '';
      messageId = undefined;
      break;
    case 'messageId huge':
      m.messageId = `${id}-${'\u202E'.repeat(2000)}`;
      m.message_id = m.messageId;
      messageId = undefined; // accepted or refused; the dead letter's copy is cut to fit either way
      break;
    case 'attributes array':
      m.attributes = [attributes];
      break;
    case 'attributes string':
      m.attributes = 'a=b';
      break;
    case 'attribute not a string':
      m.attributes = { ...attributes, n: 1, o: { __proto__: null } };
      break;
    case 'data number':
      m.data = 12345;
      break;
    case 'data object':
      m.data = JSON.parse('{"__proto__":{"polluted":"yes"}}');
      break;
    case 'message null':
      message = null;
      messageId = undefined;
      break;
    case 'message array':
      message = [message];
      messageId = undefined;
      break;
    case 'publishTime garbage':
      m.publishTime = { seconds: 'x' };
      break;
    case 'deliveryAttempt garbage':
      break;
    case 'attributes deep':
      m.attributes = rawToken(deepArrayText(50_000));
      break;
    case 'unknown field deep':
      m.extra = rawToken(deepArrayText(50_000));
      break;
    default:
      break;
  }
  const envelope: Record<string, unknown> = {
    message,
    subscription: `projects/demo/subscriptions/${topic}--fuzz`,
    ...(fault === 'deliveryAttempt garbage' ? { deliveryAttempt: '\u0000' } : {}),
  };
  if (fault === 'body array') {
    return {
      kind: fault,
      mode,
      body: toJsonText([envelope]),
      headers: { 'content-type': 'application/json' },
    };
  }
  const ceType =
    fault === 'ce type wrong'
      ? 'google.cloud.storage.object.v1.finalized'
      : 'google.cloud.pubsub.topic.v1.messagePublished';
  // A binary CloudEvent's body is the JSON body itself: the framework's parser answers 400 to a
  // bare JSON string before any function runs (Eventarc never sends one), so it gets a bad message instead.
  const ceData =
    fault === 'ce data string'
      ? mode === 'binary'
        ? { message: 'not an object' }
        : 'not an object'
      : envelope;
  // Header values are bytes: an id with unicode in it can only travel in the body.
  const ceId = typeof m.messageId === 'string' && /^[\x21-\x7e]+$/.test(m.messageId) ? m.messageId : 'ce-id';
  if (mode === 'structured') {
    return {
      kind: fault,
      mode,
      body: toJsonText({
        specversion: '1.0',
        type: ceType,
        source: `//pubsub.googleapis.com/projects/demo/topics/${topic}`,
        id: ceId,
        time: '2024-05-01T10:00:00.000Z',
        datacontenttype: 'application/json',
        data: ceData,
      }),
      headers: { 'content-type': 'application/cloudevents+json' },
      messageId: fault === 'none' ? messageId : undefined,
    };
  }
  if (mode === 'binary') {
    return {
      kind: fault,
      mode,
      body: toJsonText(ceData),
      headers: {
        'content-type': 'application/json',
        'ce-id': ceId,
        'ce-specversion': '1.0',
        'ce-type': ceType,
        'ce-source': `//pubsub.googleapis.com/projects/demo/topics/${topic}`,
        'ce-time': '2024-05-01T10:00:00.000Z',
      },
      messageId: fault === 'none' ? messageId : undefined,
    };
  }
  return {
    kind: fault,
    mode,
    body: toJsonText(envelope),
    headers: { 'content-type': 'application/json' },
    messageId: fault === 'none' ? messageId : undefined,
  };
}

/** The generated cases of one topic, reproducible from SEED. */
function casesFor(topic: TopicName, index: number, isbn: string): Case[] {
  const schema = TOPIC_MESSAGES[topic].schema as z.ZodType;
  const valid = validPayload(topic, isbn);
  expect(schema.safeParse(valid).success).toBe(true);
  const modes = fc.constantFrom<Case['mode']>('push', 'structured', 'binary');
  const seed = SEED + index;

  const payloadCases = fc
    .sample(
      fc
        .tuple(brokenPayloads(schema, valid), attributesArb, envelopeFault, modes)
        .map(([m, attributes, fault, mode]) => ({
          m,
          attributes,
          fault,
          mode,
          data: Buffer.from(toJsonText(m.payload)),
        }))
        // Only invalid messages: one the schema accepts is dropped, never sent.
        .filter((c) => isInvalidData(schema, c.data) && c.data.length <= PUBSUB_LIMITS.maxMessageBytes),
      { seed, numRuns: PAYLOAD_CASES },
    )
    .map((c, i) => ({
      ...deliver(topic, c.mode, `fuzz-${topic}-p${i}`, c.data.toString('base64'), c.attributes, c.fault),
      kind: `${c.m.kind} / ${c.fault}`,
    }));

  const byteCases = fc
    .sample(
      fc.tuple(
        fc.oneof(
          brokenBytes.map((b) => ({ kind: b.kind, data: b.bytes.toString('base64') as string | undefined })),
          notBase64.map((s) => ({ kind: 'not base64', data: s as string | undefined })),
          fc.constant({ kind: 'no data', data: undefined as string | undefined }),
          fc.constant({ kind: 'empty data', data: '' as string | undefined }),
        ),
        attributesArb,
        modes,
      ),
      { seed: seed + 1000, numRuns: BYTE_CASES },
    )
    .map(([b, attributes, mode], i) => {
      // An attribute-only message needs an attribute to be a Pub/Sub message at all.
      const attrs =
        b.data === undefined || b.data === '' ? { ...attributes, only: 'attributes' } : attributes;
      const c = deliver(topic, mode, `fuzz-${topic}-b${i}`, b.data, attrs, 'none');
      // Data that is not base64 fails with the envelope, before the message id is read: such a
      // dead letter names no source message (it is parked all the same, with the reason).
      return { ...c, kind: b.kind, messageId: b.kind === 'not base64' ? undefined : c.messageId };
    });
  for (const c of byteCases) {
    const data = (JSON.parse(c.body) as { message?: { data?: string } }).message?.data;
    if (data && /^[A-Za-z0-9+/]*={0,2}$/.test(data))
      expect(isInvalidData(schema, Buffer.from(data, 'base64'))).toBe(true);
  }

  // Oversized: close to Pub/Sub's 10 MB (the largest a push can carry), invalid JSON and an invalid payload.
  // The huge string goes where the schema wants an enum, a constant or a pattern: never valid.
  const strict = fieldsOf(schema).find(
    (f) => f.schema.enum || f.schema.const !== undefined || f.schema.pattern,
  );
  const bigString = setAt(valid, strict!.path, 'x'.repeat(9_000_000));
  const big = Buffer.from(toJsonText(bigString));
  expect(isInvalidData(schema, big)).toBe(true);
  const bigCases = [
    {
      ...deliver(topic, 'push', `fuzz-${topic}-big1`, big.toString('base64'), {}, 'none'),
      kind: '9 MB payload',
    },
    {
      ...deliver(
        topic,
        'binary',
        `fuzz-${topic}-big2`,
        Buffer.alloc(PUBSUB_LIMITS.maxMessageBytes - 100, 0x7b).toString('base64'),
        {},
        'none',
      ),
      kind: '10 MB of "{"',
    },
  ];
  return [...payloadCases, ...byteCases, ...bigCases];
}

describe('fuzz: hostile messages to every consuming function', () => {
  let world: TestWorld;
  let bus: EventBus;
  const servers = new Map<string, FunctionServer>();
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  let before: string;
  let isbn: string;
  let fnEnv: FunctionEnv | undefined;

  beforeAll(async () => {
    world = await openWorld();
    bus = world.backend.bus;
    fnEnv = useFunctionEnv({
      FG_STATE_DIR: world.dir,
      FG_LOG_LEVEL: 'error',
      K_SERVICE: undefined,
      FG_SLACK_WEBHOOK_URL: undefined,
      FG_SLACK_ESCALATION_WEBHOOK_URL: undefined,
      FG_SMTP_URL: undefined,
    });
    isbn = (await seedBook(world, { versions: 3 })).isbn;
    await seedBook(world, { versions: 2 });
    for (const topic of TOPICS) {
      await bus.ensureSubscription({ ...DELIVERY, name: TAP(topic), topic });
    }
    for (const f of consuming) servers.set(f.trigger as string, await startFunctionServer(f.entryPoint));
    process.on('unhandledRejection', onRejection);
    before = snapshot(world.dir);
  }, 60_000);

  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    for (const s of servers.values()) await s.close();
    await closeFunctionRuntimes();
    await world?.close();
    fnEnv?.restore();
  });

  /** Every document and fleet row, as text: nothing may change. */
  function snapshot(dir: string): string {
    const dump = (file: string) => {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        const tables = db
          .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
          .all() as Array<{ name: string }>;
        return Object.fromEntries(
          tables.map(({ name }) => [
            name,
            (db.prepare(`SELECT * FROM "${name}"`).all() as Array<Record<string, unknown>>)
              .map((row) =>
                JSON.stringify(row, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v)),
              )
              .sort(),
          ]),
        );
      } finally {
        db.close();
      }
    };
    return JSON.stringify({ state: dump(stateDbPath(dir)), fleet: dump(fleetDbPath(dir)) });
  }

  async function drain(subscription: string): Promise<ReceivedMessage[]> {
    const all: ReceivedMessage[] = [];
    for (;;) {
      const got = await bus.pull(subscription, 1000, 0);
      if (got.length === 0) return all;
      await bus.ack(
        subscription,
        got.map((m) => m.ackId),
      );
      all.push(...got);
    }
  }

  /** Sends cases a few at a time; answers status per case (0: no answer). The functions' log lines are counted, not printed. */
  async function send(url: string, cases: Case[]): Promise<number[]> {
    const statuses = new Array<number>(cases.length).fill(0);
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      if (String(chunk).startsWith('{"severity"')) return true;
      return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
    try {
      await sendAll(url, cases, statuses);
    } finally {
      process.stdout.write = write;
    }
    return statuses;
  }

  async function sendAll(url: string, cases: Case[], statuses: number[]): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const i = next++;
        const c = cases[i]!;
        const res = await fetch(`${url}/projects/demo/topics/fuzz`, {
          method: 'POST',
          headers: c.headers,
          body: c.body,
        });
        await res.arrayBuffer();
        statuses[i] = res.status;
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
  }

  it.each(consuming.map((f, i) => [f.trigger as TopicName, f.name, i] as const))(
    '%s → %s: every hostile message dead-lettered with a reason, no crash, no side effect',
    async (topic, consumer, index) => {
      const cases = casesFor(topic, index, isbn);
      expect(cases.length).toBeGreaterThanOrEqual(200);
      const statuses = await send(servers.get(topic)!.url, cases);
      const failed = cases
        .map((c, i) => ({ ...c, body: c.body.slice(0, 300), status: statuses[i] }))
        .filter((c) => !(c.status !== undefined && c.status >= 200 && c.status < 300));
      const dead = await drain(deadLetterSubscriptionOf(topic));
      const published = await Promise.all(
        TOPICS.map(async (t) => [t, (await drain(TAP(t))).length] as const),
      );
      const otherDead = await Promise.all(
        TOPICS.filter((t) => t !== topic).map(
          async (t) => [t, (await drain(deadLetterSubscriptionOf(t))).length] as const,
        ),
      );
      const sideEffects =
        published.reduce((n, [, k]) => n + k, 0) +
        otherDead.reduce((n, [, k]) => n + k, 0) +
        (snapshot(world.dir) === before ? 0 : 1);
      reportFigure(
        'fuzz',
        topic,
        `seed=${SEED + index} messages=${cases.length} deadLettered=${dead.length} crashes=${failed.length + rejections.length} sideEffects=${sideEffects}`,
      );

      expect(failed).toEqual([]);
      expect(rejections).toEqual([]);
      expect(dead).toHaveLength(cases.length);
      for (const d of dead) {
        expect(d.attributes.deadLetterReason).toEqual(expect.stringMatching(/\S/));
        expect(d.attributes.deadLetterConsumer).toBe(consumer);
        expect(Object.keys(d.attributes).length).toBeLessThanOrEqual(PUBSUB_LIMITS.maxAttributes);
        for (const [k, v] of Object.entries(d.attributes)) {
          expect(Buffer.byteLength(k)).toBeLessThanOrEqual(PUBSUB_LIMITS.maxAttributeKeyBytes);
          expect(Buffer.byteLength(v)).toBeLessThanOrEqual(PUBSUB_LIMITS.maxAttributeValueBytes);
        }
      }
      const namedIds = new Set(dead.map((d) => d.attributes.deadLetterSourceMessageId));
      expect(
        cases.filter((c) => c.messageId !== undefined && !namedIds.has(c.messageId)).map((c) => c.kind),
      ).toEqual([]);
      expect(published.filter(([, n]) => n > 0)).toEqual([]);
      expect(otherDead.filter(([, n]) => n > 0)).toEqual([]);
      expect(snapshot(world.dir)).toBe(before);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
      expect(deadLetterTopicOf(topic)).toBe(`${topic}-dead-letter`);
    },
    120_000,
  );
});
