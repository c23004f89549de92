/**
 * Cloud Build status messages on the `cloud-builds` topic: one per state
 * change of a build (created, working, finished). Attributes carry `buildId`
 * and `status`; data is the Build resource (REST v1 JSON), of which we read
 * a few fields and pass the rest through.
 */
import { z } from 'zod';
import { rfc3339 } from '../primitives';

/** Build.Status names (cloudbuild v1). */
export const CloudBuildStatus = z.enum([
  'STATUS_UNKNOWN',
  'PENDING',
  'QUEUED',
  'WORKING',
  'SUCCESS',
  'FAILURE',
  'INTERNAL_ERROR',
  'TIMEOUT',
  'CANCELLED',
  'EXPIRED',
]);
export type CloudBuildStatus = z.infer<typeof CloudBuildStatus>;

/** Finished without success; which of them raise `build_failed` is the build-events function's call. */
export const FAILED_BUILD_STATUSES: readonly CloudBuildStatus[] = [
  'FAILURE',
  'INTERNAL_ERROR',
  'TIMEOUT',
  'CANCELLED',
  'EXPIRED',
];

/** The message attributes Cloud Build sets. */
export const CloudBuildAttributes = z.looseObject({
  buildId: z.string().min(1),
  status: CloudBuildStatus,
});
export type CloudBuildAttributes = z.infer<typeof CloudBuildAttributes>;

/** The Build resource in `message.data`. Times are absent until the build reaches that point. */
export const CloudBuild = z.looseObject({
  id: z.string().min(1),
  projectId: z.string().optional(),
  status: CloudBuildStatus,
  statusDetail: z.string().optional(),
  /** `_ISBN`, `_MODEL_VERSION`, `_ENVIRONMENT`… as the pipeline's trigger set them, plus built-ins. */
  substitutions: z.record(z.string(), z.string()).optional(),
  buildTriggerId: z.string().optional(),
  logUrl: z.string().optional(),
  tags: z.array(z.string()).optional(),
  createTime: rfc3339,
  startTime: rfc3339.optional(),
  finishTime: rfc3339.optional(),
});
export type CloudBuild = z.infer<typeof CloudBuild>;

export function isFailedBuild(status: CloudBuildStatus): boolean {
  return FAILED_BUILD_STATUSES.includes(status);
}
