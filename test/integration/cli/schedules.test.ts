/**
 * `forecast-guard schedules [--json]` in-process on the embedded backend,
 * reading a local Cloud Scheduler server (as `forecast-guard up` serves it)
 * through FG_SCHEDULER_API_ENDPOINT: the paused hourly job and the missing
 * health report make it exit 1 and say so; without a scheduler it says
 * there is none to read.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalScheduler } from '../../../shared/local-stack/scheduler';
import { startSchedulerApi, type SchedulerApiServer } from '../../../shared/local-stack/scheduler-api/server';
import { HTTP_SCHEDULES, SCHEDULES } from '../../../shared/topology';
import { LOCAL_SCHEDULER_PROJECT } from '../../../shared/wiring/schedule-monitor';
import { runCli } from '../../helpers/cli';

describe('forecast-guard schedules', () => {
  let dir: string;
  let scheduler: LocalScheduler;
  let api: SchedulerApiServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fg-cli-schedules-'));
    scheduler = new LocalScheduler({
      schedules: SCHEDULES,
      httpSchedules: HTTP_SCHEDULES,
      clock: { now: () => new Date() },
      publish: async () => 'm-1',
      invoke: async () => 204,
    });
    for (const s of [...SCHEDULES, ...HTTP_SCHEDULES]) await scheduler.runNow(s.name);
    scheduler.setPaused('hourly-health-check', true);
    api = await startSchedulerApi({
      projectId: LOCAL_SCHEDULER_PROJECT,
      location: 'europe-west2',
      source: scheduler,
    });
  });
  afterAll(async () => {
    await api.close();
    await scheduler.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 1 naming the paused hourly job and the missing health report', async () => {
    const run = await runCli({ FG_STATE_DIR: dir, FG_SCHEDULER_API_ENDPOINT: api.apiEndpoint }, 'schedules');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^No health report has ever been written/);
    expect(run.stdout).toMatch(/hourly-health-check\s+PAUSED .*hourly-health-check is PAUSED/);
    expect(run.stdout).toMatch(/daily-summary\s+ENABLED .*healthy/);
  });

  it('--json prints the watch as one document', async () => {
    const run = await runCli(
      { FG_STATE_DIR: dir, FG_SCHEDULER_API_ENDPOINT: api.apiEndpoint },
      'schedules',
      '--json',
    );
    expect(run.code).toBe(1);
    const doc = run.json();
    expect(doc.age).toMatchObject({ stale: true, ageMs: null });
    expect(doc.schedules.parent).toBe(`projects/${LOCAL_SCHEDULER_PROJECT}/locations/europe-west2`);
    expect(doc.schedules.jobs.map((j: { id: string; state: string }) => `${j.id}:${j.state}`)).toEqual([
      'hourly-health-check:PAUSED',
      'daily-summary:ENABLED',
      'alert-dispatch-flush:ENABLED',
    ]);
  });

  it('says there is no scheduler to read on one machine without the stack', async () => {
    const run = await runCli({ FG_STATE_DIR: dir }, 'schedules');
    expect(run.stdout).toContain('no scheduler to read here');
    expect(run.code).toBe(1); // still: no health report was ever written
  });
});
