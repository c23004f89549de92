/**
 * The health-check use case over real embedded adapters (a temp dir): what
 * fires, what is published with which attributes, what the report says, and
 * how resolution, carry-over, idempotency and bounded concurrency behave.
 */
import { COLLECTIONS } from '../../../../shared/contracts/collections';
import { HealthReport } from '../../../../shared/contracts/documents/health-report';
import { Alert } from '../../../../shared/contracts/messages/alert';
import { NotFoundError } from '../../../../shared/errors';
import type { ServingTarget } from '../../../../shared/ports/serving-target';
import {
  runHealthCheck,
  runIdForMessage,
  type HealthCheckRun,
} from '../../../../shared/services/health-check';
import { buildWorld, type World } from './world';

let seq = 0;
function aRun(overrides: Partial<HealthCheckRun> = {}): HealthCheckRun {
  seq += 1;
  return { runId: `hc-test-${seq}`, trigger: 'manual', correlationId: `corr-test-${seq}`, ...overrides };
}

const kindsOf = (alerts: Array<{ kind: string; isbn?: string; status: string }>) =>
  alerts.map((a) => `${a.status}:${a.kind}:${a.isbn ?? '-'}`).sort();

describe('runHealthCheck', () => {
  let world: World;

  beforeEach(async () => {
    world = await buildWorld();
  });
  afterEach(async () => world.close());

  it('finds a healthy fleet healthy, publishes nothing and writes a valid report', async () => {
    const run = aRun({ trigger: 'schedule' });
    const result = await runHealthCheck(run, world.deps, world.settings());
    expect(result.status).toBe('healthy');
    expect(result.alerts).toEqual([]);
    expect(await world.published()).toEqual([]);
    expect(result.models.map((m) => m.isbn).sort()).toEqual([...world.isbns].sort());
    for (const m of result.models) {
      expect(m).toMatchObject({ version: '1', status: 'healthy', rmse: 0, mape: 0, baselineRmse: 12 });
      expect(m.canaryLatencyMs).toBeGreaterThanOrEqual(0);
    }
    const stored = await world.state.get(COLLECTIONS.healthReports, run.runId);
    const report = HealthReport.parse(stored!.data);
    expect(report).toMatchObject({
      runId: run.runId,
      trigger: 'schedule',
      status: 'healthy',
      startedAt: '2025-01-01T09:00:00.000Z',
      correlationId: run.correlationId,
      registry: { ok: true },
      alerts: [],
    });
    expect(report.models).toHaveLength(3);
  });

  it('logs each step with its duration and the run’s correlation id', async () => {
    const run = aRun();
    await runHealthCheck(run, world.deps, world.settings());
    const steps = world.logs.entries().filter((e) => typeof e.step === 'string');
    expect(steps.map((e) => e.step)).toEqual([
      'health check: registry ping',
      'health check: pipeline status',
      'health check: schedules',
      'health check: models',
      'health check: previous report',
      'health check: metric anomalies',
      'health check: publish',
      'health check: metric points',
      'health check: report write',
    ]);
    for (const e of steps) {
      expect(e.durationMs).toEqual(expect.any(Number));
      expect(e.correlationId).toBe(run.correlationId);
      expect(e.runId).toBe(run.runId);
    }
  });

  it('fires the accuracy rules for exactly the book serving a broken forecast, and publishes them', async () => {
    const [broken] = world.isbns;
    const version = await world.serveBroken(broken!);
    const run = aRun();
    const result = await runHealthCheck(
      run,
      world.deps,
      world.settings({}, { FG_ENVIRONMENT: 'production' }),
    );
    expect(kindsOf(result.alerts)).toEqual([
      `firing:mape_above_threshold:${broken}`,
      `firing:mape_increase:${broken}`,
      `firing:rmse_above_threshold:${broken}`,
      `firing:rmse_spike:${broken}`,
    ]);
    expect(result.status).toBe('unhealthy');
    expect(result.models.find((m) => m.isbn === broken)).toMatchObject({ version, status: 'unhealthy' });
    const published = await world.published();
    expect(published).toHaveLength(4);
    for (const { alert, attributes } of published) {
      expect(Alert.parse(alert)).toMatchObject({
        isbn: broken,
        modelVersion: version,
        severity: 'critical',
        source: 'health-check',
        runId: run.runId,
        correlationId: run.correlationId,
        environment: 'production',
      });
      expect(attributes).toMatchObject({
        correlationId: run.correlationId,
        runId: run.runId,
        kind: alert.kind,
        severity: 'critical',
        status: 'firing',
        isbn: broken,
      });
    }
    const report = HealthReport.parse((await world.state.get(COLLECTIONS.healthReports, run.runId))!.data);
    expect(report.status).toBe('unhealthy');
    expect(kindsOf(report.alerts.map((a) => ({ ...a, status: 'firing' })))).toEqual(kindsOf(result.alerts));
    // The unhealthy book comes first in the report.
    expect(report.models[0]).toMatchObject({ isbn: broken, status: 'unhealthy' });
  });

  it('publishes resolved alerts (same kind and isbn) once the book is rolled back, and only once', async () => {
    const [broken] = world.isbns;
    await world.serveBroken(broken!);
    await runHealthCheck(aRun(), world.deps, world.settings());
    const fired = (await world.published()).map((p) => p.alert);
    expect(fired.length).toBeGreaterThan(0);

    await world.serving.setTraffic(broken!, { '1': 100 });
    const after = await runHealthCheck(aRun(), world.deps, world.settings());
    const resolved = (await world.published()).map((p) => p.alert);
    expect(kindsOf(resolved)).toEqual(kindsOf(fired.map((a) => ({ ...a, status: 'resolved' }))));
    for (const r of resolved) {
      const twin = fired.find((f) => f.kind === r.kind)!;
      expect(r).toMatchObject({ isbn: twin.isbn, severity: twin.severity, modelVersion: '1' });
    }
    expect(after.status).toBe('healthy');

    await runHealthCheck(aRun(), world.deps, world.settings());
    expect(await world.published()).toEqual([]);
  });

  it('does nothing again for a runId that already completed (a redelivered request)', async () => {
    await world.serveBroken(world.isbns[0]!);
    const run = aRun({ runId: runIdForMessage('1234567890') });
    const first = await runHealthCheck(run, world.deps, world.settings());
    const firstPublished = await world.published();
    expect(firstPublished.length).toBeGreaterThan(0);
    const again = await runHealthCheck({ ...run, correlationId: 'corr-other' }, world.deps, world.settings());
    expect(again.duplicate).toBe(true);
    expect(again.alerts).toEqual([]);
    expect(again.report).toEqual(first.report);
    expect(await world.published()).toEqual([]);
    expect(run.runId).toBe('hc-1234567890');
  });

  it('raises registry_unreachable, still runs canaries, and carries accuracy alerts it could not re-check', async () => {
    const [broken] = world.isbns;
    await world.serveBroken(broken!);
    await runHealthCheck(aRun(), world.deps, world.settings());
    await world.published();

    const down = {
      ...world.deps,
      registry: Object.assign(Object.create(world.registry), {
        ping: async () => ({ ok: false, latencyMs: 12, detail: 'connect ECONNREFUSED 127.0.0.1:5000' }),
      }),
    };
    const result = await runHealthCheck(aRun(), down, world.settings());
    expect(kindsOf(result.alerts)).toEqual(['firing:registry_unreachable:-']);
    expect(result.status).toBe('unhealthy');
    for (const m of result.models) {
      expect(m.canaryLatencyMs).toEqual(expect.any(Number));
      expect(m.rmse).toBeUndefined();
      expect(m.notes).toContain('registry unreachable: accuracy and drift not checked');
    }
    expect(result.report.registry).toEqual({
      ok: false,
      latencyMs: 12,
      error: 'connect ECONNREFUSED 127.0.0.1:5000',
    });
    // Still firing as far as anyone knows: kept in the report, not resolved.
    expect(result.report.alerts.filter((a) => a.isbn === broken).length).toBeGreaterThan(0);
    expect((await world.published()).map((p) => p.alert.status)).toEqual(['firing']);

    const back = await runHealthCheck(aRun(), world.deps, world.settings());
    expect(kindsOf(back.alerts).filter((k) => k.startsWith('resolved:registry'))).toEqual([
      'resolved:registry_unreachable:-',
    ]);
    expect(kindsOf(back.alerts).filter((k) => k.startsWith('firing:'))).toEqual(
      expect.arrayContaining([`firing:rmse_spike:${broken}`]),
    );
  });

  it('raises endpoint_unhealthy for a book whose canary prediction fails', async () => {
    const [, sick] = world.isbns;
    const serving: ServingTarget = Object.assign(Object.create(world.serving), {
      predict: async (isbn: string, instances: unknown[], options?: { version?: string }) => {
        if (isbn === sick) throw new Error('deadline exceeded');
        return world.serving.predict(isbn, instances, options);
      },
    });
    const result = await runHealthCheck(aRun(), { ...world.deps, serving }, world.settings());
    expect(kindsOf(result.alerts)).toEqual([`firing:endpoint_unhealthy:${sick}`]);
    expect(result.alerts[0]!.summary).toContain('deadline exceeded');
    expect(result.models.find((m) => m.isbn === sick)).toMatchObject({ status: 'unhealthy' });
  });

  it('checks only the books asked for, and keeps other books’ alerts firing in the report', async () => {
    const [a, b] = world.isbns;
    await world.serveBroken(a!);
    await runHealthCheck(aRun(), world.deps, world.settings());
    await world.published();

    const scoped = await runHealthCheck(aRun({ isbns: [b!] }), world.deps, world.settings());
    expect(scoped.models.map((m) => m.isbn)).toEqual([b]);
    expect(scoped.status).toBe('healthy');
    expect(await world.published()).toEqual([]);
    expect(scoped.report.alerts.map((x) => x.isbn)).toContain(a);
    expect(scoped.report.status).toBe('degraded');

    await world.serving.setTraffic(a!, { '1': 100 });
    const full = await runHealthCheck(aRun(), world.deps, world.settings());
    expect(full.alerts.filter((x) => x.status === 'resolved').map((x) => x.isbn)).toContain(a);
  });

  it('refuses books with no endpoint, naming them, before checking anything', async () => {
    const run = aRun({ isbns: [world.isbns[0]!, '9781910000014'] });
    await expect(runHealthCheck(run, world.deps, world.settings())).rejects.toThrow(NotFoundError);
    await expect(runHealthCheck(run, world.deps, world.settings())).rejects.toThrow(
      'isbns: 9781910000014 has no endpoint',
    );
    expect(await world.state.get(COLLECTIONS.healthReports, run.runId)).toBeUndefined();
  });

  it('with onlyServed (a sales drop names every book sold) skips books with no endpoint and checks the rest', async () => {
    const run = aRun({ isbns: [world.isbns[0]!, '9781910000014'], onlyServed: true, trigger: 'sales-data' });
    const result = await runHealthCheck(run, world.deps, world.settings());
    expect(result.models.map((m) => m.isbn)).toEqual([world.isbns[0]]);
    const stored = await world.state.get<HealthReport>(COLLECTIONS.healthReports, run.runId);
    expect(stored!.data.trigger).toBe('sales-data');
    expect(stored!.data.models.map((m) => m.isbn)).toEqual([world.isbns[0]]);
  });

  it('calls actuals and the pipeline stale when the clock has moved on, on whole-fleet runs only', async () => {
    world.clock.set('2025-02-01T09:00:00.000Z');
    const result = await runHealthCheck(aRun(), world.deps, world.settings());
    expect(kindsOf(result.alerts)).toEqual(['firing:data_stale:-', 'firing:pipeline_stale:-']);
    const scoped = await runHealthCheck(aRun({ isbns: [world.isbns[0]!] }), world.deps, world.settings());
    expect(kindsOf(scoped.alerts)).toEqual(['firing:pipeline_stale:-']);
  });

  it('raises pipeline_failed when the latest training run failed', async () => {
    await world.pipelines.recordRun({
      id: 'arima-weekly-20241231',
      pipelineName: 'arima-weekly-training',
      state: 'PIPELINE_STATE_FAILED',
      startTime: '2024-12-31T06:00:00.000Z',
      endTime: '2024-12-31T06:10:00.000Z',
      error: 'quota exceeded',
    });
    const result = await runHealthCheck(aRun(), world.deps, world.settings());
    expect(kindsOf(result.alerts)).toEqual(['firing:pipeline_failed:-']);
    expect(result.alerts[0]).toMatchObject({
      severity: 'critical',
      details: { runs: [{ error: 'quota exceeded' }] },
    });
  });

  it('raises data_drift for a book whose training window was revised', async () => {
    const [a] = world.isbns;
    const current = (await world.registry.getVersion(a!, '1'))!;
    const v = await world.registry.registerVersion({
      isbn: a!,
      metrics: current.metrics,
      dataHash: 'sha256:not-the-window-it-was-trained-on',
      trainedThrough: current.trainedThrough,
      forecast: await world.registry.getForecast(a!, '1'),
    });
    await world.serving.setTraffic(a!, { [v.version]: 100 });
    const result = await runHealthCheck(aRun(), world.deps, world.settings());
    expect(kindsOf(result.alerts)).toEqual([`firing:data_drift:${a}`]);
    expect(result.alerts[0]!.details).toMatchObject({ hashChanged: true });
  });

  it('never has more than `concurrency` books in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const serving: ServingTarget = Object.assign(Object.create(world.serving), {
      predict: async (isbn: string, instances: unknown[], options?: { version?: string }) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 20));
        inFlight--;
        return world.serving.predict(isbn, instances, options);
      },
    });
    const result = await runHealthCheck(
      aRun(),
      { ...world.deps, serving },
      world.settings({ concurrency: 2 }),
    );
    expect(result.models).toHaveLength(3);
    expect(peak).toBe(2);
  });
});
