import {
  SchedulerJob,
  schedulerInvocationFrom,
  SchedulerPubsubTarget,
} from '../../../../shared/contracts/external/cloud-scheduler';
import { parseWith, safeParseWith } from '../../../../shared/contracts/parse';
import { ValidationError } from '../../../../shared/errors';
import { loadFixture } from '../../../helpers/gcp-fixtures';

describe('Cloud Scheduler Pub/Sub target', () => {
  const fixture = () =>
    loadFixture<Record<string, Record<string, unknown>>>(
      '3-cloud-scheduler/pubsub-target.job-and-published-message.json',
    );

  it('parses the job resource and its target', () => {
    const job = parseWith(SchedulerJob, fixture().job_resource_REST_v1, 'SchedulerJob');
    expect(job.pubsubTarget?.topicName).toBe('projects/my-project/topics/retrain-trigger');
    expect(Buffer.from(job.pubsubTarget?.data ?? '', 'base64').toString()).toBe(
      JSON.stringify(fixture().decoded_data),
    );
  });

  it('accepts an attribute-only target, refuses one with neither data nor attributes', () => {
    const topicName = 'projects/p/topics/health-check-requests';
    expect(
      parseWith(SchedulerPubsubTarget, { topicName, attributes: { trigger: 'schedule' } }, 't').data,
    ).toBeUndefined();
    const result = safeParseWith(SchedulerPubsubTarget, { topicName, attributes: {} }, 'pubsubTarget');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.message).toBe(
        'pubsubTarget is invalid: data: must be non-empty when there are no attributes',
      );
    }
  });

  it('names a bad topic name', () => {
    const result = safeParseWith(
      SchedulerPubsubTarget,
      { topicName: 'retrain-trigger', data: 'e30=' },
      'pubsubTarget',
    );
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.error.message).toContain('topicName: must be projects/{project}/topics/{topic}');
  });
});

describe('schedulerInvocationFrom (HTTP target)', () => {
  it('reads job name and schedule time from the real header set, in any case', () => {
    const { headers } = loadFixture<{ headers: Record<string, string> }>(
      '3-cloud-scheduler/http-target.request.json',
    );
    expect(schedulerInvocationFrom(headers)).toEqual({
      jobName: 'nightly-retrain',
      scheduleTime: '2024-05-02T03:00:00+00:00',
      scheduleTimeUtc: '2024-05-02T03:00:00.000Z',
    });
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(schedulerInvocationFrom(lower)?.jobName).toBe('nightly-retrain');
  });

  it('turns a non-UTC schedule time into the same instant in UTC', () => {
    const invocation = schedulerInvocationFrom({
      'x-cloudscheduler': 'true',
      'x-cloudscheduler-jobname': 'firebase-schedule-schedOkV2-us-central1',
      'x-cloudscheduler-scheduletime': '2026-10-05T01:41:00-07:00',
    });
    expect(invocation?.scheduleTimeUtc).toBe('2026-10-05T08:41:00.000Z');
  });

  it('does not require a schedule time (force runs)', () => {
    expect(
      schedulerInvocationFrom({ 'x-cloudscheduler': 'true', 'x-cloudscheduler-jobname': ['j'] }),
    ).toEqual({
      jobName: 'j',
    });
  });

  it('returns undefined for a request that is not from Scheduler', () => {
    expect(schedulerInvocationFrom({ 'content-type': 'application/json' })).toBeUndefined();
  });

  it('names the header that is wrong', () => {
    expect(() => schedulerInvocationFrom({ 'x-cloudscheduler': 'true' })).toThrow(
      new ValidationError('Cloud Scheduler request is invalid: X-CloudScheduler-JobName: is required'),
    );
    try {
      schedulerInvocationFrom({
        'x-cloudscheduler-jobname': 'j',
        'x-cloudscheduler-scheduletime': 'Tue 3am',
      });
      throw new Error('expected a ValidationError');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).fields).toEqual(['X-CloudScheduler-ScheduleTime']);
      expect((err as Error).message).toBe(
        'Cloud Scheduler request is invalid: X-CloudScheduler-ScheduleTime: must be an RFC 3339 date-time (got "Tue 3am")',
      );
    }
  });
});
