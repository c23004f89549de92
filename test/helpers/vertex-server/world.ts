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
import type { Message } from './rpc';
import { notFound } from './rpc';

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
  /** The server's clock (create and update times); the real one by default. */
  now?: () => Date;
  /** Uniform [0, 1): routes predictions by traffic. */
  random?: () => number;
}

/** Everything the local server holds. */
export class VertexWorld {
  readonly models = new Map<string, ModelRecord>();
  readonly endpoints = new Map<string, EndpointRecord>();
  readonly pipelineJobs = new Map<string, Message>();
  readonly operations = new Map<string, Message>();
  now: () => Date;
  random: () => number;
  private counter = 0;

  constructor(options: WorldOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
  }

  timestamp(): Timestamp {
    return isoToTimestamp(this.now().toISOString()) as Timestamp;
  }

  /** A numeric id like the ones Vertex generates (DeployedModel ids are 1–10 digits; others longer). */
  nextId(digits = 10): string {
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
   * A long-running operation that is already done (the local server does its
   * work at once), kept for GetOperation, with `response` packed as Any.
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
}
