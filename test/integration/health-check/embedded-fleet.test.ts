/**
 * `forecast-guard health run` on a seeded embedded fleet (12 books), in
 * process: a healthy fleet fires no accuracy alert; `demo degrade` makes
 * exactly that book fire; rolling it back to its last-known-good version
 * through the ports resolves those alerts on the next run; `demo drift`
 * shows as data drift. Exit codes as README's Operator CLI says.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/main';
import { SqliteEventBus } from '../../../shared/adapters/local/sqlite-event-bus';
import { loadConfig } from '../../../shared/config';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import { HealthReport } from '../../../shared/contracts/documents/health-report';
import type { LastKnownGood } from '../../../shared/contracts/documents/last-known-good';
import { Alert, MODEL_METRIC_ALERT_KINDS } from '../../../shared/contracts/messages/alert';
import { PRODUCTION_ALIAS } from '../../../shared/ports/model-registry';
import { seedEmbeddedFleet } from '../../../shared/wiring/seed';
import { openBackend, QUEUE_DB_FILE, SALES_CSV_FILE } from '../../../shared/wiring/backend';
import { ensureTopology } from '../../../shared/wiring/topology-setup';
import { reportFigure } from '../../helpers/figures';

const ALCHEMIST = '9780722532935';
const CATERPILLAR = '9780241003008';
const TAP = 'test-health-cli-alerts-tap';

interface RunDoc {
  status: string;
  runId: string;
  durationMs: number;
  models: Array<{ isbn: string; status: string; rmse?: number; version?: string }>;
  alerts: Array<{ kind: string; severity: string; isbn?: string }>;
  resolved: Array<{ kind: string; severity: string; isbn?: string }>;
}

async function run(env: Record<string, string>, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    env,
    streams: { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) },
  });
  return { code, stdout, stderr, doc: () => JSON.parse(stdout) as RunDoc };
}

const keys = (alerts: RunDoc['alerts']) => alerts.map((a) => `${a.kind}:${a.isbn ?? '-'}`).sort();

describe('forecast-guard health run (embedded fleet)', () => {
  let stateDir: string;
  let env: Record<string, string>;
  let bus: SqliteEventBus;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-health-cli-'));
    env = { FG_STATE_DIR: stateDir, FG_LOG_LEVEL: 'error' };
    const backend = openBackend(loadConfig(env));
    await seedEmbeddedFleet(
      { stateDir, salesCsv: join(stateDir, SALES_CSV_FILE), books: 12, seed: 42 },
      backend,
    );
    await ensureTopology(backend.bus);
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
  }, 60_000);

  afterAll(async () => {
    await bus.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function drain(): Promise<Array<{ alert: Alert; attributes: Record<string, string> }>> {
    const out = [];
    for (;;) {
      const msgs = await bus.pull(TAP, 100, 100);
      if (msgs.length === 0) return out;
      await bus.ack(
        TAP,
        msgs.map((m) => m.ackId),
      );
      for (const m of msgs)
        out.push({ alert: Alert.parse(JSON.parse(m.data.toString('utf8'))), attributes: m.attributes });
    }
  }

  async function withPorts<T>(fn: (b: ReturnType<typeof openBackend>) => Promise<T>): Promise<T> {
    const backend = openBackend(loadConfig(env));
    try {
      return await fn(backend);
    } finally {
      await backend.close();
    }
  }

  it('finds the freshly seeded fleet healthy: no alert, exit 0, report written', async () => {
    const res = await run(env, 'health', 'run', '--json');
    const doc = res.doc();
    reportFigure('health-check', 'embedded 12 books, one run', `${doc.durationMs} ms`);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(doc.models).toHaveLength(12);
    for (const m of doc.models)
      expect(m).toMatchObject({ version: '3', status: 'healthy', rmse: expect.any(Number) });
    expect(doc).toMatchObject({ status: 'healthy', alerts: [] });
    expect(await drain()).toEqual([]);
    const report = await withPorts(async (b) => b.state.get(COLLECTIONS.healthReports, doc.runId));
    expect(HealthReport.parse(report!.data)).toMatchObject({
      trigger: 'manual',
      status: 'healthy',
      alerts: [],
    });
  });

  it('fires pipeline_stale when training stops, and resolves it once a run succeeds', async () => {
    // Fails the newest run: the last success is now more than the stale age ago.
    await withPorts(async (b) => {
      const runs = await b.pipelines.listRuns({ limit: 10 });
      for (const r of runs.filter((x) => x.state === 'PIPELINE_STATE_SUCCEEDED' && x.registered.length === 0))
        await b.pipelines.recordRun({ ...r, state: 'PIPELINE_STATE_CANCELLED' });
    });
    const stale = await run(env, 'health', 'run', '--json');
    expect(stale.code).toBe(1);
    expect(keys(stale.doc().alerts)).toEqual(expect.arrayContaining(['pipeline_stale:-']));
    const published = await drain();
    const staleAlert = published.find((p) => p.alert.kind === 'pipeline_stale');
    expect(staleAlert!.attributes).toMatchObject({
      runId: stale.doc().runId,
      correlationId: staleAlert!.alert.correlationId,
    });

    await withPorts(async (b) =>
      b.pipelines.recordRun({
        id: 'arima-weekly-training-20241228',
        pipelineName: 'arima-weekly-training',
        state: 'PIPELINE_STATE_SUCCEEDED',
        startTime: new Date(b.clock.now().getTime() - 3_600_000).toISOString(),
        endTime: new Date(b.clock.now().getTime() - 600_000).toISOString(),
      }),
    );
    const res = await run(env, 'health', 'run', '--json');
    expect(res.code).toBe(0);
    expect(res.doc()).toMatchObject({ status: 'healthy', alerts: [] });
    expect(res.doc().resolved.map((r: { kind: string }) => r.kind)).toContain('pipeline_stale');
    await drain();
  });

  it('after demo degrade, fires the accuracy rules for exactly that book', async () => {
    expect((await run(env, 'demo', 'degrade', '--isbn', ALCHEMIST)).code).toBe(0);
    const res = await run(env, 'health', 'run', '--json');
    expect(res.code).toBe(1);
    const doc = res.doc();
    expect(new Set(doc.alerts.map((a) => a.isbn))).toEqual(new Set([ALCHEMIST]));
    expect(keys(doc.alerts)).toEqual(expect.arrayContaining([`rmse_spike:${ALCHEMIST}`]));
    expect(doc.alerts.every((a) => MODEL_METRIC_ALERT_KINDS.includes(a.kind as never))).toBe(true);
    expect(doc.models.find((m) => m.isbn === ALCHEMIST)).toMatchObject({ version: '4', status: 'degraded' });
    const published = await drain();
    expect(published.map((p) => `${p.alert.kind}:${p.alert.isbn}`).sort()).toEqual(keys(doc.alerts));
    expect(new Set(published.map((p) => p.attributes.correlationId)).size).toBe(1);
  });

  it('prints a readable table without --json', async () => {
    const res = await run(env, 'health', 'run', '--isbn', ALCHEMIST);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^health degraded: 1 book\(s\), \d+ firing/);
    expect(res.stdout).toContain('rmse_spike');
    expect(res.stdout).toContain(ALCHEMIST);
    await drain();
  });

  it('publishes resolved alerts for the same kinds after a rollback to last-known-good', async () => {
    const firing = keys((await run(env, 'health', 'run', '--json')).doc().alerts);
    await drain();
    await withPorts(async (b) => {
      const lkg = await b.state.get<LastKnownGood>(COLLECTIONS.lastKnownGood, ALCHEMIST);
      await b.serving.setTraffic(ALCHEMIST, { [lkg!.data.version]: 100 });
      await b.registry.setAlias(ALCHEMIST, PRODUCTION_ALIAS, lkg!.data.version);
    });
    const res = await run(env, 'health', 'run', '--json');
    expect(res.code).toBe(0);
    const doc = res.doc();
    expect(doc.alerts).toEqual([]);
    expect(keys(doc.resolved)).toEqual(firing);
    const published = await drain();
    expect(published.every((p) => p.alert.status === 'resolved' && p.alert.modelVersion === '3')).toBe(true);
    expect(published).toHaveLength(firing.length);
    // Nothing more to say on the next run.
    expect((await run(env, 'health', 'run', '--json')).doc()).toMatchObject({ alerts: [], resolved: [] });
    await drain();
  });

  it('after demo drift, raises data_drift for that book', async () => {
    expect((await run(env, 'demo', 'drift', '--isbn', CATERPILLAR)).code).toBe(0);
    const res = await run(env, 'health', 'run', '--isbn', CATERPILLAR, '--json');
    expect(res.code).toBe(1);
    expect(keys(res.doc().alerts)).toContain(`data_drift:${CATERPILLAR}`);
    expect(new Set(res.doc().alerts.map((a) => a.isbn))).toEqual(new Set([CATERPILLAR]));
    await drain();
  });

  it('exits 2 naming a bad or undeployed ISBN, and 3 when the backend cannot be opened', async () => {
    const bad = await run(env, 'health', 'run', '--isbn', '9780722532936');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected 5');
    const undeployed = await run(env, 'health', 'run', '--isbn', '9781910000014');
    expect(undeployed.code).toBe(2);
    expect(undeployed.stderr).toContain('9781910000014 has no endpoint');
    const file = join(stateDir, 'not-a-dir');
    writeFileSync(file, 'x');
    const unreachable = await run({ ...env, FG_STATE_DIR: join(file, 'state') }, 'health', 'run', '--json');
    expect(unreachable.code).toBe(3);
    expect(unreachable.stdout).toBe('');
    expect(unreachable.stderr).toContain('could not open the local backend');
  });
});
