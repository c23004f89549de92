/**
 * MlflowClient: a small typed client for the MLflow REST API 2.0 model
 * registry endpoints forecast-guard uses, over `fetch`. Every request has a
 * timeout; answers are checked against mlflow-schemas.ts; failures become the
 * classes of shared/errors.ts (mlflow-errors.ts).
 *
 * Wire rules it keeps (see test/fixtures/mlflow): GET carries its message in
 * the query string, every other method in a JSON body (DELETE too) with
 * `Content-Type: application/json`; `/health` is plain text outside `/api/2.0`
 * and honours the server's static prefix (a path on the tracking URI).
 */
import type { z } from 'zod';
import { describeIssues } from '../../contracts/issues';
import { ConfigError } from '../../errors';
import { fromFetchFailure, fromMlflowResponse, type RequestLabel, unexpectedBody } from './mlflow-errors';
import {
  EmptyResponse,
  type MlflowModelVersion,
  type MlflowRegisteredModel,
  type MlflowRun,
  type MlflowTag,
  ModelVersionResponse,
  RunResponse,
  RegisteredModelResponse,
  SearchModelVersionsResponse,
  SearchRegisteredModelsResponse,
} from './mlflow-schemas';

/** Long enough for a busy server, short enough that a health check never hangs. */
export const DEFAULT_MLFLOW_TIMEOUT_MS = 10_000;

export interface MlflowClientOptions {
  /** `MLFLOW_TRACKING_URI`: http(s), may carry a path prefix and `user:password` (sent as basic auth). */
  trackingUri: string;
  /** `MLFLOW_TRACKING_TOKEN`, sent as `Authorization: Bearer`; never written into a message. */
  token?: string;
  /** Per request (default DEFAULT_MLFLOW_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Stand-in for the global fetch (tests). */
  fetch?: typeof fetch;
}

type Query = Record<string, string | number | undefined>;

export interface SearchPage {
  filter?: string;
  maxResults?: number;
  pageToken?: string;
}

/** Typed calls to one MLflow server's model registry. */
export class MlflowClient {
  /** The tracking URI without credentials or trailing slash: safe to print. */
  readonly baseUrl: string;
  private readonly authorization: string | undefined;
  private readonly secrets: string[];
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: MlflowClientOptions) {
    const url = URL.canParse(options.trackingUri) ? new URL(options.trackingUri) : undefined;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      // The value is not echoed: it may carry a password.
      throw new ConfigError('MLFLOW_TRACKING_URI must be an http or https URL', 'MLFLOW_TRACKING_URI');
    }
    const user = decodeURIComponent(url.username);
    const encodedPassword = url.password;
    const password = decodeURIComponent(encodedPassword);
    // fetch refuses URLs with credentials: they move into a header and out of the printable URL.
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    this.baseUrl = url.toString().replace(/\/+$/, '');
    this.authorization = options.token
      ? `Bearer ${options.token}`
      : user || password
        ? `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
        : undefined;
    this.secrets = [options.token, password, encodedPassword].filter((s): s is string => Boolean(s));
    this.timeoutMs = options.timeoutMs ?? DEFAULT_MLFLOW_TIMEOUT_MS;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** `GET /health`: the server's plain-text answer (`OK` when healthy). */
  async health(): Promise<string> {
    return this.send('GET', 'health', `${this.baseUrl}/health`, undefined);
  }

  getRegisteredModel(name: string): Promise<MlflowRegisteredModel> {
    return this.get('registered-models/get', { name }, RegisteredModelResponse).then(
      (r) => r.registered_model,
    );
  }

  createRegisteredModel(name: string, description?: string): Promise<MlflowRegisteredModel> {
    return this.call('POST', 'registered-models/create', { name, description }, RegisteredModelResponse).then(
      (r) => r.registered_model,
    );
  }

  searchRegisteredModels(page: SearchPage) {
    return this.get('registered-models/search', searchQuery(page), SearchRegisteredModelsResponse);
  }

  createModelVersion(input: {
    name: string;
    source: string;
    runId?: string;
    tags: MlflowTag[];
    description?: string;
  }): Promise<MlflowModelVersion> {
    const body = {
      name: input.name,
      source: input.source,
      run_id: input.runId,
      tags: input.tags,
      description: input.description,
    };
    return this.call('POST', 'model-versions/create', body, ModelVersionResponse).then(
      (r) => r.model_version,
    );
  }

  getModelVersion(name: string, version: string): Promise<MlflowModelVersion> {
    return this.get('model-versions/get', { name, version }, ModelVersionResponse).then(
      (r) => r.model_version,
    );
  }

  searchModelVersions(page: SearchPage) {
    return this.get('model-versions/search', searchQuery(page), SearchModelVersionsResponse);
  }

  async setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
    await this.call('POST', 'model-versions/set-tag', { name, version, key, value }, EmptyResponse);
  }

  async deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
    await this.call('DELETE', 'model-versions/delete-tag', { name, version, key }, EmptyResponse);
  }

  getModelVersionByAlias(name: string, alias: string): Promise<MlflowModelVersion> {
    return this.get('registered-models/alias', { name, alias }, ModelVersionResponse).then(
      (r) => r.model_version,
    );
  }

  /** Moves the alias if it is set: one call, never two versions named. */
  async setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    await this.call('POST', 'registered-models/alias', { name, alias, version }, EmptyResponse);
  }

  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    await this.call('DELETE', 'registered-models/alias', { name, alias }, EmptyResponse);
  }

  /** `runs/get`: a tracking-server run with its metrics, params and tags. Unknown run → NotFoundError. */
  getRun(runId: string): Promise<MlflowRun> {
    return this.get('runs/get', { run_id: runId }, RunResponse).then((r) => r.run);
  }

  /** Every registered model matching `filter`, following `next_page_token`. */
  async searchAllRegisteredModels(filter: string, pageSize: number): Promise<MlflowRegisteredModel[]> {
    return this.collect((pageToken) =>
      this.searchRegisteredModels({ filter, maxResults: pageSize, pageToken }).then((r) => ({
        items: r.registered_models,
        next: r.next_page_token,
      })),
    );
  }

  /** Every model version matching `filter`, following `next_page_token`. */
  async searchAllModelVersions(filter: string, pageSize: number): Promise<MlflowModelVersion[]> {
    return this.collect((pageToken) =>
      this.searchModelVersions({ filter, maxResults: pageSize, pageToken }).then((r) => ({
        items: r.model_versions,
        next: r.next_page_token,
      })),
    );
  }

  private async collect<T>(page: (token?: string) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
    const all: T[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    do {
      const { items, next } = await page(token);
      all.push(...items);
      // An empty token means "no more" on some servers; a repeated one would loop forever.
      token = next || undefined;
      if (token !== undefined && seen.has(token)) {
        throw unexpectedBody(this.label('GET', 'search'), `next_page_token ${token} came back twice`);
      }
      if (token !== undefined) seen.add(token);
    } while (token !== undefined);
    return all;
  }

  private async get<S extends z.ZodType>(endpoint: string, query: Query, schema: S): Promise<z.output<S>> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    const qs = params.toString();
    const text = await this.send('GET', endpoint, `${this.apiUrl(endpoint)}${qs ? `?${qs}` : ''}`, undefined);
    return this.parse('GET', endpoint, text, schema);
  }

  private async call<S extends z.ZodType>(
    method: 'POST' | 'DELETE',
    endpoint: string,
    body: Record<string, unknown>,
    schema: S,
  ): Promise<z.output<S>> {
    // JSON.stringify drops undefined fields: proto2 optional fields are left out, not sent as null.
    const text = await this.send(method, endpoint, this.apiUrl(endpoint), JSON.stringify(body));
    return this.parse(method, endpoint, text, schema);
  }

  private apiUrl(endpoint: string): string {
    return `${this.baseUrl}/api/2.0/mlflow/${endpoint}`;
  }

  /** One request with a timeout; the response text on 2xx, else the mapped error. */
  private async send(
    method: string,
    endpoint: string,
    url: string,
    body: string | undefined,
  ): Promise<string> {
    const label = this.label(method, endpoint);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.authorization) headers.authorization = this.authorization;
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      // The body is read under the same timeout: a server that stalls mid-answer fails too.
      text = await response.text();
    } catch (err) {
      throw fromFetchFailure(err, label, this.baseUrl, this.timeoutMs);
    }
    if (!response.ok) throw fromMlflowResponse(response.status, text, label);
    return text;
  }

  private parse<S extends z.ZodType>(method: string, endpoint: string, text: string, schema: S): z.output<S> {
    const label = this.label(method, endpoint);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw unexpectedBody(label, `not JSON: ${text.slice(0, 80)}`);
    }
    const result = schema.safeParse(json);
    if (result.success) return result.data;
    const problems = describeIssues(result.error.issues).map((p) => `${p.path}: ${p.reason}`);
    throw unexpectedBody(label, problems.join('; '));
  }

  private label(method: string, endpoint: string): RequestLabel {
    return { method, endpoint, redact: (text) => this.redact(text) };
  }

  /** Scrubs the token and password from text that may echo a request (server messages). */
  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('[redacted]');
    return out;
  }
}

function searchQuery(page: SearchPage): Query {
  return { filter: page.filter, max_results: page.maxResults, page_token: page.pageToken };
}
