/**
 * The guarded Vertex clients (vertex-clients.ts) against the local server:
 * every call carries a deadline without the call site asking, long-running
 * operations give up after their own deadline, every RPC (each page, each
 * poll) is counted by the limiter in its quota class, and a RESOURCE_EXHAUSTED
 * from the server is absorbed by waiting, not passed to the caller.
 */
import { status } from '@grpc/grpc-js';
import type { VertexClients } from '../../../shared/adapters/gcp/vertex-clients';
import { createVertexClients } from '../../../shared/adapters/gcp/vertex-clients';
import { VertexRateLimiter } from '../../../shared/adapters/gcp/vertex-quota';
import type { Clock } from '../../../shared/ports/clock';
import type { LocalVertexServer } from '../../helpers/vertex-server';
import { seedPipelineFleet, startVertexServer } from '../../helpers/vertex-server';

const ISBNS = ['9780000000002', '9780000000019', '9780000000026', '9780000000033', '9780000000040'];
const where = (projectId: string) => ({ projectId, location: 'europe-west2' });
const parentOf = (projectId: string) => `projects/${projectId}/locations/europe-west2`;

/** One clock for the server and the limiter: the limiter's waits move the server's quota windows on. */
let now = Date.parse('2026-03-02T10:00:00Z');
const sharedClock: Clock = {
  now: () => new Date(now),
  sleep: (ms) =>
    new Promise((resolve) =>
      setImmediate(() => {
        now += ms;
        resolve();
      }),
    ),
};

let server: LocalVertexServer;
const opened: VertexClients[] = [];
function clientsWith(options: Partial<Parameters<typeof createVertexClients>[0]>): VertexClients {
  const clients = createVertexClients({
    projectId: 'demo-guarded',
    location: 'europe-west2',
    apiEndpoint: server.apiEndpoint,
    lroFirstPollMs: 50,
    ...options,
  });
  opened.push(clients);
  return clients;
}

async function refusal(promise: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await promise;
  } catch (err) {
    return { code: (err as { code: number }).code, message: (err as Error).message };
  }
  throw new Error('expected the call to be refused');
}

beforeAll(async () => {
  server = await startVertexServer({ now: sharedClock.now, operationDelayMs: 0 });
}, 60_000);
afterEach(() => {
  server.world.responseDelayMs = 0;
  server.world.operationDelayMs = 0;
});
afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()));
  await server.stop();
});

describe('guarded Vertex clients', () => {
  it('puts a deadline on a call whose call site set none', async () => {
    const [book] = seedPipelineFleet(server, { where: where('demo-deadline'), books: [ISBNS[0] as string] });
    const clients = clientsWith({ deadlineMs: 150, limiter: new VertexRateLimiter() });
    await clients.endpoint.initialize();
    server.world.responseDelayMs = 600;
    const started = Date.now();
    const late = await refusal(clients.endpoint.getEndpoint({ name: book?.endpoint }));
    expect(late.code).toBe(status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeLessThan(550);
  });

  it('gives up waiting for a long-running operation after the LRO deadline', async () => {
    const [book] = seedPipelineFleet(server, {
      where: where('demo-lro-deadline'),
      books: [ISBNS[0] as string],
      deploy: 'none',
    });
    const clients = clientsWith({ lroDeadlineMs: 300, limiter: new VertexRateLimiter() });
    // The server's clock stands still here, so the operation never finishes.
    server.world.operationDelayMs = 60_000;
    const [operation] = await clients.endpoint.deployModel({
      endpoint: book?.endpoint,
      deployedModel: {
        model: book?.models[0],
        dedicatedResources: { machineSpec: { machineType: 'n1-standard-2' }, minReplicaCount: 1 },
      },
    });
    const started = Date.now();
    const gaveUp = await refusal(operation.promise());
    expect(gaveUp.message).toMatch(/timeout/i);
    expect(Date.now() - started).toBeLessThan(3000);
    server.world.settle(true);
  });

  it('counts every page of a listing, every poll and every submission in its quota class', async () => {
    const projectId = 'demo-counted';
    const [book] = seedPipelineFleet(server, { where: where(projectId), books: ISBNS, deploy: 'none' });
    const limiter = new VertexRateLimiter();
    const clients = clientsWith({ limiter });
    const [all] = await clients.endpoint.listEndpoints({ parent: parentOf(projectId), pageSize: 2 });
    expect(all).toHaveLength(5);
    expect(limiter.stats().resource_management.admitted).toBe(3);
    const seen: string[] = [];
    for await (const e of clients.endpoint.listEndpointsAsync({ parent: parentOf(projectId), pageSize: 2 }))
      seen.push(String(e.displayName));
    expect(seen).toHaveLength(5);
    expect(limiter.stats().resource_management.admitted).toBe(6);

    const [operation] = await clients.endpoint.deployModel({
      endpoint: book?.endpoint,
      deployedModel: {
        model: book?.models[0],
        dedicatedResources: { machineSpec: { machineType: 'n1-standard-2' }, minReplicaCount: 1 },
      },
      trafficSplit: { '0': 100 },
    });
    await operation.promise();
    expect(limiter.stats().lro_submission.admitted).toBe(1);
    // Done at once on this server, so at most the one poll gax makes.
    expect(limiter.stats().resource_management.admitted).toBeLessThanOrEqual(7);
    await clients.prediction.predict({
      endpoint: book?.endpoint,
      instances: [{ structValue: { fields: {} } }],
    });
    expect(limiter.stats().online_prediction.admitted).toBe(1);
  });

  it("absorbs the server's RESOURCE_EXHAUSTED by waiting for its window, so the caller never sees it", async () => {
    const projectId = 'demo-absorbed';
    const [book] = seedPipelineFleet(server, { where: where(projectId), books: [ISBNS[0] as string] });
    // Another process has nearly spent this minute's CRUD quota: fill the server's window.
    const limits = server.world.quota.limits;
    for (let i = 0; i < limits.resource_management - 2; i += 1)
      server.world.quota.charge('GetEndpoint', parentOf(projectId));
    const limiter = new VertexRateLimiter({ clock: sharedClock });
    const clients = clientsWith({ limiter });
    const refusedBefore = server.world.quota.refused.resource_management;
    for (let i = 0; i < 6; i += 1) await clients.endpoint.getEndpoint({ name: book?.endpoint });
    expect(server.world.quota.refused.resource_management).toBeGreaterThan(refusedBefore);
    expect(limiter.stats().resource_management.retried).toBeGreaterThan(0);
    expect(limiter.stats().resource_management.exhausted).toBe(0);
  });

  it('refuses callbacks and streams, which would slip past the deadline and the limiter', () => {
    const clients = clientsWith({ limiter: new VertexRateLimiter() });
    expect(() =>
      (clients.endpoint.getEndpoint as unknown as (r: object, cb: () => void) => void)({}, () => undefined),
    ).toThrow(/without a callback/);
    expect(() => clients.endpoint.listEndpointsStream({ parent: parentOf('x') })).toThrow(
      /listEndpointsAsync/,
    );
    expect(() => clients.prediction.streamRawPredict()).toThrow(/streaming/);
  });

  it('names a bad deadline', () => {
    expect(() => clientsWith({ deadlineMs: 0 })).toThrow(/deadlineMs: must be a positive number/);
    expect(() => clientsWith({ lroDeadlineMs: -5 })).toThrow(/lroDeadlineMs/);
  });
});
