/**
 * The health-check function through the real functions framework, on a
 * seeded embedded fleet: a Cloud Scheduler message (`{"trigger":"schedule"}`,
 * delivered by Eventarc as a binary CloudEvent) runs one check that
 * publishes the degraded book's alerts and writes the report named after the
 * message id; the same message again does nothing; malformed requests are
 * dead-lettered with the reason, never retried.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Registers the function, as loading the bundle does in production; its runtime reads the env at the first event.
import '../../../functions/health-check';
import { SqliteEventBus } from '../../../shared/adapters/local/sqlite-event-bus';
import { loadConfig } from '../../../shared/config';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import { HealthReport } from '../../../shared/contracts/documents/health-report';
import { Alert } from '../../../shared/contracts/messages/alert';
import { demoDegrade } from '../../../shared/services/demo';
import { seedEmbeddedFleet } from '../../../shared/wiring/seed';
import { deadLetterSubscriptionOf } from '../../../shared/topology';
import { openBackend, QUEUE_DB_FILE, SALES_CSV_FILE } from '../../../shared/wiring/backend';
import { closeFunctionRuntimes } from '../../../shared/wiring/function-runtime';
import { ensureTopology } from '../../../shared/wiring/topology-setup';
import { reportFigure } from '../../helpers/figures';
import { useFunctionEnv, type FunctionEnv } from '../../helpers/function-env';
import { startFunctionServer, type FunctionServer } from '../../helpers/function-server';
import { loadFixture } from '../../helpers/gcp-fixtures';

const ALCHEMIST = '9780722532935';
const TAP = 'test-health-fn-alerts-tap';

interface SchedulerDelivery {
  headers: Record<string, string>;
  body: { message: Record<string, unknown>; subscription: string };
}

describe('health-check function', () => {
  let stateDir: string;
  let server: FunctionServer;
  let bus: SqliteEventBus;
  let delivery: SchedulerDelivery;
  let fnEnv: FunctionEnv | undefined;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-health-fn-'));
    fnEnv = useFunctionEnv({ FG_STATE_DIR: stateDir, FG_LOG_LEVEL: 'error' });
    const backend = openBackend(loadConfig({ FG_STATE_DIR: stateDir }));
    await seedEmbeddedFleet(
      { stateDir, salesCsv: join(stateDir, SALES_CSV_FILE), books: 12, seed: 42 },
      backend,
    );
    await ensureTopology(backend.bus);
    await demoDegrade(ALCHEMIST, {
      registry: backend.embeddedRegistry!,
      serving: backend.serving,
      bus: backend.bus,
    });
    await backend.close();
    bus = SqliteEventBus.open(join(stateDir, QUEUE_DB_FILE));
    await bus.ensureSubscription({
      name: TAP,
      topic: 'alerts',
      ackDeadlineSeconds: 10,
      maxDeliveryAttempts: 5,
      minBackoffSeconds: 1,
      maxBackoffSeconds: 10,
    });
    // What a Cloud Scheduler Pub/Sub target publishes, as Eventarc hands it to a 2nd-gen function.
    const fixture = loadFixture<{ as_received_by_2nd_gen_function: SchedulerDelivery }>(
      '3-cloud-scheduler/pubsub-target.job-and-published-message.json',
    ).as_received_by_2nd_gen_function;
    delivery = {
      headers: {
        ...fixture.headers,
        'ce-source': '//pubsub.googleapis.com/projects/my-project/topics/health-check-requests',
      },
      body: fixture.body,
    };
    server = await startFunctionServer('healthCheck');
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await closeFunctionRuntimes();
    await bus.close();
    rmSync(stateDir, { recursive: true, force: true });
    fnEnv?.restore();
  });

  async function drain(sub: string) {
    const out = [];
    for (;;) {
      const msgs = await bus.pull(sub, 100, 100);
      if (msgs.length === 0) return out;
      await bus.ack(
        sub,
        msgs.map((m) => m.ackId),
      );
      out.push(...msgs);
    }
  }

  /** Delivers `data` (an object is sent as its JSON) as message `id`, the way Eventarc does. */
  async function deliver(id: string, data: unknown, attributes: Record<string, string> = {}) {
    const text = typeof data === 'string' ? data : JSON.stringify(data);
    const message = {
      ...delivery.body.message,
      data: Buffer.from(text).toString('base64'),
      attributes,
      messageId: id,
      message_id: id,
    };
    return fetch(`${server.url}/`, {
      method: 'POST',
      headers: { ...delivery.headers, 'ce-id': id },
      body: JSON.stringify({ ...delivery.body, message }),
    });
  }

  async function report(runId: string) {
    const backend = openBackend(loadConfig({ FG_STATE_DIR: stateDir }));
    try {
      return await backend.state.get(COLLECTIONS.healthReports, runId);
    } finally {
      await backend.close();
    }
  }

  it('runs the hourly check from the scheduler message: alerts published, report written', async () => {
    const started = performance.now();
    const res = await deliver('9876543210123456', { trigger: 'schedule' });
    reportFigure(
      'health-check',
      'scheduler delivery → check done (12 books)',
      `${(performance.now() - started).toFixed(0)} ms`,
    );
    expect(res.status).toBeLessThan(300);
    const msgs = await drain(TAP);
    const alerts = msgs.map((m) => Alert.parse(JSON.parse(m.data.toString('utf8'))));
    expect(alerts.map((a) => a.kind)).toEqual(expect.arrayContaining(['rmse_spike']));
    expect(new Set(alerts.filter((a) => a.isbn).map((a) => a.isbn))).toEqual(new Set([ALCHEMIST]));
    for (const [i, alert] of alerts.entries()) {
      expect(alert).toMatchObject({ runId: 'hc-9876543210123456', source: 'health-check', status: 'firing' });
      expect(msgs[i]!.attributes).toMatchObject({
        correlationId: alert.correlationId,
        runId: 'hc-9876543210123456',
      });
    }
    expect(new Set(alerts.map((a) => a.correlationId)).size).toBe(1);
    const doc = await report('hc-9876543210123456');
    const stored = HealthReport.parse(doc!.data);
    expect(stored).toMatchObject({
      trigger: 'schedule',
      status: 'degraded',
      correlationId: alerts[0]!.correlationId,
    });
    expect(stored.models).toHaveLength(12);
    expect(stored.alerts.map((a) => a.kind).sort()).toEqual(alerts.map((a) => a.kind).sort());
  });

  it('does nothing for a redelivery of the same message', async () => {
    const res = await deliver('9876543210123456', { trigger: 'schedule' });
    expect(res.status).toBeLessThan(300);
    expect(await drain(TAP)).toHaveLength(0);
  });

  it('keeps the correlation id a manual request brings', async () => {
    const res = await deliver('manual-1', {
      trigger: 'manual',
      isbns: [ALCHEMIST],
      correlationId: 'corr-oncall-42',
    });
    expect(res.status).toBeLessThan(300);
    const msgs = await drain(TAP);
    expect(msgs.length).toBeGreaterThan(0);
    for (const m of msgs) {
      expect(m.attributes.correlationId).toBe('corr-oncall-42');
      expect(JSON.parse(m.data.toString('utf8'))).toMatchObject({
        correlationId: 'corr-oncall-42',
        runId: 'hc-manual-1',
      });
    }
  });

  it.each([
    ['an unknown trigger', { trigger: 'hourly' }, 'trigger'],
    ['an empty isbns list', { trigger: 'manual', isbns: [] }, 'isbns'],
    ['a bad ISBN', { trigger: 'manual', isbns: ['9780722532936'] }, 'isbns.0'],
    ['a book with no endpoint', { trigger: 'manual', isbns: ['9781910000014'] }, 'has no endpoint'],
    ['text that is not JSON', 'run it please', 'JSON'],
    [
      'more than 5,000 ISBNs (on the count alone)',
      { trigger: 'manual', isbns: Array.from({ length: 5_001 }, () => ALCHEMIST) },
      'isbns: at most 5000 ISBNs per request (got 5001); leave isbns out to check the whole fleet',
    ],
  ])(
    'dead-letters %s with the reason, publishes nothing and writes no report',
    async (_what, data, reason) => {
      const id = `bad-${Math.random().toString(36).slice(2)}`;
      const res = await deliver(id, data, { correlationId: `corr-${id}` });
      expect(res.status).toBeLessThan(300);
      const dead = await drain(deadLetterSubscriptionOf('health-check-requests'));
      expect(dead).toHaveLength(1);
      expect(dead[0]!.attributes).toMatchObject({
        deadLetterConsumer: 'health-check',
        deadLetterSourceMessageId: id,
        correlationId: `corr-${id}`,
      });
      expect(dead[0]!.attributes.deadLetterReason).toContain(reason);
      expect(await drain(TAP)).toHaveLength(0);
      expect(await report(`hc-${id}`)).toBeUndefined();
    },
  );
});
