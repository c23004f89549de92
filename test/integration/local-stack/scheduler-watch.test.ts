/**
 * `forecast-guard up` is watched the way production is: the stack serves its
 * scheduler over the Cloud Scheduler API and gives every function
 * FG_SCHEDULER_API_ENDPOINT, so the health-check function (in its own
 * functions-framework process) reads it with CloudSchedulerClient. Pausing
 * the hourly job through that API makes the next health check report a
 * critical `scheduler_unhealthy`; resuming and running the job (which
 * publishes a scheduled health check, as Cloud Scheduler would) clears it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudSchedulerClient } from '@google-cloud/scheduler';
import { schedulerClientOptions } from '../../../shared/adapters/gcp/cloud-scheduler-monitor';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import type { HealthReport } from '../../../shared/contracts/documents/health-report';
import { renderBanner } from '../../../shared/local-stack/banner';
import { startLocalStack, type LocalStack } from '../../../shared/local-stack/stack';
import { schedulerLocation } from '../../../shared/wiring/schedule-monitor';

describe('forecast-guard up: the health check watches the stack’s own scheduler', () => {
  let stateDir: string;
  let stack: LocalStack | undefined;
  let client: CloudSchedulerClient;
  let job: string;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-up-watch-'));
    stack = await startLocalStack({
      env: { ...process.env, FG_STATE_DIR: stateDir, FG_LOG_LEVEL: 'warning' },
      only: ['health-check', 'alert-dispatch-flush'],
      dashboard: false,
      watchSales: false,
      seedBooks: 2,
    });
    const endpoint = stack.config.gcp.schedulerApiEndpoint;
    if (!endpoint) throw new Error('the stack set no FG_SCHEDULER_API_ENDPOINT');
    const where = schedulerLocation(stack.config);
    client = new CloudSchedulerClient(schedulerClientOptions({ ...where, apiEndpoint: endpoint }));
    job = `projects/${where.projectId}/locations/${where.location}/jobs/hourly-health-check`;
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await stack?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** Waits for a report newer than `count` reports and returns the newest. */
  async function nextReport(count: number): Promise<HealthReport> {
    const deadline = Date.now() + 45_000;
    for (;;) {
      const docs = await stack!.backend.state.query(COLLECTIONS.healthReports);
      if (docs.length > count) {
        const reports = docs.map((d) => d.data as unknown as HealthReport);
        return reports.sort((a, b) => a.finishedAt.localeCompare(b.finishedAt)).at(-1)!;
      }
      if (Date.now() > deadline) throw new Error('no new health report within 45 s');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const reportCount = async () => (await stack!.backend.state.query(COLLECTIONS.healthReports)).length;

  it('tells the operator where its scheduler is served', () => {
    expect(renderBanner(stack!, false)).toContain(
      `served over the Cloud Scheduler API at ${stack!.config.gcp.schedulerApiEndpoint} (FG_SCHEDULER_API_ENDPOINT)`,
    );
  });

  it('reports scheduler_unhealthy (critical) while the hourly job is paused, and clears it after resume and a run', async () => {
    const [jobs] = await client.listJobs({ parent: job.replace(/\/jobs\/.*$/, '') });
    expect(jobs.map((j) => `${j.name?.split('/').pop()}:${j.state}`)).toEqual([
      'hourly-health-check:ENABLED',
      'daily-summary:ENABLED',
      'alert-dispatch-flush:ENABLED',
    ]);

    await client.pauseJob({ name: job });
    let count = await reportCount();
    await stack!.requestHealthCheck();
    const paused = await nextReport(count);
    expect(paused.alerts).toContainEqual({ kind: 'scheduler_unhealthy', severity: 'critical' });

    await client.resumeJob({ name: job });
    count = await reportCount();
    const [ran] = await client.runJob({ name: job });
    expect(ran.status).toMatchObject({ code: 0 });
    const resumed = await nextReport(count);
    expect(resumed.trigger).toBe('schedule');
    expect(resumed.alerts.filter((a) => a.kind === 'scheduler_unhealthy')).toEqual([]);
  }, 120_000);
});
