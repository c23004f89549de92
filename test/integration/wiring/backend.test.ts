/**
 * The one wiring module picks the adapters the config names: SQLite and CSV
 * on one machine; Firestore, Pub/Sub and Vertex AI on Google Cloud (here: the
 * emulators and the local Vertex AI server, through the same config a
 * deployed function reads).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FirestoreStateStore } from '../../../shared/adapters/gcp/firestore-state-store';
import { PubSubEventBus } from '../../../shared/adapters/gcp/pubsub-event-bus';
import { VertexModelRegistry } from '../../../shared/adapters/gcp/vertex-model-registry';
import { VertexServingTarget } from '../../../shared/adapters/gcp/vertex-serving-target';
import { SlicedSalesData } from '../../../shared/adapters/sales/sliced-sales-data';
import { SqliteEventBus } from '../../../shared/adapters/local/sqlite-event-bus';
import { SqliteModelRegistry } from '../../../shared/adapters/local/sqlite-model-registry';
import { SqliteStateStore } from '../../../shared/adapters/local/sqlite-state-store';
import { loadConfig } from '../../../shared/config';
import { MlflowModelRegistry } from '../../../shared/adapters/mlflow/mlflow-model-registry';
import { BackendUnavailableError, ConfigError, ServingUnknownError } from '../../../shared/errors';
import { openBackend } from '../../../shared/wiring/backend';
import { ensureLocalTopology } from '../../../shared/wiring/topology-setup';
import { aNewModelVersion, nextIsbn } from '../../builders/model';
import { describeOnEmulators, emulatorHosts, uniqueProjectId } from '../../helpers/emulators';
import { startVertexServer, type LocalVertexServer } from '../../helpers/vertex-server';

describe('openBackend', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'fg-wiring-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('builds the embedded backend by default', async () => {
    const backend = openBackend(loadConfig({ FG_STATE_DIR: dir }));
    expect(backend.state).toBeInstanceOf(SqliteStateStore);
    expect(backend.bus).toBeInstanceOf(SqliteEventBus);
    expect(backend.registry).toBeInstanceOf(SqliteModelRegistry);
    expect(backend.embeddedRegistry).toBe(backend.registry);
    expect((await backend.registry.ping()).ok).toBe(true);
    await backend.close();
  });

  it('opens MLflow alone on one machine, with serving unknown and refused by name', async () => {
    const config = loadConfig({
      FG_STATE_DIR: dir,
      FG_REGISTRY: 'mlflow',
      MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000',
    });
    const backend = openBackend(config);
    try {
      expect(backend.registry).toBeInstanceOf(MlflowModelRegistry);
      expect(backend.state).toBeInstanceOf(SqliteStateStore);
      const refused = await backend.serving
        .setTraffic('9780722532935', { '1': 100 })
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ServingUnknownError);
      expect(refused).toBeInstanceOf(ConfigError);
      expect((refused as Error).message).toMatch(
        /serving is unknown: .*FG_REGISTRY=mlflow.* set GOOGLE_CLOUD_PROJECT/,
      );
      await expect(backend.serving.listServing()).rejects.toBeInstanceOf(ServingUnknownError);
    } finally {
      await backend.close();
    }
  });
});

describe("openBackend: the publisher's fleet attached from one machine", () => {
  it("serves MLflow versions from the project's Vertex AI endpoints while state stays in SQLite", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-wiring-attach-'));
    const config = loadConfig({
      FG_STATE_DIR: dir,
      FG_REGISTRY: 'mlflow',
      MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000',
      GOOGLE_CLOUD_PROJECT: 'acme-forecasts',
      FG_VERTEX_API_ENDPOINT: '127.0.0.1:1',
    });
    const backend = openBackend(config);
    try {
      expect(backend.registry).toBeInstanceOf(MlflowModelRegistry);
      expect(backend.serving).toBeInstanceOf(VertexServingTarget);
      expect(backend.state).toBeInstanceOf(SqliteStateStore);
      expect(backend.bus).toBeInstanceOf(SqliteEventBus);
    } finally {
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('openBackend: one bound on waiting for Vertex AI operations', () => {
  let vertex: LocalVertexServer;
  beforeAll(async () => {
    vertex = await startVertexServer();
  });
  afterAll(() => vertex.stop());

  it('gives up on a deployment after FG_VERTEX_LRO_DEADLINE, not a bound of its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-wiring-lro-'));
    const backend = openBackend(
      loadConfig({
        FG_STATE_DIR: dir,
        FG_REGISTRY: 'vertex',
        GOOGLE_CLOUD_PROJECT: uniqueProjectId(),
        FG_VERTEX_API_ENDPOINT: vertex.apiEndpoint,
        FG_VERTEX_LRO_DEADLINE: '2s',
      }),
    );
    try {
      const isbn = nextIsbn();
      const v = await backend.registry.registerVersion(aNewModelVersion({ isbn }));
      // Operations that would take a minute: the adapter's own timer (2 s) fires before gax's
      // polling (1 s, then 1.5 s later) sees its deadline, and names the bound it kept.
      vertex.world.operationDelayMs = 60_000;
      const started = performance.now();
      const err: unknown = await backend.serving.setTraffic(isbn, { [v.version]: 100 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(BackendUnavailableError);
      expect((err as Error).message).toMatch(/did not finish within 2 s/);
      expect(performance.now() - started).toBeLessThan(10_000);
    } finally {
      vertex.world.operationDelayMs = 300;
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeOnEmulators('openBackend on Google Cloud', () => {
  let vertex: LocalVertexServer;
  beforeAll(async () => {
    vertex = await startVertexServer();
  });
  afterAll(() => vertex.stop());

  it('wires Firestore, Pub/Sub and Vertex AI from the same config a function reads', async () => {
    const hosts = emulatorHosts()!;
    const projectId = uniqueProjectId();
    const config = loadConfig({
      FG_BACKEND: 'gcp',
      FG_REGISTRY: 'vertex',
      GOOGLE_CLOUD_PROJECT: projectId,
      FG_REGION: 'europe-west2',
      FG_VERTEX_API_ENDPOINT: vertex.apiEndpoint,
      PUBSUB_EMULATOR_HOST: hosts.pubsub,
      FIRESTORE_EMULATOR_HOST: hosts.firestore,
      FG_SALES_URI: 'gs://forecast-guard-sales/raw_data/UK_weekly_data.csv',
    });
    const backend = openBackend(config);
    try {
      expect(backend.sales).toBeInstanceOf(SlicedSalesData);
      expect(backend.state).toBeInstanceOf(FirestoreStateStore);
      expect(backend.bus).toBeInstanceOf(PubSubEventBus);
      expect(backend.registry).toBeInstanceOf(VertexModelRegistry);
      expect(backend.serving).toBeInstanceOf(VertexServingTarget);

      await ensureLocalTopology(config, backend.bus);
      expect(await backend.bus.publish('alerts', { data: { hello: 'world' } })).toMatch(/\S/);
      await backend.state.set('wiring-check', 'a', { ok: true });
      expect((await backend.state.get('wiring-check', 'a'))?.data).toEqual({ ok: true });

      const isbn = nextIsbn();
      const v = await backend.registry.registerVersion(aNewModelVersion({ isbn }));
      await backend.serving.setTraffic(isbn, { [v.version]: 100 });
      const res = await backend.serving.predict(isbn, [{ steps: 3 }]);
      expect(res.predictions[0]?.forecast).toHaveLength(3);
    } finally {
      await backend.close();
    }
  });

  it('refuses Google Cloud without FG_SALES_URI instead of reading a local sales.csv', () => {
    const hosts = emulatorHosts()!;
    const config = loadConfig({
      FG_BACKEND: 'gcp',
      FG_REGISTRY: 'vertex',
      GOOGLE_CLOUD_PROJECT: uniqueProjectId(),
      FG_VERTEX_API_ENDPOINT: vertex.apiEndpoint,
      PUBSUB_EMULATOR_HOST: hosts.pubsub,
      FIRESTORE_EMULATOR_HOST: hosts.firestore,
    });
    expect(() => openBackend(config)).toThrow(ConfigError);
    expect(() => openBackend(config)).toThrow(/^FG_SALES_URI is required when FG_BACKEND=gcp/);
  });
});
