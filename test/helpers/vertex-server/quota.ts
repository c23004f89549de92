/**
 * Vertex AI's request quotas on the local server: per project, per region,
 * per minute, as the "Request quotas" table of
 * https://cloud.google.com/vertex-ai/docs/quotas states them (copied in
 * test/fixtures/gcp-formats/10-vertex-limits/quotas.json):
 *
 *   online prediction requests                         30,000 / min / region
 *   online explain requests                               600 / min / region
 *   resource management (CRUD) requests                   600 / min / region
 *   job or long-running operation (LRO) submissions        60 / min / region
 *
 * A request beyond its quota fails RESOURCE_EXHAUSTED (gRPC 8, HTTP 429)
 * with Vertex's message form and no details (resource-exhausted.error.json:
 * none of the real samples carries a details array). The window slides: a
 * request counts for 60 s of the server's clock from the moment it arrived,
 * and a refused request does not count.
 *
 * Which RPC counts against which quota (the table names classes, not RPCs;
 * this is our reading, written down so it can be argued with):
 * - Predict, RawPredict → online prediction. Explain → online explain only.
 * - Get/List/Update of Models, Endpoints, PipelineJobs, MergeVersionAliases,
 *   and google.longrunning GetOperation / WaitOperation → resource
 *   management: they read or change a Vertex resource (an operation is one,
 *   `projects/…/operations/…`), and they are what the console's "Resource
 *   management (CRUD) requests" graph counts. Counting LRO polls is the
 *   conservative choice: a client that polls hard pays for it here.
 * - UploadModel, CreateEndpoint, DeployModel, UndeployModel,
 *   CreatePipelineJob → job or LRO submission only. Each starts a
 *   long-running operation or job, which is exactly that row; we do not also
 *   charge them to CRUD, because one request is counted by one quota metric
 *   in Google's quota model (a request has one `quota_metric` in its 429),
 *   and charging both would make the server stricter than anything
 *   documented.
 */
import { status } from '@grpc/grpc-js';
import { RpcError } from './rpc';

export type QuotaClass = 'online_prediction' | 'online_explain' | 'resource_management' | 'lro_submission';

/** Requests per minute per project per region, by class. */
export type QuotaOptions = Partial<Record<QuotaClass, number>>;

/** The documented defaults (https://cloud.google.com/vertex-ai/docs/quotas, "Request quotas"). */
export const DOCUMENTED_QUOTAS: Readonly<Record<QuotaClass, number>> = {
  online_prediction: 30_000,
  online_explain: 600,
  resource_management: 600,
  lro_submission: 60,
};

/** The quota metric each class is reported under in a RESOURCE_EXHAUSTED message. */
export const QUOTA_METRICS: Readonly<Record<QuotaClass, string>> = {
  online_prediction: 'aiplatform.googleapis.com/online_prediction_requests',
  online_explain: 'aiplatform.googleapis.com/online_explain_requests',
  resource_management: 'aiplatform.googleapis.com/resource_management_requests',
  lro_submission: 'aiplatform.googleapis.com/job_or_lro_submission_requests',
};

/** The class of each RPC the server implements, by method name (see the file comment for why). */
export const QUOTA_CLASS_OF: Readonly<Record<string, QuotaClass>> = {
  Predict: 'online_prediction',
  RawPredict: 'online_prediction',
  Explain: 'online_explain',
  GetModel: 'resource_management',
  ListModels: 'resource_management',
  ListModelVersions: 'resource_management',
  UpdateModel: 'resource_management',
  MergeVersionAliases: 'resource_management',
  GetEndpoint: 'resource_management',
  ListEndpoints: 'resource_management',
  UpdateEndpoint: 'resource_management',
  GetPipelineJob: 'resource_management',
  ListPipelineJobs: 'resource_management',
  GetOperation: 'resource_management',
  WaitOperation: 'resource_management',
  UploadModel: 'lro_submission',
  CreateEndpoint: 'lro_submission',
  DeployModel: 'lro_submission',
  UndeployModel: 'lro_submission',
  CreatePipelineJob: 'lro_submission',
  CancelPipelineJob: 'lro_submission',
};

const WINDOW_MS = 60_000;

/** Sliding one-minute windows of admitted requests, per `projects/P/locations/L` and class. */
export class QuotaMeter {
  readonly limits: Record<QuotaClass, number>;
  /** Requests admitted and refused, per class, over the server's life (for benches and tests). */
  readonly admitted: Record<QuotaClass, number> = {
    online_prediction: 0,
    online_explain: 0,
    resource_management: 0,
    lro_submission: 0,
  };
  readonly refused: Record<QuotaClass, number> = { ...this.admitted };
  private readonly windows = new Map<string, { times: number[]; head: number }>();

  constructor(
    private readonly clock: () => number,
    options: QuotaOptions = {},
  ) {
    this.limits = { ...DOCUMENTED_QUOTAS, ...options };
    for (const [cls, limit] of Object.entries(this.limits)) {
      if (!Number.isInteger(limit) || limit < 1)
        throw new Error(`quotas.${cls} must be a whole number of requests per minute ≥ 1, got ${limit}`);
    }
  }

  /** Counts one request of `method` in `location`; RESOURCE_EXHAUSTED when its window is full. */
  charge(method: string, location: string): void {
    const cls = QUOTA_CLASS_OF[method];
    if (cls === undefined) return;
    const key = `${location}|${cls}`;
    let window = this.windows.get(key);
    if (!window) this.windows.set(key, (window = { times: [], head: 0 }));
    const now = this.clock();
    while (window.head < window.times.length && (window.times[window.head] as number) <= now - WINDOW_MS)
      window.head += 1;
    if (window.head > 1024) {
      window.times = window.times.slice(window.head);
      window.head = 0;
    }
    if (window.times.length - window.head >= this.limits[cls]) {
      this.refused[cls] += 1;
      throw quotaExceeded(cls, this.limits[cls], location);
    }
    window.times.push(now);
    this.admitted[cls] += 1;
  }
}

/** Vertex's RESOURCE_EXHAUSTED for a regional request quota, in the message form real 429s use. */
export function quotaExceeded(cls: QuotaClass, limit: number, location: string): RpcError {
  const [, project = '?', region = '?'] = /^projects\/([^/]+)\/locations\/([^/]+)/.exec(location) ?? [];
  return new RpcError(
    status.RESOURCE_EXHAUSTED,
    `Quota exceeded for ${QUOTA_METRICS[cls]} with limit ${limit} per minute per region (region: ${region}, consumer: projects/${project}). Please submit a quota increase request. https://cloud.google.com/vertex-ai/docs/quotas.`,
  );
}
