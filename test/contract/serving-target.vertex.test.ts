import { performance } from 'node:perf_hooks';
import { translateVertexError } from '../../shared/adapters/gcp/vertex-errors';
import { VertexModelRegistry } from '../../shared/adapters/gcp/vertex-model-registry';
import type { VertexLocation } from '../../shared/adapters/gcp/vertex-names';
import { endpointNameFor, locationPath, modelNameFor } from '../../shared/adapters/gcp/vertex-names';
import { VertexServingTarget } from '../../shared/adapters/gcp/vertex-serving-target';
import { ConflictError, ValidationError } from '../../shared/errors';
import { aForecast, aNewModelVersion, nextIsbn } from '../builders/model';
import { reportFigure } from '../helpers/figures';
import type { VertexEndpoint } from '../../shared/adapters/gcp/vertex-endpoint-codec';
import { useLocalVertex } from '../helpers/vertex-server/harness';
import {
  createPipelineEndpoint,
  PIPELINE_ENDPOINT_LABELS,
  PIPELINE_ENDPOINT_PATTERN,
  pipelineDeploy,
  uploadPipelineModel,
  withoutExplain,
} from '../helpers/vertex-pipeline-world';
import { deployedModelIdFor } from '../../shared/adapters/gcp/vertex-operations';
import { describeServingTargetContract } from './serving-target.contract';

// The contract's 90/10 case makes 2,000 gRPC round trips through google-gax, 1–5 ms each on a busy
// 2-core machine, and its 1,000-instance case moves 1.7 MB of protobuf Values each way: give them room.
jest.setTimeout(60_000);

const vertex = useLocalVertex();
const PREFIX = 'forecast-';
const VALIDATION_ID = 'fg-validation';

/** An empty endpoint for versions without the whole traffic (FG_VERTEX_VALIDATION_ENDPOINT). */
async function createValidationEndpoint(where: VertexLocation): Promise<string> {
  const [operation] = await vertex.clients.endpoint.createEndpoint({
    parent: locationPath(where),
    endpointId: VALIDATION_ID,
    endpoint: { displayName: 'forecast-guard validation' },
  });
  await operation.promise();
  return `${locationPath(where)}/endpoints/${VALIDATION_ID}`;
}

// Every target here gets clients whose Explain fails the test: no code path may call it.
describeServingTargetContract('VertexServingTarget (real client, local gRPC server)', async ({ random }) => {
  const where = vertex.freshLocation();
  // A real endpoint routes by its own randomness; the local one takes the suite's seeded source.
  vertex.server.world.random = random;
  await createValidationEndpoint(where);
  const clients = withoutExplain(vertex.clients);
  return {
    registry: new VertexModelRegistry({ ...where, clients }),
    serving: new VertexServingTarget({
      ...where,
      clients,
      endpointPrefix: PREFIX,
      validationEndpoint: VALIDATION_ID,
    }),
  };
});

describe('VertexServingTarget on the local Vertex AI server', () => {
  let where: VertexLocation;
  let registry: VertexModelRegistry;
  let serving: VertexServingTarget;

  beforeEach(() => {
    where = vertex.freshLocation();
    vertex.server.world.random = Math.random;
    registry = new VertexModelRegistry({ ...where, clients: withoutExplain(vertex.clients) });
    serving = new VertexServingTarget({
      ...where,
      clients: withoutExplain(vertex.clients),
      endpointPrefix: PREFIX,
    });
  });

  async function bookWith(versions: number, weeks = 104): Promise<string> {
    const { isbn } = await registry.registerVersion(aNewModelVersion({ forecast: aForecast({ weeks }) }));
    for (let i = 1; i < versions; i++) await registry.registerVersion(aNewModelVersion({ isbn }));
    return isbn;
  }
  const endpointOnServer = (isbn: string) =>
    vertex.server.world.endpoints.get(endpointNameFor(where, PREFIX, isbn));

  it('creates one Endpoint per book, <prefix><isbn>, labelled, with DeployedModels of the book Model', async () => {
    const isbn = await bookWith(2);
    const state = await serving.setTraffic(isbn, { '1': 70, '2': 30 });
    const endpoint = endpointOnServer(isbn)!;
    expect(endpoint.name).toBe(`${locationPath(where)}/endpoints/${PREFIX}${isbn}`);
    expect(endpoint.displayName).toBe(`${PREFIX}${isbn}`);
    expect(endpoint.labels).toEqual({ isbn, app: 'forecast-guard' });
    expect(endpoint.deployedModels.map((d) => [d.model, d.modelVersionId])).toEqual([
      [modelNameFor(where, isbn), '1'],
      [modelNameFor(where, isbn), '2'],
    ]);
    // Vertex's split is keyed by DeployedModel id; ours by version.
    const ids = Object.fromEntries(state.deployments.map((d) => [d.version, d.deployedModelId!]));
    expect(endpoint.trafficSplit).toEqual({ [ids['1']!]: 70, [ids['2']!]: 30 });
  });

  it('flips traffic among deployed versions with one UpdateEndpoint and no redeployment', async () => {
    const isbn = await bookWith(2);
    const deployStarted = performance.now();
    await serving.setTraffic(isbn, { '1': 100, '2': 0 });
    const deployMs = performance.now() - deployStarted;
    const deployedBefore = endpointOnServer(isbn)!.deployedModels.map((d) => d.id);

    const flips: number[] = [];
    const callsBefore = new Map(vertex.server.world.quota.byMethod);
    for (const version of ['2', '1', '2', '1', '2']) {
      const started = performance.now();
      const state = await serving.setTraffic(isbn, { [version]: 100 });
      flips.push(performance.now() - started);
      expect(state.deployments.map((d) => [d.version, d.trafficPercent])).toEqual([
        ['1', version === '1' ? 100 : 0],
        ['2', version === '2' ? 100 : 0],
      ]);
    }
    // Every version asked for is deployed: the endpoint is read and updated, the versions are not listed again.
    const calls = Object.fromEntries(
      [...vertex.server.world.quota.byMethod].flatMap(([method, n]) => {
        const made = n - (callsBefore.get(method) ?? 0);
        return made > 0 ? [[method, made]] : [];
      }),
    );
    expect(calls).toEqual({ GetEndpoint: 5, UpdateEndpoint: 5 });
    flips.sort((a, b) => a - b);
    reportFigure(
      'serving-target',
      'vertex-traffic-flip',
      `median ${flips[2]!.toFixed(1)} ms (GetEndpoint, UpdateEndpoint); first deployment of 2 versions ${deployMs.toFixed(1)} ms`,
    );
    expect(endpointOnServer(isbn)!.deployedModels.map((d) => d.id)).toEqual(deployedBefore);
    expect((await serving.predict(isbn, [{ steps: 1 }])).modelVersionId).toBe('2');
  });

  it('refuses, on the server too, to undeploy a model that still has traffic', async () => {
    const isbn = await bookWith(1);
    const state = await serving.setTraffic(isbn, { '1': 100 });
    const refused = await vertex.clients.endpoint
      .undeployModel({
        endpoint: endpointNameFor(where, PREFIX, isbn),
        deployedModelId: state.deployments[0]!.deployedModelId,
      })
      .catch((e: unknown) => translateVertexError(e, 'undeploy'));
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as Error).message).toMatch(/still has 100% of the Endpoint's traffic/);
    expect(endpointOnServer(isbn)!.deployedModels).toHaveLength(1);
  });

  it("holds to Vertex's split rule on the server: whole percents summing to 100", async () => {
    const isbn = await bookWith(2);
    const state = await serving.setTraffic(isbn, { '1': 50, '2': 50 });
    const [a, b] = state.deployments.map((d) => d.deployedModelId!);
    const refused = await vertex.clients.endpoint
      .updateEndpoint({
        endpoint: { name: endpointNameFor(where, PREFIX, isbn), trafficSplit: { [a!]: 50, [b!]: 40 } },
        updateMask: { paths: ['traffic_split'] },
      })
      .catch((e: unknown) => translateVertexError(e, 'update traffic'));
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as Error).message).toMatch(/must add up to 100 \(got 90\)/);
  });

  it("lets the endpoint check a version's own horizon, naming the instance and field", async () => {
    const isbn = await bookWith(1, 52);
    await serving.setTraffic(isbn, { '1': 100 });
    expect((await serving.predict(isbn, [{ steps: 52 }])).predictions[0]?.forecast).toHaveLength(52);
    const err = await serving.predict(isbn, [{ steps: 4 }, { steps: 53 }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fields).toEqual(['instances[1].steps']);
    expect((err as Error).message).toContain('must be at most 52');
  });

  it('refuses a prediction when no version has traffic', async () => {
    const isbn = await bookWith(1);
    await serving.setTraffic(isbn, { '1': 100 });
    await vertex.clients.endpoint.updateEndpoint({
      endpoint: { name: endpointNameFor(where, PREFIX, isbn), trafficSplit: {} },
      updateMask: { paths: ['traffic_split'] },
    });
    await expect(serving.predict(isbn, [{ steps: 2 }])).rejects.toThrow(ConflictError);
  });

  it('lists every book endpoint in ISBN order', async () => {
    const a = await bookWith(1);
    const b = await bookWith(1);
    await bookWith(1);
    await serving.setTraffic(b, { '1': 100 });
    await serving.setTraffic(a, { '1': 100 });
    expect((await serving.listServing()).map((s) => s.isbn)).toEqual([a, b].sort());
  });

  it('reads a book version table once for concurrent first predictions, not once per call (the CRUD quota is 600 a minute)', async () => {
    const isbn = await bookWith(1);
    await serving.setTraffic(isbn, { '1': 100 });
    const cold = new VertexServingTarget({
      ...where,
      clients: withoutExplain(vertex.clients),
      endpointPrefix: PREFIX,
    });
    const crud = () => vertex.server.world.quota.admitted.resource_management;
    const before = crud();
    const answers = await Promise.all(Array.from({ length: 30 }, () => cold.predict(isbn, [{ steps: 2 }])));
    expect(answers.map((a) => a.modelVersionId)).toEqual(Array.from({ length: 30 }, () => '1'));
    const once = crud() - before;
    // One cold read of the table, whatever it costs in RPCs, then none.
    const single = new VertexServingTarget({
      ...where,
      clients: withoutExplain(vertex.clients),
      endpointPrefix: PREFIX,
    });
    const beforeSingle = crud();
    await single.predict(isbn, [{ steps: 2 }]);
    expect(once).toBe(crud() - beforeSingle);
    expect(once).toBeGreaterThan(0);
  });

  it('wants an endpoint prefix that makes a Vertex endpoint id', () => {
    for (const endpointPrefix of ['9books-', 'Forecast-', 'forecast_', 'x'.repeat(51)]) {
      expect(() => new VertexServingTarget({ ...where, clients: vertex.clients, endpointPrefix })).toThrow(
        /endpointPrefix: must start with a lowercase letter/,
      );
    }
  });
});

describe("VertexServingTarget in the publisher pipeline's world", () => {
  let where: VertexLocation;
  let serving: VertexServingTarget;
  let clients: ReturnType<typeof withoutExplain>;
  let trainedThroughOf: (isbn: string, version: string) => Promise<string | undefined>;

  beforeEach(async () => {
    where = vertex.freshLocation();
    vertex.server.world.random = Math.random;
    clients = withoutExplain(vertex.clients);
    const registry = new VertexModelRegistry({ ...where, clients });
    trainedThroughOf = async (isbn, version) => (await registry.getVersion(isbn, version))?.trainedThrough;
    serving = new VertexServingTarget({
      ...where,
      clients,
      endpointPrefix: PREFIX,
      endpointPattern: PIPELINE_ENDPOINT_PATTERN,
      endpointLabels: PIPELINE_ENDPOINT_LABELS,
      validationEndpoint: VALIDATION_ID,
      trainedThroughOf,
      pollMs: 5,
    });
    await createValidationEndpoint(where);
  });

  /** A book as the pipeline leaves it: two runs' Models, the first deployed at 100 % on book-sales-<isbn>. */
  async function pipelineBook() {
    const isbn = nextIsbn();
    const first = await uploadPipelineModel(vertex.server, clients, where, isbn, 100);
    const second = await uploadPipelineModel(vertex.server, clients, where, isbn, 700);
    const endpoint = await createPipelineEndpoint(clients, where, isbn);
    const deployedModelId = await pipelineDeploy(clients, endpoint, first, isbn);
    return { isbn, first, second, endpoint, deployedModelId };
  }

  it('finds book-sales-<isbn> by pattern and labels, numbering display-name twins by creation', async () => {
    const { isbn, first, endpoint, deployedModelId } = await pipelineBook();
    const state = await serving.getServing(isbn);
    expect(state).toEqual({
      isbn,
      endpoint,
      // The pipeline's deployment resources (vertex-pipeline-world.ts), read back for the cost estimate.
      deployments: [
        {
          version: '1',
          trafficPercent: 100,
          deployedModelId,
          model: `${first}@1`,
          machineType: 'n1-standard-2',
          minReplicas: 1,
          maxReplicas: 2,
        },
      ],
      updatedAt: expect.any(String),
    });
    expect((await serving.listServing()).map((s) => [s.isbn, s.endpoint])).toEqual([[isbn, endpoint]]);
  });

  it('deploys the second twin as version 2 and attributes answers by deployedModelId, though both are versionId 1', async () => {
    const { isbn, second, endpoint } = await pipelineBook();
    const state = await serving.setTraffic(isbn, { '2': 100 });
    expect(state.endpoint).toBe(endpoint);
    expect(state.deployments.map((d) => [d.version, d.trafficPercent, d.model])).toEqual([
      ['1', 0, expect.stringMatching(/@1$/)],
      ['2', 100, `${second}@1`],
    ]);
    const answer = await serving.predict(isbn, [{ steps: 3 }]);
    expect(answer.modelVersionId).toBe('2');
    expect(answer.deployedModelId).toBe(state.deployments[1]!.deployedModelId);
    expect(answer.predictions[0]?.model_version).toBe('2');
    // The pipeline's own deployment stays (at 0 %) on its endpoint; nothing new was created.
    expect(vertex.server.world.endpoints.get(endpoint)!.deployedModels).toHaveLength(2);
    expect(vertex.server.world.endpoints.get(endpointNameFor(where, PREFIX, isbn))).toBeUndefined();
  });

  it('answers a pinned version without traffic on the validation endpoint, redeploying nothing on a second call', async () => {
    const { isbn } = await pipelineBook();
    await serving.setTraffic(isbn, { '1': 90, '2': 10 });
    const validation = () =>
      vertex.server.world.endpoints.get(`${locationPath(where)}/endpoints/${VALIDATION_ID}`)!;
    const pinned = await serving.predict(isbn, [{ steps: 4 }], { version: '2' });
    expect(pinned.modelVersionId).toBe('2');
    expect(pinned.predictions[0]?.forecast).toEqual([700, 700, 700, 700]);
    const onValidation = validation().deployedModels.map((d) => d.id);
    expect(onValidation).toEqual([pinned.deployedModelId]);
    expect(validation().trafficSplit).toEqual({ [pinned.deployedModelId]: 100 });

    await serving.predict(isbn, [{ steps: 2 }], { version: '2' });
    expect(validation().deployedModels.map((d) => d.id)).toEqual(onValidation);
    // Another version takes the validation endpoint; the one before leaves it (one replica at a time).
    const other = await serving.predict(isbn, [{ steps: 2 }], { version: '1' });
    expect(other.modelVersionId).toBe('1');
    expect(validation().deployedModels.map((d) => d.id)).toEqual([other.deployedModelId]);
  });

  it('refuses a pinned version without the whole traffic when no validation endpoint is configured', async () => {
    const { isbn } = await pipelineBook();
    await serving.setTraffic(isbn, { '1': 90, '2': 10 });
    const plain = new VertexServingTarget({
      ...where,
      clients,
      endpointPrefix: PREFIX,
      endpointPattern: PIPELINE_ENDPOINT_PATTERN,
      trainedThroughOf,
    });
    const err = await plain.predict(isbn, [{ steps: 2 }], { version: '2' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toMatch(/holds 10 % .*FG_VERTEX_VALIDATION_ENDPOINT/);
    // The version with all the traffic is a plain Predict, attributed.
    await plain.setTraffic(isbn, { '2': 100 });
    expect((await plain.predict(isbn, [{ steps: 2 }], { version: '2' })).modelVersionId).toBe('2');
  });

  it('refuses an answer from another deployed model than the pinned one, naming both', async () => {
    const { isbn, endpoint, deployedModelId } = await pipelineBook();
    const state = await serving.setTraffic(isbn, { '1': 100, '2': 0 });
    const v2 = state.deployments.find((d) => d.version === '2')!.deployedModelId!;
    // Someone switches the endpoint between our read and our Predict (a concurrent rollback, say).
    const plain = withoutExplain(vertex.clients);
    const prediction = new Proxy(plain.prediction, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (typeof value !== 'function') return value;
        const call = (value as (...a: unknown[]) => unknown).bind(target);
        if (key !== 'predict') return call;
        return (...args: unknown[]) => {
          vertex.server.world.endpoints.get(endpoint)!.trafficSplit = { [v2]: 100 };
          return call(...args);
        };
      },
    });
    const racing = {
      ...plain,
      model: plain.model,
      endpoint: plain.endpoint,
      prediction,
      limiter: plain.limiter,
    };
    const target = new VertexServingTarget({
      ...where,
      clients: racing,
      endpointPrefix: PREFIX,
      endpointPattern: PIPELINE_ENDPOINT_PATTERN,
      trainedThroughOf,
    });
    const err = await target.predict(isbn, [{ steps: 2 }], { version: '1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toContain(
      `(deployed model ${deployedModelId}) was answered by deployed model ${v2}`,
    );
  });

  it('reads the endpoint once for a run of pinned predictions, not once per call (the CRUD quota is 600 a minute)', async () => {
    const { isbn } = await pipelineBook();
    const reads = () =>
      ['GetEndpoint', 'ListEndpoints'].reduce(
        (n, m) => n + (vertex.server.world.quota.byMethod.get(m) ?? 0),
        0,
      );
    await serving.predict(isbn, [{ steps: 2 }], { version: '1' });
    const before = reads();
    for (let i = 0; i < 20; i++) {
      expect((await serving.predict(isbn, [{ steps: 2 }], { version: '1' })).modelVersionId).toBe('1');
    }
    expect(reads() - before).toBe(0);
  });

  it('reads the endpoint again when traffic moved since its snapshot, and answers from the pinned version', async () => {
    const { isbn, endpoint } = await pipelineBook();
    const state = await serving.setTraffic(isbn, { '1': 100, '2': 0 });
    await serving.predict(isbn, [{ steps: 2 }], { version: '1' }); // snapshot: version 1 holds 100 %
    const v2 = state.deployments.find((d) => d.version === '2')!.deployedModelId!;
    // Another process rolls the book forward behind this one's back.
    vertex.server.world.endpoints.get(endpoint)!.trafficSplit = { [v2]: 100 };
    const answer = await serving.predict(isbn, [{ steps: 2 }], { version: '1' });
    expect(answer.modelVersionId).toBe('1');
    expect(answer.predictions[0]?.forecast).toEqual([100, 100]); // asked on the validation endpoint
  });

  it('never starts a second deployment for a redelivered one: the derived DeployedModel id is refused and waited for', async () => {
    const { isbn, second, endpoint } = await pipelineBook();
    const id = deployedModelIdFor(second, '1');
    // The first delivery's DeployModel got through (without moving traffic) before its process died.
    const [operation] = await vertex.clients.endpoint.deployModel({
      endpoint,
      deployedModel: {
        id,
        model: `${second}@1`,
        dedicatedResources: {
          machineSpec: { machineType: 'n1-standard-2' },
          minReplicaCount: 1,
          maxReplicaCount: 1,
        },
      },
      trafficSplit: {},
    });
    await operation.promise();
    // The redelivery read the endpoint before that deployment showed (a stale read): it sends DeployModel again.
    const stale = withoutExplain(vertex.clients);
    const calls: string[] = [];
    const hide = (e: VertexEndpoint): VertexEndpoint =>
      calls.length === 0 && e.name === endpoint
        ? { ...e, deployedModels: e.deployedModels?.filter((d) => d.id !== id) }
        : e;
    const endpointClient = new Proxy(stale.endpoint, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (typeof value !== 'function') return value;
        const call = (value as (...a: unknown[]) => Promise<unknown[]>).bind(target);
        if (key === 'deployModel') {
          return (...args: unknown[]) => {
            calls.push('deployModel');
            return call(...args);
          };
        }
        if (key === 'getEndpoint') {
          return async (...args: unknown[]) => {
            const [found, ...rest] = await call(...args);
            return [hide(found as VertexEndpoint), ...rest];
          };
        }
        if (key === 'listEndpoints') {
          return async (...args: unknown[]) => {
            const [found, ...rest] = await call(...args);
            return [(found as VertexEndpoint[]).map(hide), ...rest];
          };
        }
        return call;
      },
    });
    const redelivered = new VertexServingTarget({
      ...where,
      clients: { ...stale, endpoint: endpointClient, prediction: stale.prediction, model: stale.model },
      endpointPrefix: PREFIX,
      endpointPattern: PIPELINE_ENDPOINT_PATTERN,
      trainedThroughOf,
      pollMs: 5,
    });
    const state = await redelivered.setTraffic(isbn, { '2': 100 });
    expect(calls).toEqual(['deployModel']);
    expect(state.deployments.map((d) => [d.version, d.trafficPercent, d.deployedModelId])).toEqual([
      ['1', 0, expect.any(String)],
      ['2', 100, id],
    ]);
    expect(
      vertex.server.world.endpoints
        .get(endpoint)!
        .deployedModels.map((d) => d.id)
        .filter((d) => d === id),
    ).toEqual([id]);
  });
});
