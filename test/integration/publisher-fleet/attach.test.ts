/**
 * Issue 12's "done when", end to end: the publisher's own fleet, attached.
 *
 * Local servers configured like real Google stand in for the cloud: the local
 * Vertex AI server at the documented per-region quotas, with long-running
 * deployments and Explain refused without an explanation spec; the MLflow
 * stand-in; a Cloud Storage JSON API server holding
 * `raw_data/UK_weekly_data.csv` in the publisher's own columns. 50 books are
 * registered exactly as the pipeline registers them — `arima_book_<ISBN>` in
 * MLflow with its run's metrics and params, a new Vertex Model per run sharing
 * that display name, one endpoint `book-sales-<ISBN>` per book — with no
 * forecast-guard metadata anywhere. forecast-guard runs as a user on one
 * machine runs it (FG_REGISTRY=mlflow + GOOGLE_CLOUD_PROJECT: the attached
 * fleet, state in SQLite; the CLI in-process, the functions in their own
 * processes under `up`'s local stack) and:
 *
 * 1. `adopt` finds the whole fleet and reports it fully monitored;
 * 2. `health run` computes live accuracy from the Cloud Storage actuals;
 * 3. a degraded book pages Slack within 5 minutes of a new sales object landing;
 * 4. an emergency rollback of one book verifies, with no Explain;
 * 5. deployments the pipeline makes are validated from their audit entries:
 *    a good one is kept, a bad one quarantined and rolled back automatically.
 *
 * FG_TEST_KEEP_STATE=1 keeps the state directory and the functions' info
 * logs (under its logs/) for a look after a failure.
 *
 * The world stands on fixed dates (fleet.json's asOf, the MLflow and Vertex
 * creation times): nothing depends on today's date.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VertexClients } from '../../../shared/adapters/gcp/vertex-clients';
import { createVertexClients } from '../../../shared/adapters/gcp/vertex-clients';
import { locationPath, type VertexLocation } from '../../../shared/adapters/gcp/vertex-names';
import { isoToTimestamp } from '../../../shared/adapters/gcp/vertex-values';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import type { ValidationReport } from '../../../shared/contracts/documents/validation-report';
import {
  addWeeks,
  saturdayOnOrAfter,
  saturdaysBetween,
  weeksBetween,
} from '../../../shared/domain/series/weeks';
import { startLocalStack, type LocalStack } from '../../../shared/local-stack/stack';
import { FLEET_MANIFEST_FILE } from '../../../shared/wiring/fleet-clock';
import { nextIsbn } from '../../builders/model';
import { publisherCsv, type PublisherRow } from '../../builders/publisher-sales';
import { deployModelEntry, PIPELINE_PRINCIPAL } from '../../builders/vertex-audit';
import { runCli } from '../../helpers/cli';
import { sameClockEnv } from '../../helpers/clock-env';
import { reportFigure } from '../../helpers/figures';
import { startGcsServer, type GcsServer } from '../../helpers/gcs-server';
import { startRecorder, type Recorder } from '../../helpers/http-recorder';
import { registerLikePipeline } from '../../helpers/mlflow-pipeline';
import { startMlflowServer, type MlflowServer } from '../../helpers/mlflow-server';
import { seedPipelineFleet, startVertexServer, type LocalVertexServer } from '../../helpers/vertex-server';
import { pipelineDeploy, uploadPipelineModel } from '../../helpers/vertex-pipeline-world';

jest.setTimeout(240_000);

const BOOKS = 50;
const WHERE: VertexLocation = { projectId: 'acme-books', location: 'europe-west2' };
const BUCKET = 'acme-book-sales';
const SALES_OBJECT = 'raw_data/UK_weekly_data.csv';
const TRAIN_START = '2012-01-01';
/** Version 2 (the serving one) trained through here; version 1 four weeks earlier. */
const TRAINED_THROUGH = '2024-06-29';
/** The last week in the first sales file; the drop adds the week after. */
const LAST_WEEK = '2024-08-24';
const DROP_WEEK = '2024-08-31';
/** Where the world stands: the Monday after the drop's week. */
const AS_OF = '2024-09-02T09:00:00.000Z';
const PAGE_GOAL_MS = 5 * 60_000;

const at = (iso: string) => Date.parse(iso);
/** `train_length` that puts a version's last training week on `through`, by the pipeline's rule. */
const trainLengthFor = (through: string) => weeksBetween(saturdayOnOrAfter(TRAIN_START), through) + 1;
/** Each book sells around its own level; the pipeline's container forecasts that level. */
const levelOf = (i: number) => 200 + 10 * i;
/** ±3 % that repeats: actuals near the forecast, never equal to it. */
const noise = (i: number, w: number) => 1 + 0.03 * Math.sin(i * 7 + w * 1.3);

describe("the publisher's fleet attached: adopt, watch, page, roll back, validate", () => {
  let stateDir: string;
  let vertex: LocalVertexServer;
  let mlflow: MlflowServer;
  let gcs: GcsServer;
  let slack: Recorder;
  let clients: VertexClients;
  let stack: LocalStack | undefined;
  let env: Record<string, string>;
  let mlflowNow = at('2024-06-03T10:00:00Z');
  const isbns: string[] = [];
  const endpoints = new Map<string, string>();
  const models = new Map<string, string[]>();
  const deployedIds = new Map<string, Record<string, string>>();

  let seededAt = 0;
  /** The world's "now" (fleet.json: asOf when seeded, then real time). */
  const worldNow = () => at(AS_OF) + (Date.now() - seededAt);

  const setCreateTime = (model: string, iso: string) => {
    const record = vertex.world.models.get(model)!;
    record.createTime = isoToTimestamp(iso) as typeof record.createTime;
    for (const v of record.versions) v.createTime = record.createTime;
  };

  function salesRows(through: string, degraded?: { isbn: string; from: string }): PublisherRow[] {
    const rows: PublisherRow[] = [];
    isbns.forEach((isbn, i) => {
      saturdaysBetween('2023-01-07', through).forEach((week, w) => {
        const collapsed = degraded?.isbn === isbn && week >= degraded.from;
        const volume = Math.round(levelOf(i) * noise(i, w) * (collapsed ? 0.15 : 1));
        rows.push({ isbn, title: `Book ${i + 1}, The`, week, volume });
      });
    });
    return rows;
  }

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-attach-'));
    [vertex, mlflow, gcs, slack] = await Promise.all([
      startVertexServer(),
      startMlflowServer({ now: () => mlflowNow }),
      startGcsServer(),
      startRecorder(),
    ]);
    clients = createVertexClients({ ...WHERE, apiEndpoint: vertex.apiEndpoint, lroFirstPollMs: 100 });

    // The pipeline's two runs per book: MLflow first, then the Vertex upload of models/.../latest.
    for (let i = 0; i < BOOKS; i++) isbns.push(nextIsbn());
    for (const [n, through, when] of [
      [1, addWeeks(TRAINED_THROUGH, -4), '2024-06-03T10:00:00Z'],
      [2, TRAINED_THROUGH, '2024-07-01T10:00:00Z'],
    ] as const) {
      mlflowNow = at(when);
      for (const isbn of isbns) {
        const v = registerLikePipeline(mlflow.state, {
          isbn,
          title: `Book ${isbns.indexOf(isbn) + 1}, The`,
          metrics: { rmse: 40, mape: 12, mae: 30 },
          trainLength: trainLengthFor(through),
        });
        expect(v.version).toBe(String(n));
      }
    }
    const seeded = seedPipelineFleet(vertex, {
      where: WHERE,
      books: isbns,
      versions: 2,
      deploy: 'all',
      behaviour: (isbn) => ({ forecast: () => levelOf(isbns.indexOf(isbn)) }),
    });
    for (const book of seeded) {
      endpoints.set(book.isbn, book.endpoint);
      models.set(book.isbn, book.models);
      deployedIds.set(book.isbn, book.deployedModelIds);
      setCreateTime(book.models[0]!, '2024-06-03T12:00:00Z');
      setCreateTime(book.models[1]!, '2024-07-01T12:00:00Z');
    }
    // A validation endpoint, for versions that do not hold the whole traffic (no Explain).
    const [op] = await clients.endpoint.createEndpoint({
      parent: locationPath(WHERE),
      endpointId: 'fg-validation',
      endpoint: { displayName: 'forecast-guard validation' },
    });
    await op.promise();

    gcs.createBucket(BUCKET);
    gcs.put(BUCKET, SALES_OBJECT, publisherCsv(salesRows(LAST_WEEK)), 'text/csv');

    // The world's date for every process on this state directory (the embedded backend's clock).
    seededAt = Date.now();
    writeFileSync(
      join(stateDir, FLEET_MANIFEST_FILE),
      JSON.stringify({
        asOf: AS_OF,
        books: BOOKS,
        seed: 0,
        seededAt: new Date(seededAt).toISOString(),
        fingerprint: 'attached',
      }),
    );
    // Two books page in this environment (staging warns; these are the publisher's bestsellers).
    const thresholds = join(stateDir, 'thresholds.json');
    writeFileSync(
      thresholds,
      JSON.stringify({
        [isbns[7]!]: { breachSeverity: 'critical' },
        [isbns[9]!]: { breachSeverity: 'critical' },
      }),
    );
    env = {
      ...sameClockEnv(),
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      FG_STATE_DIR: stateDir,
      FG_LOG_LEVEL: process.env.FG_TEST_KEEP_STATE ? 'info' : 'error',
      FG_ENVIRONMENT: 'staging',
      FG_THRESHOLDS_FILE: thresholds,
      FG_REGISTRY: 'mlflow',
      MLFLOW_TRACKING_URI: mlflow.url,
      GOOGLE_CLOUD_PROJECT: WHERE.projectId,
      FG_REGION: WHERE.location,
      FG_VERTEX_API_ENDPOINT: vertex.apiEndpoint,
      FG_VERTEX_ENDPOINT_PATTERN: 'book-sales-{isbn}',
      FG_VERTEX_ENDPOINT_LABELS: 'purpose=book_sales_forecasting',
      FG_VERTEX_VALIDATION_ENDPOINT: 'fg-validation',
      FG_PIPELINE_TRAIN_START: TRAIN_START,
      FG_SALES_URI: `gs://${BUCKET}/${SALES_OBJECT}`,
      FG_SALES_UPDATES_PREFIX: 'raw_data/',
      FG_DEPLOYER_PRINCIPALS: 'fg-functions@acme-books.iam.gserviceaccount.com',
      STORAGE_EMULATOR_HOST: gcs.host,
      SLACK_WEBHOOK_URL: `${slack.url}/services/T0/B0/secret`,
    };
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await clients?.close();
    await Promise.all([vertex?.stop(), mlflow?.close(), gcs?.stop(), slack?.close()]);
    if (process.env.FG_TEST_KEEP_STATE) process.stdout.write(`state kept in ${stateDir}\n`);
    else rmSync(stateDir, { recursive: true, force: true });
  });

  it('adopt finds all 50 books as the pipeline registered them and reports the fleet fully monitored', async () => {
    const run = await runCli(env, 'adopt', '--json');
    const report = run.json();
    expect(run.code).toBe(0);
    expect(report.ready).toBe(true);
    expect(report.found).toMatchObject({
      books: BOOKS,
      versions: 2 * BOOKS,
      pipelineVersions: 2 * BOOKS,
      endpoints: BOOKS,
      servingVersions: BOOKS,
      booksWithActuals: BOOKS,
    });
    for (const book of report.books) expect(book).toMatchObject({ serving: '2', blockers: [] });
    // Where nothing better existed, the version serving now became last-known-good, saying so.
    expect(report.lastKnownGood.recorded).toHaveLength(BOOKS);
    const versions = await runCli(env, 'versions', '--isbn', isbns[0]!, '--json');
    expect(versions.json()).toMatchObject({ serving: '2', lastKnownGood: '2' });
  });

  it('health run computes live accuracy for every book from the Cloud Storage actuals', async () => {
    const run = await runCli(env, 'health', 'run', '--json');
    const doc = run.json();
    expect(doc.models).toHaveLength(BOOKS);
    for (const m of doc.models) {
      // 8 weeks after training (2024-07-06 .. 2024-08-24), actuals within ±3 % of the forecast.
      expect(m.version).toBe('2');
      expect(m.mape).toBeGreaterThan(0);
      expect(m.mape).toBeLessThan(5);
    }
    expect(doc.alerts.filter((a: { severity: string }) => a.severity === 'critical')).toEqual([]);
    const reads = gcs.requests.filter((r) => r.method === 'GET' && r.range !== undefined);
    expect(reads.length).toBeGreaterThanOrEqual(BOOKS); // one ranged read per book, not the whole file each time
  });

  it('pages for a degraded book within 5 minutes of a new sales object landing', async () => {
    stack = await startLocalStack({
      env,
      only: ['health-check', 'alert-dispatch', 'sales-data-events', 'post-deploy-validation', 'rollback'],
      schedules: false,
      dashboard: false,
      watchSales: false,
      port: 0,
    });
    const degraded = isbns[7]!;
    const before = slack.requests.length;
    // This week's file replaces last week's: one more week for every book, and one book collapsing.
    const landed = performance.now();
    const generation = gcs.put(
      BUCKET,
      SALES_OBJECT,
      publisherCsv(salesRows(DROP_WEEK, { isbn: degraded, from: '2024-07-20' })),
      'text/csv',
    );
    await stack.backend.bus.publish('sales-data-updates', finalizeNotification(generation));
    const [page] = (await slack.waitFor(before + 1, PAGE_GOAL_MS)).slice(before);
    const landingToPageMs = performance.now() - landed;
    reportFigure(
      'publisher-fleet',
      'sales object lands → critical page (attached fleet)',
      `${landingToPageMs.toFixed(0)} ms (goal 5 min)`,
    );
    expect(landingToPageMs).toBeLessThan(PAGE_GOAL_MS);
    expect(JSON.stringify(page!.body)).toContain(degraded);
    expect(JSON.stringify(page!.body)).toMatch(/critical/i);
  });

  it('rolls one book back to its older version and verifies it, with no Explain', async () => {
    const isbn = isbns[3]!;
    const explainsBefore = vertex.world.quota.admitted.online_explain ?? 0;
    const run = await runCli(
      env,
      'rollback',
      '--isbn',
      isbn,
      '--to-version',
      '1',
      '--by',
      'on-call',
      '--json',
    );
    expect(run.code).toBe(0);
    expect(run.json().results).toEqual([
      expect.objectContaining({ isbn, from: '2', to: '1', verified: true }),
    ]);
    const [endpoint] = await clients.endpoint.getEndpoint({ name: endpoints.get(isbn)! });
    const older = deployedIds.get(isbn)![models.get(isbn)![0]!]!;
    // Vertex keeps only the entries with traffic: the newer Model stays deployed, at 0 %.
    expect(endpoint.trafficSplit).toEqual({ [older]: 100 });
    expect(endpoint.deployedModels).toHaveLength(2);
    expect(vertex.world.quota.admitted.online_explain ?? 0).toBe(explainsBefore);
  });

  it.each([
    ['a good deployment is validated and kept', 5, 1, false],
    ['a bad deployment is quarantined and rolled back automatically', 9, 6, true],
  ])('%s', async (_label, index, factor, bad) => {
    const isbn = isbns[index]!;
    const level = levelOf(index) * factor;
    // The pipeline's third run: MLflow first, then a new Model deployed with the whole traffic.
    mlflowNow = at('2024-09-01T08:00:00Z');
    registerLikePipeline(mlflow.state, {
      isbn,
      title: `Book ${index + 1}, The`,
      metrics: { rmse: 40, mape: 12, mae: 30 },
      trainLength: trainLengthFor(DROP_WEEK),
    });
    const model = await uploadPipelineModel(vertex, clients, WHERE, isbn, level);
    setCreateTime(model, '2024-09-01T09:00:00Z');
    const deployedModelId = await pipelineDeploy(clients, endpoints.get(isbn)!, model, isbn);
    const entry = deployModelEntry({
      endpoint: endpoints.get(isbn)!,
      model,
      principal: PIPELINE_PRINCIPAL,
      operation: `op-${isbn}`,
      timestamp: new Date(worldNow()).toISOString(),
    });
    await stack!.backend.bus.publish('model-deployments', { data: entry, attributes: {} });

    const report = await eventually(async () => {
      const reports = await stack!.backend.state.query<ValidationReport>(COLLECTIONS.validationReports);
      return reports.map((r) => r.data).find((r) => r.isbn === isbn && r.version === '3');
    }, 180_000);
    expect(report.passed).toBe(!bad);
    const serving = async () => (await clients.endpoint.getEndpoint({ name: endpoints.get(isbn)! }))[0];
    if (!bad) {
      expect((await serving()).trafficSplit?.[deployedModelId]).toBe(100);
      return;
    }
    // Quarantined in MLflow (forecast-guard's own tag), and the endpoint back on version 2.
    const previous = deployedIds.get(isbn)![models.get(isbn)![1]!]!;
    await eventually(
      async () => ((await serving()).trafficSplit?.[previous] === 100 ? true : undefined),
      120_000,
    );
    const quarantined = await eventually(async () => {
      const run = await runCli(env, 'versions', '--isbn', isbn, '--json');
      return /quarantin/i.test(run.stdout) ? run.stdout : undefined;
    }, 30_000);
    expect(quarantined).toContain('"3"');
  });
});

/** What Cloud Storage publishes for the new generation (OBJECT_FINALIZE, JSON_API_V1): attributes and the object. */
function finalizeNotification(generation: string) {
  const eventTime = new Date().toISOString().replace('Z', '000Z');
  return {
    attributes: {
      notificationConfig: `projects/_/buckets/${BUCKET}/notificationConfigs/1`,
      eventType: 'OBJECT_FINALIZE',
      payloadFormat: 'JSON_API_V1',
      bucketId: BUCKET,
      objectId: SALES_OBJECT,
      objectGeneration: generation,
      eventTime,
    },
    data: {
      kind: 'storage#object',
      id: `${BUCKET}/${SALES_OBJECT}/${generation}`,
      name: SALES_OBJECT,
      bucket: BUCKET,
      generation,
      metageneration: '1',
      contentType: 'text/csv',
      storageClass: 'STANDARD',
    },
  };
}

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
