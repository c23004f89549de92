/**
 * Cloud Scheduler. A Pub/Sub-target job publishes its `data` (base64) and
 * `attributes` as a plain message, adding nothing of its own, so the body is
 * the request itself (`{"trigger":"schedule"}`) and attributes may be absent.
 * An HTTP-target job adds `X-CloudScheduler-*` headers, read here.
 */
import { z } from 'zod';
import { ValidationError } from '../../errors';
import { preview } from '../issues';
import { PubsubAttributes, topicName } from './pubsub-message';
import { rfc3339 } from '../primitives';

/** A job's `pubsubTarget` (REST v1). Scheduler refuses a message with neither data nor attributes. */
export const SchedulerPubsubTarget = z
  .looseObject({
    topicName,
    data: z.string().optional(),
    attributes: PubsubAttributes.optional(),
  })
  .superRefine((t, ctx) => {
    const attributes = typeof t.attributes === 'object' && t.attributes !== null ? t.attributes : {};
    if (!t.data && Object.keys(attributes).length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['data'],
        message: 'must be non-empty when there are no attributes',
        input: t.data,
      });
    }
  });
export type SchedulerPubsubTarget = z.infer<typeof SchedulerPubsubTarget>;

/** A Scheduler job (REST v1), as `gcloud scheduler jobs describe --format=json` prints it. */
export const SchedulerJob = z.looseObject({
  name: z
    .string()
    .regex(
      /^projects\/[^/]+\/locations\/[^/]+\/jobs\/[^/]+$/,
      'must be projects/{p}/locations/{l}/jobs/{job}',
    ),
  schedule: z.string().min(1),
  timeZone: z.string().min(1).optional(),
  pubsubTarget: SchedulerPubsubTarget.optional(),
  httpTarget: z.looseObject({ uri: z.string().min(1) }).optional(),
});
export type SchedulerJob = z.infer<typeof SchedulerJob>;

/** What an HTTP-target invocation says about itself. */
export interface SchedulerInvocation {
  /** As sent; observed as the short job id, so treat it as opaque. */
  jobName: string;
  /** As sent, possibly with the job's time-zone offset (`2026-10-05T01:41:00-07:00`). */
  scheduleTime?: string;
  /** The same instant in UTC: with `jobName`, a key that stays the same across Scheduler's retries. */
  scheduleTimeUtc?: string;
}

/**
 * Reads the `X-CloudScheduler-*` headers (any case, as Node lower-cases them).
 * Returns undefined when the request is not from Cloud Scheduler; throws a
 * ValidationError when it says it is but the headers are malformed.
 */
export function schedulerInvocationFrom(
  headers: Record<string, string | string[] | undefined>,
): SchedulerInvocation | undefined {
  const get = (name: string): string | undefined => {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    const value = key === undefined ? undefined : headers[key];
    return Array.isArray(value) ? value[0] : value;
  };
  if (get('x-cloudscheduler') === undefined && get('x-cloudscheduler-jobname') === undefined)
    return undefined;
  const jobName = get('x-cloudscheduler-jobname');
  if (!jobName) {
    throw new ValidationError('Cloud Scheduler request is invalid: X-CloudScheduler-JobName: is required', [
      'X-CloudScheduler-JobName',
    ]);
  }
  const scheduleTime = get('x-cloudscheduler-scheduletime');
  // Documented for unix-cron jobs only; a "force run" may come without it.
  if (scheduleTime === undefined) return { jobName };
  if (!rfc3339.safeParse(scheduleTime).success) {
    throw new ValidationError(
      `Cloud Scheduler request is invalid: X-CloudScheduler-ScheduleTime: must be an RFC 3339 date-time (got ${preview(scheduleTime)})`,
      ['X-CloudScheduler-ScheduleTime'],
    );
  }
  return { jobName, scheduleTime, scheduleTimeUtc: new Date(scheduleTime).toISOString() };
}
