/**
 * post-deploy-validation through the real functions framework on a seeded
 * embedded fleet: a `ModelDeployed` push for a broken version is validated,
 * the version quarantined, a rollback to last-known-good requested and one
 * critical alert raised; a redelivery is skipped; malformed messages and a
 * deployment of a version the registry does not hold are dead-lettered with
 * the reason, never retried, never a crash.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Registers the function, as loading the bundle does in production; its runtime reads the env at the first event.
import '../../../functions/post-deploy-validation';
import { loadConfig } from '../../../shared/config';
import { Alert } from '../../../shared/contracts/messages/alert';
import { RollbackRequest } from '../../../shared/contracts/messages/rollback-request';
import { demoBadVersion } from '../../../shared/services/demo';
import { seedEmbeddedFleet } from '../../../shared/wiring/seed';
import { deadLetterSubscriptionOf } from '../../../shared/topology';
import { openBackend, SALES_CSV_FILE, type Backend } from '../../../shared/wiring/backend';
import { closeFunctionRuntimes } from '../../../shared/wiring/function-runtime';
import { ensureTopology } from '../../../shared/wiring/topology-setup';
import { reportFigure } from '../../helpers/figures';
import { loadFixture } from '../../helpers/gcp-fixtures';
import { useFunctionEnv, type FunctionEnv } from '../../helpers/function-env';
import { startFunctionServer, type FunctionServer } from '../../helpers/function-server';

const TAPS = { alerts: 'test-pdv-alerts', rollbacks: 'test-pdv-rollbacks' };

describe('post-deploy-validation function', () => {
  let stateDir: string;
  let backend: Backend;
  let server: FunctionServer;
  let isbn: string;
  let fnEnv: FunctionEnv | undefined;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-pdv-'));
    backend = openBackend(loadConfig({ FG_STATE_DIR: stateDir, FG_LOG_LEVEL: 'error' }));
    await seedEmbeddedFleet(
      { stateDir, salesCsv: join(stateDir, SALES_CSV_FILE), books: 2, seed: 42, concurrency: 1 },
      backend,
    );
    await ensureTopology(backend.bus);
    for (const [topic, name] of [
      ['alerts', TAPS.alerts],
      ['rollback-requests', TAPS.rollbacks],
    ] as const) {
      await backend.bus.ensureSubscription({
        name,
        topic,
        ackDeadlineSeconds: 10,
        maxDeliveryAttempts: 5,
        minBackoffSeconds: 1,
        maxBackoffSeconds: 10,
      });
    }
    isbn = (await backend.registry.listModels())[0]!;
    fnEnv = useFunctionEnv({ FG_STATE_DIR: stateDir, FG_LOG_LEVEL: 'error' });
    server = await startFunctionServer('postDeployValidation');
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await closeFunctionRuntimes();
    await backend?.close();
    rmSync(stateDir, { recursive: true, force: true });
    fnEnv?.restore();
  });

  async function drain(sub: string, waitMs = 200) {
    const msgs = await backend.bus.pull(sub, 100, waitMs);
    if (msgs.length)
      await backend.bus.ack(
        sub,
        msgs.map((m) => m.ackId),
      );
    return msgs;
  }

  function push(messageId: string, data: unknown, attributes: Record<string, string> = {}) {
    const encoded =
      data === undefined
        ? undefined
        : Buffer.from(typeof data === 'string' ? data : JSON.stringify(data)).toString('base64');
    return fetch(`${server.url}/projects/demo/topics/model-deployments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        message: {
          data: encoded,
          attributes,
          messageId,
          message_id: messageId,
          publishTime: new Date().toISOString(),
        },
        subscription: 'projects/demo/subscriptions/model-deployments--post-deploy-validation',
      }),
    });
  }

  it('fails a ×10 version: quarantined, rollback to last-known-good requested, one critical alert', async () => {
    const bad = await demoBadVersion(
      { isbn, defect: 'x10', deployedBy: 'ci', correlationId: 'corr-pdv-1' },
      { registry: backend.embeddedRegistry!, serving: backend.serving, bus: backend.bus },
      { environment: 'production' },
    );
    const event = {
      isbn,
      version: bad.version,
      environment: 'production',
      deployedBy: 'ci',
      correlationId: 'corr-pdv-1',
      previousVersion: '3',
    };
    const started = performance.now();
    const res = await push('deploy-1', event, { correlationId: 'corr-pdv-1' });
    reportFigure(
      'post-deploy-validation',
      'push → verdict acted on',
      `${(performance.now() - started).toFixed(0)} ms`,
    );
    expect(res.status).toBeLessThan(300);
    expect((await backend.registry.getVersion(isbn, bad.version!))!.quarantine).toMatchObject({
      by: 'post-deploy-validation',
    });
    const [rollback] = await drain(TAPS.rollbacks);
    expect(RollbackRequest.parse(JSON.parse(rollback!.data.toString('utf8')))).toMatchObject({
      scope: { isbns: [isbn] },
      target: { kind: 'last-known-good' },
      correlationId: 'corr-pdv-1',
    });
    const alerts = (await drain(TAPS.alerts)).map((m) => Alert.parse(JSON.parse(m.data.toString('utf8'))));
    expect(alerts).toEqual([
      expect.objectContaining({
        kind: 'validation_failed',
        severity: 'critical',
        isbn,
        modelVersion: bad.version,
      }),
    ]);
  }, 60_000);

  it('skips a redelivery of the same message', async () => {
    const res = await push('deploy-1', {
      isbn,
      version: '4',
      environment: 'production',
      deployedBy: 'ci',
      correlationId: 'corr-pdv-1',
    });
    expect(res.status).toBeLessThan(300);
    expect(await drain(TAPS.alerts)).toHaveLength(0);
    expect(await drain(TAPS.rollbacks)).toHaveLength(0);
  });

  it.each([
    ['non-JSON data', 'not json', 'is not JSON'],
    [
      'a message without a version',
      { isbn: '9780722532935', environment: 'production', deployedBy: 'ci', correlationId: 'c' },
      'version',
    ],
    [
      'a bad ISBN',
      {
        isbn: '9780722532936',
        version: '4',
        environment: 'production',
        deployedBy: 'ci',
        correlationId: 'c',
      },
      'expected 5',
    ],
    [
      'an unknown environment',
      { isbn: '9780722532935', version: '4', environment: 'prod', deployedBy: 'ci', correlationId: 'c' },
      'environment',
    ],
  ])('dead-letters %s with the reason and acks it', async (_name, data, reason) => {
    const id = `bad-${Math.random().toString(36).slice(2)}`;
    const res = await push(id, data, { correlationId: `corr-${id}` });
    expect(res.status).toBeLessThan(300);
    const dead = await drain(deadLetterSubscriptionOf('model-deployments'));
    expect(dead).toHaveLength(1);
    expect(dead[0]!.attributes).toMatchObject({
      deadLetterConsumer: 'post-deploy-validation',
      deadLetterSourceMessageId: id,
      correlationId: `corr-${id}`,
    });
    expect(dead[0]!.attributes.deadLetterReason).toContain(reason);
    expect(await drain(TAPS.alerts)).toHaveLength(0);
  });

  it('dead-letters a deployment of a version the registry does not hold, naming it', async () => {
    const res = await push('deploy-unknown', {
      isbn,
      version: '99',
      environment: 'production',
      deployedBy: 'ci',
      correlationId: 'c',
    });
    expect(res.status).toBeLessThan(300);
    const dead = await drain(deadLetterSubscriptionOf('model-deployments'));
    expect(dead).toHaveLength(1);
    expect(dead[0]!.attributes.deadLetterReason).toContain(`ISBN ${isbn} has no version 99`);
  });

  describe('Vertex audit entries from the deployment sink', () => {
    const entry = (name: string) => loadFixture<Record<string, any>>(`8-audit-logs/${name}`); // eslint-disable-line @typescript-eslint/no-explicit-any
    const sinkAttributes = { 'logging.googleapis.com/timestamp': '2025-08-24T15:04:01.894512Z' };

    it.each([
      ['an UpdateEndpoint entry', 'updateendpoint.logentry.json'],
      ['a failed DeployModel completion', 'deploymodel.last.failed.logentry.json'],
      ['a DeployModel on an endpoint that is no book of this fleet', 'deploymodel.first.logentry.json'],
    ])('acknowledges %s without validating, alerting or dead-lettering', async (_name, file) => {
      const res = await push(`audit-${file}`, entry(file), sinkAttributes);
      expect(res.status).toBeLessThan(300);
      expect(await drain(deadLetterSubscriptionOf('model-deployments'))).toHaveLength(0);
      expect(await drain(TAPS.alerts)).toHaveLength(0);
      expect(await drain(TAPS.rollbacks)).toHaveLength(0);
    });

    it('dead-letters an entry whose DeployedModel id is a JSON number, naming the field', async () => {
      const bad = entry('mutatedeployedmodel.first.logentry.json');
      bad.protoPayload.request.deployedModel.id = 1029384756473829100;
      const res = await push('audit-number-id', bad, sinkAttributes);
      expect(res.status).toBeLessThan(300);
      const dead = await drain(deadLetterSubscriptionOf('model-deployments'));
      expect(dead).toHaveLength(1);
      expect(dead[0]!.attributes.deadLetterReason).toContain('protoPayload.request.deployedModel.id');
    });
  });
});
