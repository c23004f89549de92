/**
 * Issue 14's done-when: a paused schedule raises `scheduler_unhealthy`.
 * The local stack's scheduler is served over the Cloud Scheduler v1 gRPC API
 * (shared/local-stack/scheduler-api/, built from the protos
 * `@google-cloud/scheduler` ships); the real CloudSchedulerClient pauses the
 * hourly health-check job through it; a health check reading the same
 * server (CloudSchedulerMonitor) publishes a critical `scheduler_unhealthy`
 * on `alerts`, which resolves after ResumeJob and a successful RunJob.
 */
import { CloudSchedulerClient } from '@google-cloud/scheduler';
import { status } from '@grpc/grpc-js';
import {
  CloudSchedulerMonitor,
  schedulerClientOptions,
} from '../../../shared/adapters/gcp/cloud-scheduler-monitor';
import { LocalScheduler } from '../../../shared/local-stack/scheduler';
import { startSchedulerApi, type SchedulerApiServer } from '../../../shared/local-stack/scheduler-api/server';
import { runHealthCheck } from '../../../shared/services/health-check';
import { HTTP_SCHEDULES, SCHEDULES } from '../../../shared/topology';
import { buildWorld, type World } from '../../unit/services/health-check/world';

const PROJECT = 'demo-forecast-guard';
const LOCATION = 'europe-west2';

describe('watch the watcher: a paused schedule raises scheduler_unhealthy', () => {
  let world: World;
  let api: SchedulerApiServer;
  let client: CloudSchedulerClient;
  let monitor: CloudSchedulerMonitor;
  let scheduler: LocalScheduler;
  let wall = Date.parse('2025-01-01T09:05:00.000Z');
  let flushAnswers = 204;
  const wallClock = { now: () => new Date(wall) };
  const jobName = (id: string) => `projects/${PROJECT}/locations/${LOCATION}/jobs/${id}`;
  let run = 0;
  const check = () => {
    run += 1;
    return runHealthCheck(
      { runId: `hc-watch-${run}`, trigger: 'manual', correlationId: `corr-watch-${run}` },
      { ...world.deps, schedules: monitor },
      world.settings(),
    );
  };

  beforeAll(async () => {
    world = await buildWorld(1);
    let id = 0;
    scheduler = new LocalScheduler({
      schedules: SCHEDULES,
      httpSchedules: HTTP_SCHEDULES,
      clock: wallClock,
      publish: async () => `msg-${++id}`,
      invoke: async () => flushAnswers,
    });
    api = await startSchedulerApi({ projectId: PROJECT, location: LOCATION, source: scheduler });
    const connection = {
      projectId: PROJECT,
      location: LOCATION,
      apiEndpoint: api.apiEndpoint,
      clock: wallClock,
    };
    client = new CloudSchedulerClient(schedulerClientOptions(connection));
    monitor = new CloudSchedulerMonitor(connection);
  });
  afterAll(async () => {
    await client.close();
    await monitor.close();
    await api.close();
    await scheduler.stop();
    await world.close();
  });

  it('pages when the health-check job is paused and resolves after resume and a successful attempt', async () => {
    for (const s of [...SCHEDULES, ...HTTP_SCHEDULES]) await client.runJob({ name: jobName(s.name) });
    const first = await check();
    expect(first.alerts.filter((a) => a.kind === 'scheduler_unhealthy')).toEqual([]);

    wall = Date.parse('2025-01-01T09:10:00.000Z');
    const [paused] = await client.pauseJob({ name: jobName('hourly-health-check') });
    expect(paused.state).toBe('PAUSED');
    // The API refuses to pause a job that is not ENABLED.
    await expect(client.pauseJob({ name: jobName('hourly-health-check') })).rejects.toMatchObject({
      code: status.FAILED_PRECONDITION,
    });

    const second = await check();
    const published = (await world.published()).map((p) => p.alert);
    const firing = published.filter((a) => a.kind === 'scheduler_unhealthy' && a.status === 'firing');
    expect(firing).toHaveLength(1);
    expect(firing[0]).toMatchObject({ severity: 'critical', source: 'health-check' });
    expect(firing[0]!.summary).toMatch(/hourly-health-check is PAUSED/);
    expect(second.report.alerts).toContainEqual({ kind: 'scheduler_unhealthy', severity: 'critical' });

    wall = Date.parse('2025-01-01T10:20:00.000Z');
    await client.resumeJob({ name: jobName('hourly-health-check') });
    const [ran] = await client.runJob({ name: jobName('hourly-health-check') });
    expect(ran).toMatchObject({ state: 'ENABLED', status: { code: 0 } });
    // The other jobs' 10:00 (and every-5-minute) attempts are due too: the local timers are not running here.
    for (const s of [...SCHEDULES.slice(1), ...HTTP_SCHEDULES])
      await client.runJob({ name: jobName(s.name) });
    await check();
    const after = (await world.published()).map((p) => p.alert);
    expect(after.filter((a) => a.kind === 'scheduler_unhealthy').map((a) => a.status)).toEqual(['resolved']);
  });

  it('warns (not pages) when the alert flush answers HTTP 500, naming the code', async () => {
    flushAnswers = 500;
    const [job] = await client.runJob({ name: jobName('alert-dispatch-flush') });
    expect(job.status).toMatchObject({ code: status.INTERNAL });
    await check();
    const alerts = (await world.published())
      .map((p) => p.alert)
      .filter((a) => a.kind === 'scheduler_unhealthy');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ status: 'firing', severity: 'warning' });
    expect(alerts[0]!.summary).toMatch(/alert-dispatch-flush last attempt failed \(INTERNAL/);
    flushAnswers = 204;
    await client.runJob({ name: jobName('alert-dispatch-flush') });
    await check();
    expect((await world.published()).map((p) => `${p.alert.kind}:${p.alert.status}`)).toEqual([
      'scheduler_unhealthy:resolved',
    ]);
  });

  it('pages when a job of topology is missing from the location, and when a job is late', async () => {
    const elsewhere = new CloudSchedulerMonitor({
      projectId: PROJECT,
      location: 'us-central1',
      apiEndpoint: api.apiEndpoint,
      clock: wallClock,
    });
    try {
      const snapshot = await elsewhere.readJobs();
      expect(snapshot.jobs).toEqual([]);
      const result = await runHealthCheck(
        { runId: 'hc-watch-elsewhere', trigger: 'manual', correlationId: 'corr-elsewhere' },
        { ...world.deps, schedules: elsewhere },
        world.settings(),
      );
      const alert = result.alerts.find((a) => a.kind === 'scheduler_unhealthy');
      expect(alert).toMatchObject({ severity: 'critical' });
      expect(alert!.summary).toMatch(/hourly-health-check does not exist/);
    } finally {
      await elsewhere.close();
    }
    await world.published();
    // 12:20: the 11:00 and 12:00 attempts never happened (the scheduler's timers are not running here).
    wall = Date.parse('2025-01-01T12:20:00.000Z');
    const late = await check();
    const alert = late.alerts.find((a) => a.kind === 'scheduler_unhealthy');
    expect(alert?.summary).toMatch(/hourly-health-check missed the attempt due at 2025-01-01T12:00:00.000Z/);
  });
});
