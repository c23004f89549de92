/**
 * The local Cloud Scheduler server refuses what the API refuses (its
 * reference, https://cloud.google.com/scheduler/docs/reference/rpc/google.cloud.scheduler.v1,
 * and the comments of the protos `@google-cloud/scheduler` ships), asked
 * through the real CloudSchedulerClient: malformed names, unknown jobs,
 * pausing a paused job, resuming an enabled one, a negative page size or a
 * foreign page token, and the job-changing calls the local stack does not
 * offer. Listing pages at most 500 jobs and follows next_page_token.
 */
import { CloudSchedulerClient } from '@google-cloud/scheduler';
import { status } from '@grpc/grpc-js';
import { schedulerClientOptions, toScheduledJob } from '../../../shared/adapters/gcp/cloud-scheduler-monitor';
import { LocalScheduler } from '../../../shared/local-stack/scheduler';
import { startSchedulerApi, type SchedulerApiServer } from '../../../shared/local-stack/scheduler-api/server';
import { HTTP_SCHEDULES, SCHEDULES } from '../../../shared/topology';

const PROJECT = 'demo-forecast-guard';
const LOCATION = 'europe-west2';
const PARENT = `projects/${PROJECT}/locations/${LOCATION}`;

describe('the local Cloud Scheduler server', () => {
  let api: SchedulerApiServer;
  let client: CloudSchedulerClient;
  let scheduler: LocalScheduler;
  const fired: string[] = [];

  beforeAll(async () => {
    scheduler = new LocalScheduler({
      schedules: SCHEDULES,
      httpSchedules: HTTP_SCHEDULES,
      clock: { now: () => new Date('2025-01-01T09:00:00Z') },
      publish: async (topic) => {
        fired.push(topic);
        return `m-${fired.length}`;
      },
      invoke: async () => 200,
    });
    api = await startSchedulerApi({ projectId: PROJECT, location: LOCATION, source: scheduler });
    client = new CloudSchedulerClient(
      schedulerClientOptions({ projectId: PROJECT, location: LOCATION, apiEndpoint: api.apiEndpoint }),
    );
  });
  afterAll(async () => {
    await client.close();
    await api.close();
    await scheduler.stop();
  });

  const code = (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (err: { code?: number }) => status[err.code ?? -1],
    );

  it('lists topology’s jobs as Cloud Scheduler Jobs: enabled, with their cron, time zone and target', async () => {
    const [jobs] = await client.listJobs({ parent: PARENT });
    expect(jobs.map((j) => j.name)).toEqual([
      `${PARENT}/jobs/hourly-health-check`,
      `${PARENT}/jobs/daily-summary`,
      `${PARENT}/jobs/alert-dispatch-flush`,
    ]);
    expect(jobs[0]).toMatchObject({
      state: 'ENABLED',
      schedule: '0 * * * *',
      timeZone: 'Etc/UTC',
      pubsubTarget: { topicName: `projects/${PROJECT}/topics/health-check-requests` },
    });
    expect(JSON.parse(Buffer.from(jobs[0]!.pubsubTarget!.data as Uint8Array).toString())).toEqual({
      trigger: 'schedule',
    });
    expect(jobs[2]).toMatchObject({ httpTarget: { httpMethod: 'POST' } });
    expect(toScheduledJob(jobs[1]!)).toEqual({
      id: 'daily-summary',
      state: 'ENABLED',
      schedule: '0 8 * * *',
      timeZone: 'Europe/London',
      updatedAt: '2025-01-01T09:00:00.000Z',
    });
    // Another location of the project holds no jobs.
    expect((await client.listJobs({ parent: `projects/${PROJECT}/locations/us-central1` }))[0]).toEqual([]);
  });

  it('pages by page_size and next_page_token', async () => {
    const [first, , response] = await client.listJobs(
      { parent: PARENT, pageSize: 2 },
      { autoPaginate: false },
    );
    expect(first).toHaveLength(2);
    expect(response?.nextPageToken).not.toBe('');
    const [rest] = await client.listJobs(
      { parent: PARENT, pageSize: 2, pageToken: response!.nextPageToken! },
      { autoPaginate: false },
    );
    expect(rest.map((j) => j.name?.split('/').pop())).toEqual(['alert-dispatch-flush']);
  });

  it('refuses malformed names and parents (INVALID_ARGUMENT) and unknown jobs (NOT_FOUND)', async () => {
    expect(await code(client.getJob({ name: 'hourly-health-check' }))).toBe('INVALID_ARGUMENT');
    expect(await code(client.getJob({ name: `${PARENT}/jobs/bad name` }))).toBe('INVALID_ARGUMENT');
    expect(await code(client.getJob({ name: `${PARENT}/jobs/${'x'.repeat(501)}` }))).toBe('INVALID_ARGUMENT');
    expect(await code(client.listJobs({ parent: `projects/${PROJECT}` }))).toBe('INVALID_ARGUMENT');
    expect(await code(client.getJob({ name: `${PARENT}/jobs/nightly-export` }))).toBe('NOT_FOUND');
    expect(
      await code(client.pauseJob({ name: `projects/other/locations/${LOCATION}/jobs/hourly-health-check` })),
    ).toBe('NOT_FOUND');
    expect(await code(client.listJobs({ parent: PARENT, pageSize: -1 }, { autoPaginate: false }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(
      await code(client.listJobs({ parent: PARENT, pageToken: 'forged' }, { autoPaginate: false })),
    ).toBe('INVALID_ARGUMENT');
  });

  it('pauses only an ENABLED job and resumes only a PAUSED one (FAILED_PRECONDITION otherwise)', async () => {
    const name = `${PARENT}/jobs/daily-summary`;
    expect(await code(client.resumeJob({ name }))).toBe('FAILED_PRECONDITION');
    expect((await client.pauseJob({ name }))[0].state).toBe('PAUSED');
    expect(await code(client.pauseJob({ name }))).toBe('FAILED_PRECONDITION');
    expect((await client.getJob({ name }))[0].state).toBe('PAUSED');
    expect((await client.resumeJob({ name }))[0].state).toBe('ENABLED');
  });

  it('runs a job now, paused or not, and reports the attempt', async () => {
    const name = `${PARENT}/jobs/hourly-health-check`;
    await client.pauseJob({ name });
    const before = fired.length;
    const [job] = await client.runJob({ name });
    expect(fired.slice(before)).toEqual(['health-check-requests']);
    expect(job).toMatchObject({ state: 'PAUSED', status: { code: 0 } });
    expect(toScheduledJob(job).lastAttemptAt).toBe('2025-01-01T09:00:00.000Z');
    await client.resumeJob({ name });
  });

  it('does not offer CreateJob, UpdateJob or DeleteJob: the local jobs are topology’s', async () => {
    expect(
      await code(
        client.createJob({ parent: PARENT, job: { name: `${PARENT}/jobs/x`, schedule: '* * * * *' } }),
      ),
    ).toBe('UNIMPLEMENTED');
    expect(await code(client.deleteJob({ name: `${PARENT}/jobs/daily-summary` }))).toBe('UNIMPLEMENTED');
    expect(await code(client.updateJob({ job: { name: `${PARENT}/jobs/daily-summary` } }))).toBe(
      'UNIMPLEMENTED',
    );
  });
});
