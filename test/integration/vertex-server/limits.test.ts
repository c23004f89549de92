/**
 * The local Vertex server refuses what real Vertex refuses, through the real
 * @google-cloud/aiplatform clients (fixtures 10-vertex-limits; quotas from
 * https://cloud.google.com/vertex-ai/docs/quotas): Explain without an
 * explanation spec, DeployedModel id rules, deployments as operations that
 * take time, RESOURCE_EXHAUSTED past a per-region per-minute quota, and
 * client deadlines.
 */
import { status } from '@grpc/grpc-js';
import type { VertexClients } from '../../../shared/adapters/gcp/vertex-clients';
import { createVertexClients } from '../../../shared/adapters/gcp/vertex-clients';
import { VertexRateLimiter } from '../../../shared/adapters/gcp/vertex-quota';
import { toProtoValue } from '../../../shared/adapters/gcp/vertex-values';
import { loadFixture } from '../../helpers/gcp-fixtures';
import { DOCUMENTED_QUOTAS, seedPipelineFleet, startVertexServer } from '../../helpers/vertex-server';
import type { LocalVertexServer } from '../../helpers/vertex-server';
import { useLocalVertex } from '../../helpers/vertex-server/harness';
import { QuotaMeter } from '../../helpers/vertex-server/quota';

const ISBN = '9780722532935';
const parentOf = (where: { projectId: string; location: string }) =>
  `projects/${where.projectId}/locations/${where.location}`;

/** The rejection's gRPC code and details. */
async function refusal(promise: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { code: number; details: string };
    return { code: e.code, details: e.details };
  }
  throw new Error('expected the call to be refused');
}

const dedicated = {
  machineSpec: { machineType: 'n1-standard-2' },
  minReplicaCount: 1,
  maxReplicaCount: 2,
};

describe('local Vertex server: limits of the real service (default settings)', () => {
  const vertex = useLocalVertex();

  it('keeps the documented per-region quotas by default', () => {
    expect(vertex.server.world.quota.limits).toEqual({
      online_prediction: 30_000,
      online_explain: 600,
      resource_management: 600,
      lro_submission: 60,
    });
    expect(DOCUMENTED_QUOTAS).toEqual(vertex.server.world.quota.limits);
  });

  it('refuses Explain on a deployed model without an explanation spec, in the real words', async () => {
    const where = vertex.freshLocation();
    const [book] = seedPipelineFleet(vertex.server, { where, books: [ISBN] });
    const deployedModelId = book?.deployedModelIds[book.models[0] as string] as string;
    const instances = [toProtoValue({ steps: 4 })];
    const pinned = await refusal(
      vertex.clients.prediction.explain({ endpoint: book?.endpoint, instances, deployedModelId }),
    );
    const fixture = loadFixture<{ grpc: { code: number; details: string } }>(
      '10-vertex-limits/explain-without-spec.error.json',
    );
    expect(pinned.code).toBe(fixture.grpc.code);
    expect(pinned.details).toBe(`Deployed model ${deployedModelId} does not support explanation.`);
    const unpinned = await refusal(
      vertex.clients.prediction.explain({ endpoint: book?.endpoint, instances }),
    );
    expect(unpinned.code).toBe(status.FAILED_PRECONDITION);
  });

  it('answers Explain for a deployment that carries an explanation spec', async () => {
    const where = vertex.freshLocation();
    const [book] = seedPipelineFleet(vertex.server, { where, books: [ISBN], deploy: 'none' });
    const [operation] = await vertex.clients.endpoint.deployModel({
      endpoint: book?.endpoint,
      deployedModel: {
        model: book?.models[0],
        dedicatedResources: dedicated,
        explanationSpec: { parameters: { sampledShapleyAttribution: { pathCount: 10 } } },
      },
      trafficSplit: { '0': 100 },
    });
    const [deployed] = await operation.promise();
    const [explained] = await vertex.clients.prediction.explain({
      endpoint: book?.endpoint,
      instances: [toProtoValue({ steps: 2 })],
      deployedModelId: deployed.deployedModel?.id,
    });
    expect(explained.deployedModelId).toBe(deployed.deployedModel?.id);
    expect(explained.predictions).toHaveLength(1);
  });

  it('runs DeployModel as an operation that is not done at first, showing the deployment only when done', async () => {
    const where = vertex.freshLocation();
    const [book] = seedPipelineFleet(vertex.server, { where, books: [ISBN], deploy: 'none' });
    const [operation] = await vertex.clients.endpoint.deployModel({
      endpoint: book?.endpoint,
      deployedModel: { model: book?.models[0], dedicatedResources: dedicated },
      trafficSplit: { '0': 100 },
    });
    expect(operation.done).toBe(false);
    const [before] = await vertex.clients.endpoint.getEndpoint({ name: book?.endpoint });
    expect(before.deployedModels ?? []).toEqual([]);
    const polled = await vertex.clients.endpoint.checkDeployModelProgress(String(operation.name));
    expect(polled.done).toBe(false);
    const started = Date.now();
    const [response] = await operation.promise();
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(response.deployedModel?.id).toMatch(/^[0-9]{19}$/);
    const [after] = await vertex.clients.endpoint.getEndpoint({ name: book?.endpoint });
    expect(after.deployedModels?.map((d) => d.id)).toEqual([response.deployedModel?.id]);
    expect(after.trafficSplit).toEqual({ [String(response.deployedModel?.id)]: 100 });
  });

  it('runs UndeployModel and CreateEndpoint as operations that take time too', async () => {
    const where = vertex.freshLocation();
    const [created] = await vertex.clients.endpoint.createEndpoint({
      parent: parentOf(where),
      endpoint: { displayName: 'book-sales-x' },
    });
    expect(created.done).toBe(false);
    const [endpoint] = await created.promise();
    expect(endpoint.name).toMatch(/\/endpoints\/[0-9]{19}$/);

    const [book] = seedPipelineFleet(vertex.server, { where, books: [ISBN], versions: 2, deploy: 'all' });
    const older = book?.deployedModelIds[book.models[0] as string];
    const [undeploy] = await vertex.clients.endpoint.undeployModel({
      endpoint: book?.endpoint,
      deployedModelId: older,
    });
    expect(undeploy.done).toBe(false);
    const [still] = await vertex.clients.endpoint.getEndpoint({ name: book?.endpoint });
    expect(still.deployedModels).toHaveLength(2);
    await undeploy.promise();
    const [after] = await vertex.clients.endpoint.getEndpoint({ name: book?.endpoint });
    expect(after.deployedModels).toHaveLength(1);
  });

  it('holds caller-supplied DeployedModel ids to 1-10 digits and refuses an id already on the endpoint', async () => {
    const where = vertex.freshLocation();
    const [book] = seedPipelineFleet(vertex.server, { where, books: [ISBN], versions: 2, deploy: 'none' });
    const deploy = (id: string, model = book?.models[0]) =>
      vertex.clients.endpoint.deployModel({
        endpoint: book?.endpoint,
        deployedModel: { id, model, dedicatedResources: dedicated },
      });
    for (const bad of ['12345678901', 'abc', '12a']) {
      const refused = await refusal(deploy(bad));
      expect(refused.code).toBe(status.INVALID_ARGUMENT);
      expect(refused.details).toContain(JSON.stringify(bad));
    }
    const [operation] = await deploy('1234567890');
    await operation.promise();
    const again = await refusal(deploy('1234567890', book?.models[1]));
    expect(again.code).toBe(status.ALREADY_EXISTS);
    expect(again.details).toContain('1234567890');
  });

  it('fails a second deployment of the same id submitted while the first is running, in its operation', async () => {
    const where = vertex.freshLocation();
    const [book] = seedPipelineFleet(vertex.server, { where, books: [ISBN], deploy: 'none' });
    const deploy = () =>
      vertex.clients.endpoint.deployModel({
        endpoint: book?.endpoint,
        deployedModel: { id: '42', model: book?.models[0], dedicatedResources: dedicated },
      });
    const [first] = await deploy();
    const [second] = await deploy();
    await first.promise();
    const failed = await refusal(second.promise());
    expect(failed.code).toBe(status.ALREADY_EXISTS);
  });
});

describe('local Vertex server: quotas on the server clock', () => {
  let now = Date.parse('2026-03-02T10:00:00Z');
  let server: LocalVertexServer;
  let clients: VertexClients;
  beforeAll(async () => {
    server = await startVertexServer({
      now: () => new Date(now),
      operationDelayMs: 0,
      quotas: { resource_management: 5, lro_submission: 2, online_prediction: 3, online_explain: 2 },
    });
    // No client-side retries here: these tests look at the server's own refusals.
    clients = createVertexClients({
      projectId: 'demo-q',
      location: 'europe-west2',
      apiEndpoint: server.apiEndpoint,
      limiter: new VertexRateLimiter({ maxRetries: 0 }),
    });
  }, 60_000);
  afterAll(async () => {
    await clients.close();
    await server.stop();
  });

  it('answers RESOURCE_EXHAUSTED past the CRUD quota in a minute, per project and region, and again after the window', async () => {
    const where = { projectId: 'demo-quota-a', location: 'europe-west2' };
    const [book] = seedPipelineFleet(server, { where, books: [ISBN] });
    for (let i = 0; i < 5; i += 1) await clients.endpoint.getEndpoint({ name: book?.endpoint });
    const refused = await refusal(clients.endpoint.getEndpoint({ name: book?.endpoint }));
    expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(refused.details).toMatch(
      /^Quota exceeded for aiplatform\.googleapis\.com\/resource_management_requests with limit 5 per minute per region/,
    );
    // ListModels is CRUD too; another project, or another region of this one, has its own window.
    expect((await refusal(clients.model.listModels({ parent: parentOf(where) }))).code).toBe(
      status.RESOURCE_EXHAUSTED,
    );
    seedPipelineFleet(server, { where: { ...where, projectId: 'demo-quota-b' }, books: [ISBN] });
    await clients.model.listModels({ parent: parentOf({ ...where, projectId: 'demo-quota-b' }) });
    await clients.model.listModels({ parent: parentOf({ ...where, location: 'us-central1' }) });
    now += 59_999;
    expect((await refusal(clients.endpoint.getEndpoint({ name: book?.endpoint }))).code).toBe(
      status.RESOURCE_EXHAUSTED,
    );
    now += 1;
    await clients.endpoint.getEndpoint({ name: book?.endpoint });
  });

  it('counts predictions, explains and LRO submissions each against their own quota', async () => {
    const where = { projectId: 'demo-quota-c', location: 'europe-west2' };
    const [book] = seedPipelineFleet(server, { where, books: [ISBN], deploy: 'none' });
    const deploy = () =>
      clients.endpoint.deployModel({
        endpoint: book?.endpoint,
        deployedModel: { model: book?.models[0], dedicatedResources: dedicated },
        trafficSplit: { '0': 100 },
      });
    await deploy();
    await clients.endpoint.createEndpoint({ parent: parentOf(where), endpoint: { displayName: 'e' } });
    const lro = await refusal(deploy());
    expect(lro.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(lro.details).toContain('aiplatform.googleapis.com/job_or_lro_submission_requests');

    const predict = () =>
      clients.prediction.predict({ endpoint: book?.endpoint, instances: [toProtoValue({ steps: 1 })] });
    for (let i = 0; i < 3; i += 1) await predict();
    expect((await refusal(predict())).details).toContain(
      'aiplatform.googleapis.com/online_prediction_requests',
    );
    const explain = () =>
      clients.prediction.explain({ endpoint: book?.endpoint, instances: [toProtoValue({ steps: 1 })] });
    // Refused for want of a spec, but counted all the same: the request reached the service.
    for (let i = 0; i < 2; i += 1) expect((await refusal(explain())).code).toBe(status.FAILED_PRECONDITION);
    expect((await refusal(explain())).details).toContain('aiplatform.googleapis.com/online_explain_requests');
  });

  it('refuses a quota that is not a whole number of requests per minute', () => {
    expect(() => new QuotaMeter(() => 0, { online_explain: 0 })).toThrow(/quotas\.online_explain/);
    expect(() => new QuotaMeter(() => 0, { lro_submission: 1.5 })).toThrow(/quotas\.lro_submission/);
  });
});

describe('local Vertex server: client deadlines', () => {
  const vertex = useLocalVertex({ operationDelayMs: 0 });
  afterEach(() => {
    vertex.server.world.responseDelayMs = 0;
  });

  it('fails a call that passes its deadline with DEADLINE_EXCEEDED in slow-answer mode', async () => {
    const where = vertex.freshLocation();
    const [book] = seedPipelineFleet(vertex.server, { where, books: [ISBN] });
    vertex.server.world.responseDelayMs = 400;
    const late = await refusal(
      vertex.clients.endpoint.getEndpoint({ name: book?.endpoint }, { timeout: 100, retry: null }),
    );
    expect(late.code).toBe(status.DEADLINE_EXCEEDED);
    const [endpoint] = await vertex.clients.endpoint.getEndpoint({ name: book?.endpoint }, { timeout: 2000 });
    expect(endpoint.name).toBe(book?.endpoint);
  });
});
