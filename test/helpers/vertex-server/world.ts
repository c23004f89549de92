/**
 * The local Vertex AI server's state, in memory: Models with their versions,
 * Endpoints with deployed models and traffic, PipelineJobs and finished
 * long-running operations. Resources of every project live side by side,
 * keyed by full resource name, so suites isolate themselves with a project id
 * of their own.
 */
import { isoToTimestamp } from '../../../shared/adapters/gcp/vertex-values';
import type { OperationResponseType } from './protos';
import { packAny } from './protos';
import type { ContainerBehaviour } from './container';
import type { QuotaOptions } from './quota';
import { QuotaMeter } from './quota';
import type { Message } from './rpc';
import { notFound, RpcError } from './rpc';

/** google.protobuf.Timestamp as proto-loader encodes it. */
export type Timestamp = { seconds: number; nanos: number };

/** One version of a Model: the version-level fields Vertex keeps. */
export interface VersionRecord {
  versionId: string;
  aliases: Set<string>;
  createTime: Timestamp;
  updateTime: Timestamp;
  description: string;
  labels: Record<string, string>;
  /** Everything else uploaded with the version (metadata, artifactUri, …), returned as sent. */
  uploaded: Message;
}

export interface ModelRecord {
  name: string;
  displayName: string;
  description: string;
  createTime: Timestamp;
  updateTime: Timestamp;
  versions: VersionRecord[];
  lastVersion: number;
}

export interface DeployedModelRecord extends Message {
  id: string;
  model: string;
  modelVersionId: string;
}

export interface EndpointRecord {
  name: string;
  displayName: string;
  description: string;
  labels: Record<string, string>;
  deployedModels: DeployedModelRecord[];
  trafficSplit: Record<string, number>;
  createTime: Timestamp;
  updateTime: Timestamp;
  /** Bumped on every change; Vertex's etag is opaque, this one is a counter. */
  revision: number;
}

export interface WorldOptions {
  /** The server's clock (create and update times, operation delays, quota windows); the real one by default. */
  now?: () => Date;
  /** Uniform [0, 1): routes predictions by traffic. */
  random?: () => number;
  /**
   * Project id → project number. Vertex answers with the project NUMBER in
   * every resource name (`projects/123456789012/…`) whichever form the
   * request used; with a mapping the local server does the same.
   */
  projectNumbers?: Record<string, string>;
  /**
   * How long a long-running operation (UploadModel, CreateEndpoint,
   * DeployModel, UndeployModel) takes before GetOperation reports it done;
   * 300 ms by default (real deployments take minutes). 0 finishes at once.
   */
  operationDelayMs?: number;
  /** Quotas per project and region; the documented defaults unless overridden (see quota.ts). */
  quotas?: QuotaOptions;
  /**
   * Refuse Explain on deployed models without an explanation spec, as Vertex
   * does (default true). False restores the old lenient behaviour.
   */
  explainNeedsSpec?: boolean;
}

/** A long-running operation the server is still working on. */
interface PendingOperation {
  operation: Message;
  doneAt: number;
  type: OperationResponseType;
  /** Does the work when the operation finishes; its return value is the response. */
  work: () => object;
}

/** Everything the local server holds. */
export class VertexWorld {
  readonly models = new Map<string, ModelRecord>();
  readonly endpoints = new Map<string, EndpointRecord>();
  readonly pipelineJobs = new Map<string, Message>();
  readonly operations = new Map<string, Message>();
  /** The serving container's behaviour per Model resource name (pipeline-uploaded models). */
  readonly containers = new Map<string, ContainerBehaviour>();
  readonly projectNumbers: Map<string, string>;
  readonly quota: QuotaMeter;
  now: () => Date;
  random: () => number;
  operationDelayMs: number;
  explainNeedsSpec: boolean;
  /** Milliseconds every answer waits before it is computed (tests of client deadlines). */
  responseDelayMs = 0;
  private readonly pending = new Map<string, PendingOperation>();
  private counter = 0;

  constructor(options: WorldOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.projectNumbers = new Map(Object.entries(options.projectNumbers ?? {}));
    this.operationDelayMs = options.operationDelayMs ?? 300;
    this.explainNeedsSpec = options.explainNeedsSpec ?? true;
    this.quota = new QuotaMeter(() => this.now().getTime(), options.quotas);
  }

  /** `projects/<id>/…` → `projects/<number>/…` when the id has a number; anything else unchanged. */
  canonicalName(name: string): string {
    const match = /^projects\/([^/]+)(\/.*)?$/.exec(name);
    const number = match ? this.projectNumbers.get(match[1] as string) : undefined;
    return number === undefined ? name : `projects/${number}${match?.[2] ?? ''}`;
  }

  timestamp(): Timestamp {
    return isoToTimestamp(this.now().toISOString()) as Timestamp;
  }

  /**
   * A numeric id like the ones Vertex generates: 19 digits for Models,
   * DeployedModels and operations (callers may only supply 1–10 digit
   * DeployedModel ids; see 10-vertex-limits/quotas.json), fewer for endpoints.
   */
  nextId(digits = 19): string {
    this.counter += 1;
    return `${1 + (this.counter % 9)}${String(this.counter).padStart(digits - 1, '0')}`.slice(0, digits);
  }

  model(name: string): ModelRecord {
    const model = this.models.get(name);
    if (!model) throw notFound(`Model ${name} not found.`);
    return model;
  }

  endpoint(name: string): EndpointRecord {
    const endpoint = this.endpoints.get(name);
    if (!endpoint) throw notFound(`Endpoint ${name} not found.`);
    return endpoint;
  }

  /**
   * A long-running operation that is already done, kept for GetOperation,
   * with `response` packed as Any.
   */
  doneOperation(parentResource: string, type: OperationResponseType, response: object): Message {
    const operation = {
      name: `${parentResource}/operations/${this.nextId(19)}`,
      done: true,
      response: packAny(type, response),
    };
    this.operations.set(operation.name, operation);
    return operation;
  }

  /**
   * A long-running operation that takes `operationDelayMs` of the server's
   * clock: returned with `done: false`; `work` runs when it finishes (so the
   * change shows only then), and its result, or the RpcError it throws,
   * becomes the operation's response or error.
   */
  startOperation(parentResource: string, type: OperationResponseType, work: () => object): Message {
    const operation: Message = { name: `${parentResource}/operations/${this.nextId(19)}`, done: false };
    this.operations.set(operation.name as string, operation);
    this.pending.set(operation.name as string, {
      operation,
      doneAt: this.now().getTime() + this.operationDelayMs,
      type,
      work,
    });
    if (this.operationDelayMs <= 0) this.settle();
    return { ...operation };
  }

  /** Finishes every operation whose time has come (all of them with `force`), in start order. */
  settle(force = false): void {
    const now = this.now().getTime();
    for (const [name, entry] of this.pending) {
      if (!force && entry.doneAt > now) continue;
      this.pending.delete(name);
      let finished: Message;
      try {
        finished = { name, done: true, response: packAny(entry.type, entry.work()) };
      } catch (err) {
        if (!(err instanceof RpcError)) throw err;
        finished = { name, done: true, error: { code: err.code, message: err.message } };
      }
      this.operations.set(name, finished);
    }
  }

  /** When the named operation will be done (epoch ms), or undefined when it already is. */
  operationDueAt(name: string): number | undefined {
    return this.pending.get(name)?.doneAt;
  }
}
