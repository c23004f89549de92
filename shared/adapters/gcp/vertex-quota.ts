/**
 * One rate limiter per process for every Vertex AI call, so fleet-wide jobs
 * (health check, emergency rollback, validation of every book) stay inside
 * Vertex's per-project, per-region request quotas
 * (https://cloud.google.com/vertex-ai/docs/quotas, "Request quotas"):
 *
 *   online prediction            30,000 requests / minute / region
 *   online explain                  600
 *   resource management (CRUD)      600   (get/list/update of models, endpoints, operations, jobs)
 *   job or LRO submission            60   (UploadModel, CreateEndpoint, DeployModel, UndeployModel, …)
 *
 * Quotas are per project and region, so buckets are too: each
 * `projects/P/locations/L` a request names has its own. Each class there has
 * a token bucket refilled at `share` × its quota per minute,
 * holding at most quota − rate tokens, so that in any 60 s window the process
 * sends at most the quota (rate × 1 min + the burst). Calls past the bucket
 * WAIT, first come first served, instead of failing; a RESOURCE_EXHAUSTED
 * that still happens (another process spent the quota) empties the bucket and
 * is retried after a backoff that doubles up to the window's length, 60 s, by
 * which time every request counted against us has left the window.
 *
 * The counters (calls done, queued, waited, retried per class) and `eta()`
 * are what progress lines and logs print during `rollback --all`, health
 * checks and `validate --all`.
 */
import { ValidationError } from '../../errors';
import { systemClock, type Clock } from '../../ports/clock';
import { GrpcStatus, grpcCodeOf } from './grpc-status';

export type VertexQuotaClass =
  'online_prediction' | 'online_explain' | 'resource_management' | 'lro_submission';

export const VERTEX_QUOTA_CLASSES: readonly VertexQuotaClass[] = [
  'online_prediction',
  'online_explain',
  'resource_management',
  'lro_submission',
];

/** Requests per minute per project per region, as documented (defaults; a project may have more). */
export const DOCUMENTED_VERTEX_QUOTAS: Readonly<Record<VertexQuotaClass, number>> = {
  online_prediction: 30_000,
  online_explain: 600,
  resource_management: 600,
  lro_submission: 60,
};

/**
 * The quota class of each client method (gapic camelCase names). Our reading
 * of the docs' table: a call that starts a long-running operation or job is an
 * "LRO submission" (and only that: one request, one quota metric); polling an
 * operation is a get of a resource, so CRUD; predict and explain have their
 * own rows. A method not listed is charged to CRUD, the conservative guess.
 */
export const VERTEX_QUOTA_CLASS_OF: Readonly<Record<string, VertexQuotaClass>> = {
  predict: 'online_prediction',
  rawPredict: 'online_prediction',
  explain: 'online_explain',
  uploadModel: 'lro_submission',
  createEndpoint: 'lro_submission',
  deployModel: 'lro_submission',
  undeployModel: 'lro_submission',
  mutateDeployedModel: 'lro_submission',
  deleteModel: 'lro_submission',
  deleteModelVersion: 'lro_submission',
  deleteEndpoint: 'lro_submission',
  createPipelineJob: 'lro_submission',
  cancelPipelineJob: 'lro_submission',
  deletePipelineJob: 'lro_submission',
  createBatchPredictionJob: 'lro_submission',
  updateEndpointLongRunning: 'lro_submission',
  exportModel: 'lro_submission',
  copyModel: 'lro_submission',
  createTrainingPipeline: 'lro_submission',
  cancelTrainingPipeline: 'lro_submission',
  deleteTrainingPipeline: 'lro_submission',
  batchDeletePipelineJobs: 'lro_submission',
  batchCancelPipelineJobs: 'lro_submission',
  getOperation: 'resource_management',
};

export function quotaClassOf(method: string): VertexQuotaClass {
  return VERTEX_QUOTA_CLASS_OF[method] ?? 'resource_management';
}

export interface VertexQuotaOptions {
  /** Share (0 < share ≤ 1) of each quota this process may use; 0.9 by default (FG_VERTEX_QUOTA_SHARE). */
  share?: number;
  /** The project's quotas per minute where they differ from the documented ones (FG_VERTEX_QUOTAS). */
  quotas?: Partial<Record<VertexQuotaClass, number>>;
  /** Retries of a call refused RESOURCE_EXHAUSTED before the error reaches the caller; 6 by default. */
  maxRetries?: number;
  clock?: Clock;
}

/** What one quota class has seen, for progress lines, logs and benches. */
export interface QuotaClassStats {
  /** Calls admitted by the bucket (retries included). */
  admitted: number;
  /** Calls waiting for a token now. */
  queued: number;
  /** Calls that answered RESOURCE_EXHAUSTED and were retried; and those given up on. */
  retried: number;
  exhausted: number;
  /** Total time calls spent waiting for tokens or backing off, ms. */
  waitedMs: number;
  /** The rate the bucket admits, requests per minute. */
  perMinute: number;
}

export type QuotaStats = Record<VertexQuotaClass, QuotaClassStats>;

interface Bucket {
  tokens: number;
  capacity: number;
  /** Tokens per millisecond. */
  rate: number;
  refilledAt: number;
  queue: Array<{ resolve: () => void; since: number }>;
  pumping: boolean;
}

const WINDOW_MS = 60_000;
const FIRST_BACKOFF_MS = 1_000;

/** Checks and completes quota options; ValidationError naming the bad field. */
export function resolveQuotaOptions(options: VertexQuotaOptions): {
  share: number;
  quotas: Record<VertexQuotaClass, number>;
  maxRetries: number;
} {
  const share = options.share ?? 0.9;
  if (!(share > 0 && share <= 1))
    throw new ValidationError(`share: must be a fraction 0 < share ≤ 1 (got ${share})`, ['share']);
  const quotas = { ...DOCUMENTED_VERTEX_QUOTAS, ...options.quotas };
  for (const cls of VERTEX_QUOTA_CLASSES) {
    if (!Number.isInteger(quotas[cls]) || quotas[cls] < 1)
      throw new ValidationError(
        `quotas.${cls}: must be a whole number of requests per minute ≥ 1 (got ${quotas[cls]})`,
        [`quotas.${cls}`],
      );
  }
  const maxRetries = options.maxRetries ?? 6;
  if (!Number.isInteger(maxRetries) || maxRetries < 0)
    throw new ValidationError(`maxRetries: must be a whole number ≥ 0 (got ${maxRetries})`, ['maxRetries']);
  return { share, quotas, maxRetries };
}

/** `projects/P/locations/L` of a request (parent, name, endpoint, model.name…), or undefined. */
export function quotaLocationOf(request: unknown, depth = 0): string | undefined {
  if (typeof request === 'string') return /^projects\/[^/]+\/locations\/[^/]+/.exec(request)?.[0];
  if (!request || typeof request !== 'object' || depth > 1) return undefined;
  for (const key of ['parent', 'name', 'endpoint', 'model', 'deployedModel']) {
    const found = quotaLocationOf((request as Record<string, unknown>)[key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

const emptyStats = (perMinute: number): QuotaClassStats => ({
  admitted: 0,
  queued: 0,
  retried: 0,
  exhausted: 0,
  waitedMs: 0,
  perMinute,
});

export class VertexRateLimiter {
  readonly share: number;
  readonly quotas: Readonly<Record<VertexQuotaClass, number>>;
  private readonly maxRetries: number;
  private readonly clock: Clock;
  /** Buckets per `projects/P/locations/L` (requests naming none share the key ''). */
  private readonly buckets = new Map<string, Record<VertexQuotaClass, Bucket>>();
  /** Counters per class over every location. */
  private readonly totals: Record<VertexQuotaClass, QuotaClassStats>;

  constructor(options: VertexQuotaOptions = {}) {
    const resolved = resolveQuotaOptions(options);
    this.share = resolved.share;
    this.quotas = resolved.quotas;
    this.maxRetries = resolved.maxRetries;
    this.clock = options.clock ?? systemClock;
    const perMinute = (cls: VertexQuotaClass) => Math.max(1, Math.floor(this.quotas[cls] * this.share));
    this.totals = {
      online_prediction: emptyStats(perMinute('online_prediction')),
      online_explain: emptyStats(perMinute('online_explain')),
      resource_management: emptyStats(perMinute('resource_management')),
      lro_submission: emptyStats(perMinute('lro_submission')),
    };
  }

  /** Waits for a token of `cls` in `location`, first come first served. */
  acquire(cls: VertexQuotaClass, location = ''): Promise<void> {
    const bucket = this.bucket(cls, location);
    this.refill(bucket);
    if (bucket.queue.length === 0 && bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.totals[cls].admitted += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      bucket.queue.push({ resolve, since: this.now() });
      this.totals[cls].queued += 1;
      void this.pump(cls, bucket);
    });
  }

  /**
   * Runs `call` within the quota of `cls` in `location`: waits for a token,
   * and retries a RESOURCE_EXHAUSTED answer after a backoff (1 s, doubling,
   * at most 60 s), up to maxRetries times; after that the gRPC error reaches
   * the caller unchanged (translateVertexError makes it a retryable
   * BackendUnavailableError).
   */
  async run<T>(cls: VertexQuotaClass, call: () => Promise<T>, location = ''): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      await this.acquire(cls, location);
      try {
        return await call();
      } catch (err) {
        if (grpcCodeOf(err) !== GrpcStatus.RESOURCE_EXHAUSTED) throw err;
        if (attempt >= this.maxRetries) {
          this.totals[cls].exhausted += 1;
          throw err;
        }
        this.totals[cls].retried += 1;
        // Someone else spent the quota: stop bursting, and let the window move on.
        const bucket = this.bucket(cls, location);
        bucket.tokens = Math.min(bucket.tokens, 0);
        const backoff = Math.min(WINDOW_MS, FIRST_BACKOFF_MS * 2 ** attempt);
        this.totals[cls].waitedMs += backoff;
        await this.clock.sleep(backoff);
      }
    }
  }

  /** Counters per class, over every location (copies). */
  stats(): QuotaStats {
    const copy = (cls: VertexQuotaClass) => ({ ...this.totals[cls] });
    return {
      online_prediction: copy('online_prediction'),
      online_explain: copy('online_explain'),
      resource_management: copy('resource_management'),
      lro_submission: copy('lro_submission'),
    };
  }

  /**
   * How long, at the limiter's rates, `remaining` more calls per class take
   * in `location` (ms): the slowest class decides, as classes refill in
   * parallel. Calls already queued there count too. Network time is not in
   * it: this is the quota's floor for the rest of the job.
   */
  eta(remaining: Partial<Record<VertexQuotaClass, number>> = {}, location?: string): number {
    const locations = location !== undefined ? [location] : [...this.buckets.keys()];
    if (locations.length === 0) locations.push('');
    let longest = 0;
    for (const where of locations) {
      for (const cls of VERTEX_QUOTA_CLASSES) {
        const bucket = this.bucket(cls, where);
        this.refill(bucket);
        const calls = (remaining[cls] ?? 0) + bucket.queue.length;
        const short = calls - Math.max(0, Math.floor(bucket.tokens));
        if (short > 0) longest = Math.max(longest, short / bucket.rate);
      }
    }
    // Rates are fractions of a token per ms: round off float dust before the ceiling.
    return Math.max(0, Math.ceil(longest - 1e-6));
  }

  private bucket(cls: VertexQuotaClass, location: string): Bucket {
    let set = this.buckets.get(location);
    if (!set) {
      const now = this.now();
      const make = (c: VertexQuotaClass): Bucket => {
        const perMinute = this.totals[c].perMinute;
        // rate × 1 min + burst ≤ quota: no 60 s window sees more than the quota from us.
        const capacity = Math.max(1, this.quotas[c] - perMinute);
        return {
          tokens: capacity,
          capacity,
          rate: perMinute / WINDOW_MS,
          refilledAt: now,
          queue: [],
          pumping: false,
        };
      };
      set = {
        online_prediction: make('online_prediction'),
        online_explain: make('online_explain'),
        resource_management: make('resource_management'),
        lro_submission: make('lro_submission'),
      };
      this.buckets.set(location, set);
    }
    return set[cls];
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  private refill(bucket: Bucket): void {
    const now = this.now();
    const elapsed = Math.max(0, now - bucket.refilledAt);
    bucket.tokens = Math.min(bucket.capacity, bucket.tokens + elapsed * bucket.rate);
    bucket.refilledAt = now;
  }

  /** Hands tokens to the queue as they refill; one pump per bucket at a time. */
  private async pump(cls: VertexQuotaClass, bucket: Bucket): Promise<void> {
    if (bucket.pumping) return;
    bucket.pumping = true;
    try {
      while (bucket.queue.length > 0) {
        this.refill(bucket);
        if (bucket.tokens >= 1) {
          bucket.tokens -= 1;
          const next = bucket.queue.shift() as { resolve: () => void; since: number };
          this.totals[cls].admitted += 1;
          this.totals[cls].queued -= 1;
          this.totals[cls].waitedMs += this.now() - next.since;
          next.resolve();
          continue;
        }
        await this.clock.sleep(Math.max(1, Math.ceil((1 - bucket.tokens) / bucket.rate)));
      }
    } finally {
      bucket.pumping = false;
    }
  }
}

/** `1 h 2 min`, `3 min 20 s`, `45 s`: an ETA for a progress line. */
export function formatEta(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** One line of counters: `CRUD 412 done, 88 queued · LRO 60 done, 440 queued · ETA 7 min 20 s`. */
export function describeQuotaProgress(
  limiter: VertexRateLimiter,
  remaining?: Partial<Record<VertexQuotaClass, number>>,
): string {
  const short: Record<VertexQuotaClass, string> = {
    online_prediction: 'predict',
    online_explain: 'explain',
    resource_management: 'CRUD',
    lro_submission: 'LRO',
  };
  const stats = limiter.stats();
  const parts = VERTEX_QUOTA_CLASSES.filter((cls) => stats[cls].admitted + stats[cls].queued > 0).map(
    (cls) => `${short[cls]} ${stats[cls].admitted} done, ${stats[cls].queued} queued`,
  );
  return [...parts, `ETA ${formatEta(limiter.eta(remaining))}`].join(' · ');
}

/** The process's limiter, shared by every Vertex client created in it (see vertex-clients.ts). */
let processLimiter: VertexRateLimiter | undefined;

/** The one limiter of this process, created with `options` the first time. */
export function processVertexLimiter(options: VertexQuotaOptions = {}): VertexRateLimiter {
  return (processLimiter ??= new VertexRateLimiter(options));
}
