/**
 * The Vertex AI API clients (`@google-cloud/aiplatform` v1, gRPC), built
 * from one connection description. In production they talk to
 * `<location>-aiplatform.googleapis.com:443` with TLS and Application Default
 * Credentials. `apiEndpoint` (FG_VERTEX_API_ENDPOINT, host:port) points them
 * elsewhere; on a loopback host (a local server in tests) the channel is
 * plaintext: google-gax uses the `sslCreds` option as the channel credentials
 * instead of TLS + ADC, and `universeDomain` set explicitly keeps it from
 * looking for credentials (or a metadata server) at all.
 *
 * Every RPC of every client goes through one wrapper (`guarded`), so no call
 * site can forget either rule:
 * - a deadline: gax CallOptions `timeout` (FG_VERTEX_DEADLINE, 60 s by
 *   default) unless the caller set one, and for long-running operations a
 *   polling schedule whose total timeout is FG_VERTEX_LRO_DEADLINE (30 min:
 *   real deployments take minutes; gax's own default gives up after 10);
 * - the process's rate limiter (vertex-quota.ts): each RPC, each page of a
 *   listing and each poll of an operation waits for a token of its quota
 *   class, and a RESOURCE_EXHAUSTED answer is retried after a backoff.
 * Streaming RPCs are refused: nothing here uses them, and they would bypass both.
 */
import { protos, v1 } from '@google-cloud/aiplatform';
import { ValidationError } from '../../errors';
import { grpcEndpointOptions } from './grpc-endpoint';
import type { VertexLocation } from './vertex-names';
import type { VertexQuotaOptions, VertexRateLimiter } from './vertex-quota';
import { processVertexLimiter, quotaClassOf, quotaLocationOf } from './vertex-quota';

export type ModelServiceClient = InstanceType<typeof v1.ModelServiceClient>;
export type EndpointServiceClient = InstanceType<typeof v1.EndpointServiceClient>;
export type PredictionServiceClient = InstanceType<typeof v1.PredictionServiceClient>;
export type PipelineServiceClient = InstanceType<typeof v1.PipelineServiceClient>;
export type VertexClientOptions = NonNullable<ConstructorParameters<typeof v1.ModelServiceClient>[0]>;

export interface VertexConnection extends VertexLocation {
  /** `host:port` of the Vertex AI API instead of the regional Google host (a local server in tests). */
  apiEndpoint?: string;
  /** Deadline of one RPC, ms (FG_VERTEX_DEADLINE); 60 s by default. */
  deadlineMs?: number;
  /** Deadline of waiting for a long-running operation, ms (FG_VERTEX_LRO_DEADLINE); 30 min by default. */
  lroDeadlineMs?: number;
  /** First wait between polls of an operation, ms; 1 s by default (×1.5 per poll, at most 30 s). */
  lroFirstPollMs?: number;
  /** The limiter every call waits on; the process's own (created with `quota`) by default. */
  limiter?: VertexRateLimiter;
  /** Options of the process's limiter when it is created by this call. */
  quota?: VertexQuotaOptions;
}

export const DEFAULT_VERTEX_DEADLINE_MS = 60_000;
export const DEFAULT_VERTEX_LRO_DEADLINE_MS = 30 * 60_000;

/** The four clients the Vertex adapters use; each is created on first use. */
export interface VertexClients {
  readonly model: ModelServiceClient;
  readonly endpoint: EndpointServiceClient;
  readonly prediction: PredictionServiceClient;
  readonly pipeline: PipelineServiceClient;
  /** The rate limiter every call of these clients waits on (its counters feed progress lines). */
  readonly limiter: VertexRateLimiter;
  /** Closes the channels of the clients that were created. */
  close(): Promise<void>;
}

/** Client options for a connection: regional TLS by default, plaintext for a loopback override. */
export function vertexClientOptions(connection: VertexConnection): VertexClientOptions {
  if (connection.apiEndpoint === undefined) {
    return {
      apiEndpoint: `${connection.location}-aiplatform.googleapis.com`,
      projectId: connection.projectId,
    };
  }
  return grpcEndpointOptions(connection.apiEndpoint, connection.projectId, '127.0.0.1:8681');
}

/** Unary RPCs of each service, from the proto definitions the client is generated from. */
function rpcNames(
  service: 'ModelService' | 'EndpointService' | 'PredictionService' | 'PipelineService',
): string[] {
  const prototype = protos.google.cloud.aiplatform.v1[service].prototype as object;
  return Object.getOwnPropertyNames(prototype).filter((n) => n !== 'constructor');
}

type AnyFn = (...args: unknown[]) => unknown;
type CallOptions = Record<string, unknown> & { timeout?: number; autoPaginate?: boolean };
type Listed = [unknown[], unknown, { nextPageToken?: string | null } | undefined];

interface Guard {
  limiter: VertexRateLimiter;
  deadlineMs: number;
  longrunning: Record<string, number>;
}

function requirePositive(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0))
    throw new ValidationError(`${name}: must be a positive number of milliseconds (got ${value})`, [name]);
}

/** `client` with every RPC under the deadline and the limiter; everything else passes through. */
function guarded<C extends object>(client: C, rpcs: string[], guard: Guard): C {
  const lro = (name: string) =>
    /^(upload|create|deploy|undeploy|mutate|delete|update\w*LongRunning|export|copy|batch)/.test(name);
  const withDeadline = (name: string, options: unknown): CallOptions => {
    const given = (options ?? {}) as CallOptions;
    return {
      ...(lro(name) && given.longrunning === undefined ? { longrunning: guard.longrunning } : {}),
      ...given,
      timeout: given.timeout ?? guard.deadlineMs,
    };
  };
  const call = (target: C, name: string, request: unknown, options: unknown) =>
    guard.limiter.run(
      quotaClassOf(name),
      () =>
        ((target as Record<string, AnyFn>)[name] as AnyFn).call(
          target,
          request,
          withDeadline(name, options),
        ) as Promise<unknown>,
      quotaLocationOf(request),
    );
  /** Page by page, each page one limited RPC (gax's autoPaginate would send them unseen). */
  async function* pages(target: C, name: string, request: unknown, options: unknown) {
    let pageToken = (request as { pageToken?: string } | undefined)?.pageToken;
    do {
      const [items, , response] = (await call(
        target,
        name,
        { ...(request as object), pageToken },
        {
          ...(options as object),
          autoPaginate: false,
        },
      )) as Listed;
      yield* items;
      pageToken = response?.nextPageToken ?? undefined;
    } while (pageToken);
  }
  const wrapped = new Map<string, AnyFn>();
  for (const name of rpcs) {
    if (/stream/i.test(name)) {
      const refuse = () => {
        throw new Error(`Vertex client: ${name} (streaming) is not available through the guarded clients`);
      };
      wrapped.set(name, refuse);
      wrapped.set(`${name}Stream`, refuse);
      continue;
    }
    const isList = name.startsWith('list');
    wrapped.set(name, (request: unknown, options?: unknown, callback?: unknown) => {
      if (typeof options === 'function' || callback !== undefined)
        throw new Error(
          `Vertex client: call ${name} without a callback; the guarded clients return promises`,
        );
      if (!isList || (options as CallOptions | undefined)?.autoPaginate === false)
        return call(client, name, request, options);
      return (async (): Promise<Listed> => {
        const all: unknown[] = [];
        for await (const item of pages(client, name, request, options)) all.push(item);
        return [all, null, undefined];
      })();
    });
    if (isList) {
      wrapped.set(`${name}Async`, (request: unknown, options?: unknown) =>
        pages(client, name, request, options),
      );
      wrapped.set(`${name}Stream`, () => {
        throw new Error(`Vertex client: use ${name}Async instead of ${name}Stream with the guarded clients`);
      });
    }
  }
  guardOperations(client, guard);
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && wrapped.has(prop)) return wrapped.get(prop);
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as AnyFn).bind(target) : value;
    },
  });
}

/**
 * The operations client gax polls long-running operations with (and
 * check*Progress reads through): each GetOperation waits for a CRUD token and
 * carries the deadline too.
 */
function guardOperations(client: object, guard: Guard): void {
  const operations = (client as { operationsClient?: Record<string, AnyFn> }).operationsClient;
  if (!operations) return;
  for (const method of ['getOperationInternal', 'getOperation']) {
    const original = operations[method];
    if (typeof original !== 'function') continue;
    operations[method] = (request: unknown, options?: unknown, callback?: unknown) => {
      if (typeof options === 'function' || callback !== undefined)
        return original.call(operations, request, options, callback);
      let inner: { cancel?: () => void } | undefined;
      const promise = guard.limiter.run(
        'resource_management',
        () => {
          const sent = original.call(operations, request, {
            ...((options as object | undefined) ?? {}),
            timeout: (options as CallOptions | undefined)?.timeout ?? guard.deadlineMs,
          }) as Promise<unknown> & { cancel?: () => void };
          inner = sent;
          return sent;
        },
        quotaLocationOf(request),
      ) as Promise<unknown> & { cancel?: () => void };
      // gax cancels a poll in flight through the promise it was given.
      promise.cancel = () => inner?.cancel?.();
      return promise;
    };
  }
}

/**
 * Clients for one connection, created lazily: the first one loads the API's
 * protos (seconds), later ones are cheap. Every RPC has a deadline and waits
 * on the rate limiter (see the file comment).
 */
export function createVertexClients(connection: VertexConnection): VertexClients {
  const options = vertexClientOptions(connection);
  requirePositive('deadlineMs', connection.deadlineMs);
  requirePositive('lroDeadlineMs', connection.lroDeadlineMs);
  requirePositive('lroFirstPollMs', connection.lroFirstPollMs);
  const deadlineMs = connection.deadlineMs ?? DEFAULT_VERTEX_DEADLINE_MS;
  const guard: Guard = {
    limiter: connection.limiter ?? processVertexLimiter(connection.quota),
    deadlineMs,
    // gax BackoffSettings for polling: slow enough not to spend the CRUD quota on polls.
    longrunning: {
      initialRetryDelayMillis: connection.lroFirstPollMs ?? 1000,
      retryDelayMultiplier: 1.5,
      maxRetryDelayMillis: 30_000,
      initialRpcTimeoutMillis: deadlineMs,
      rpcTimeoutMultiplier: 1,
      maxRpcTimeoutMillis: deadlineMs,
      totalTimeoutMillis: connection.lroDeadlineMs ?? DEFAULT_VERTEX_LRO_DEADLINE_MS,
    },
  };
  let model: ModelServiceClient | undefined;
  let endpoint: EndpointServiceClient | undefined;
  let prediction: PredictionServiceClient | undefined;
  let pipeline: PipelineServiceClient | undefined;
  return {
    get model() {
      return (model ??= guarded(new v1.ModelServiceClient(options), rpcNames('ModelService'), guard));
    },
    get endpoint() {
      return (endpoint ??= guarded(
        new v1.EndpointServiceClient(options),
        rpcNames('EndpointService'),
        guard,
      ));
    },
    get prediction() {
      return (prediction ??= guarded(
        new v1.PredictionServiceClient(options),
        rpcNames('PredictionService'),
        guard,
      ));
    },
    get pipeline() {
      return (pipeline ??= guarded(
        new v1.PipelineServiceClient(options),
        rpcNames('PipelineService'),
        guard,
      ));
    },
    get limiter() {
      return guard.limiter;
    },
    async close() {
      await Promise.all([model, endpoint, prediction, pipeline].map((c) => c?.close()));
    },
  };
}
