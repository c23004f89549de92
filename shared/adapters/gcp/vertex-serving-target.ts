/**
 * VertexServingTarget: the ServingTarget on Vertex AI Endpoints.
 *
 * Endpoints. A book's endpoint is found as forecast-guard names it, id and
 * display name `<prefix><isbn>` (FG_VERTEX_ENDPOINT_PREFIX, labels `isbn`
 * and `app=forecast-guard`), or as the publisher's pipeline names it: the
 * oldest Endpoint whose display name is the pattern
 * (FG_VERTEX_ENDPOINT_PATTERN, e.g. `book-sales-{isbn}`) and which carries
 * the labels of FG_VERTEX_ENDPOINT_LABELS (e.g. `purpose=book_sales_forecasting`).
 * A book with neither gets a `<prefix><isbn>` endpoint on its first deployment.
 *
 * Versions. Which Model version is which of the book's versions is the
 * resolver's business (vertex-book-versions.ts for the Vertex registry,
 * vertex-mlflow-versions.ts for MLflow). Each deployed version is a
 * DeployedModel whose id is derived from its Model version
 * (vertex-operations.ts), so a redelivered deployment finds the first one.
 * `setTraffic` among deployed versions is one UpdateEndpoint with mask
 * `traffic_split`; versions not deployed yet are deployed first (DeployModel,
 * a long-running operation, waited for at most `deployTimeoutMs`).
 *
 * Predictions. No Explain: real Vertex refuses it without an explanation
 * spec, and its quota is a tenth of Predict's. Every answer is attributed by
 * the `deployedModelId` it carries. A pinned prediction of a version with 100 %
 * of the traffic is a plain Predict whose answer must come from that
 * version's DeployedModel (else a ConflictError naming both). A version
 * deployed with less traffic is answered on the validation endpoint
 * (FG_VERTEX_VALIDATION_ENDPOINT): deployed there with the whole of its
 * traffic, asked, attributed, and kept until another version needs the
 * endpoint. Without one, such a pinned call is a ConflictError.
 * Requests and answers speak both forecast-guard's shape and the
 * publisher's serving container's (vertex-container-codec.ts).
 */
import { performance } from 'node:perf_hooks';
import type { PredictResponse, ServingState } from '../../contracts/model';
import { MAX_FORECAST_STEPS } from '../../contracts/model';
import { validateInstances } from '../../domain/predict';
import { validateTrafficSplit } from '../../domain/traffic';
import { BackendUnavailableError, ConfigError, ConflictError, NotFoundError } from '../../errors';
import type { ServingTarget } from '../../ports/serving-target';
import type { VertexVersionResolver, VertexVersionRow } from './vertex-book-versions';
import { rowOfDeployed, rowOfVersion, VertexRegistryVersions } from './vertex-book-versions';
import type { VertexClients } from './vertex-clients';
import { DEFAULT_VERTEX_LRO_DEADLINE_MS } from './vertex-clients';
import { containerInstance, predictionsFrom } from './vertex-container-codec';
import type { VertexEndpoint } from './vertex-endpoint-codec';
import {
  deployedVersions,
  hasUnknownDeployment,
  servingStateFrom,
  vertexTrafficSplit,
} from './vertex-endpoint-codec';
import {
  GrpcStatus,
  hasGrpcCode,
  translateVertexError,
  VERTEX_BACKEND,
  vertexCall,
  vertexRead,
} from './vertex-errors';
import { resourceLabels } from './vertex-labels';
import { DEFAULT_RESOURCES, type DeploymentResources } from './vertex-resources';
import type { VertexLocation } from './vertex-names';
import {
  APP_FILTER,
  assertEndpointPattern,
  assertEndpointPrefix,
  byVersion,
  endpointDisplayNameFor,
  endpointIdFor,
  endpointNameFor,
  isbnOfDisplayName,
  ISBN_LABEL_KEY,
  labelFilter,
  lastSegment,
  locationPath,
  requireIsbn,
  versionRef,
} from './vertex-names';
export { DEFAULT_RESOURCES, type DeploymentResources } from './vertex-resources';
import { awaitOperation, deployedModelIdFor } from './vertex-operations';
import { fromProtoValue, toProtoValue } from './vertex-values';

/** How long a pinned prediction routes by its last read of an endpoint (see pinnedSnapshots). */
const PINNED_SNAPSHOT_MS = 30_000;

/** A pinned prediction answered by another DeployedModel than the one it was routed to. */
class AnsweredByAnotherError extends ConflictError {}

/** How long the book → versions table is trusted before it is read again (a miss re-reads at once). */
const ROWS_TTL_MS = 5 * 60_000;

export interface VertexServingTargetOptions extends VertexLocation {
  clients: Pick<VertexClients, 'model' | 'endpoint' | 'prediction'>;
  /** Endpoint ids are `<endpointPrefix><isbn>` (FG_VERTEX_ENDPOINT_PREFIX); must start with a letter. */
  endpointPrefix: string;
  /** Display-name pattern of existing endpoints, e.g. `book-sales-{isbn}` (FG_VERTEX_ENDPOINT_PATTERN). */
  endpointPattern?: string;
  /** Labels existing endpoints must carry to be a book's (FG_VERTEX_ENDPOINT_LABELS). */
  endpointLabels?: Record<string, string>;
  /** Endpoint id or resource name where versions without the whole traffic are asked (FG_VERTEX_VALIDATION_ENDPOINT). */
  validationEndpoint?: string;
  /** Book versions ↔ Vertex Model versions; the Vertex registry's rule by default. */
  versions?: VertexVersionResolver;
  /** A version's last training week, to date the serving container's answers (which carry no dates). */
  trainedThroughOf?: (isbn: string, version: string) => Promise<string | undefined>;
  resources?: Partial<DeploymentResources>;
  /**
   * Bound on waiting for DeployModel/UndeployModel/CreateEndpoint: FG_VERTEX_LRO_DEADLINE (the
   * clients' polling gives up then too); 30 minutes by default, as there.
   */
  deployTimeoutMs?: number;
  /** How often a redelivered deployment looks for the first one to finish. */
  pollMs?: number;
}

/** ServingTarget on Vertex AI Endpoints (see the mapping above). */
export class VertexServingTarget implements ServingTarget {
  private readonly where: VertexLocation;
  private readonly clients: Pick<VertexClients, 'model' | 'endpoint' | 'prediction'>;
  private readonly prefix: string;
  private readonly pattern?: string;
  private readonly labels: Record<string, string>;
  private readonly validationEndpoint?: string;
  private readonly versions: VertexVersionResolver;
  private readonly trainedThroughOf?: (isbn: string, version: string) => Promise<string | undefined>;
  private readonly resources: DeploymentResources;
  private readonly deployTimeoutMs: number;
  private readonly pollMs: number;
  private readonly rowsCache = new Map<string, { rows: VertexVersionRow[]; at: number }>();
  /** The version-table read under way per book (see readRows). */
  private readonly rowsReads = new Map<string, Promise<VertexVersionRow[]>>();
  private readonly endpointNames = new Map<string, string>();
  private readonly trainedThroughCache = new Map<string, string>();
  /**
   * The last read of a book's endpoint, reused by pinned predictions for
   * PINNED_SNAPSHOT_MS: a validation asks one version 1,000+ times, and a
   * read per call would spend the CRUD quota (600/min) on GetEndpoint. It
   * only routes; every answer is still attributed by its deployedModelId, and
   * an answer from another deployed model drops the snapshot and asks again.
   */
  private readonly pinnedSnapshots = new Map<string, { endpoint: VertexEndpoint; at: number }>();
  /** The DeployedModel that held the validation endpoint's whole traffic at the last check, and when. */
  private validationHolder?: { id: string; at: number };
  /** Serialises use of the validation endpoint: one version holds its traffic at a time. */
  private validationQueue: Promise<unknown> = Promise.resolve();

  constructor(options: VertexServingTargetOptions) {
    assertEndpointPrefix(options.endpointPrefix);
    if (options.endpointPattern !== undefined) assertEndpointPattern(options.endpointPattern);
    this.where = { projectId: options.projectId, location: options.location };
    this.clients = options.clients;
    this.prefix = options.endpointPrefix;
    this.pattern = options.endpointPattern;
    this.labels = options.endpointLabels ?? {};
    this.validationEndpoint =
      options.validationEndpoint === undefined
        ? undefined
        : options.validationEndpoint.includes('/')
          ? options.validationEndpoint
          : `${locationPath(this.where)}/endpoints/${options.validationEndpoint}`;
    this.versions = options.versions ?? new VertexRegistryVersions(options.clients, this.where);
    this.trainedThroughOf = options.trainedThroughOf;
    this.resources = { ...DEFAULT_RESOURCES, ...options.resources };
    this.deployTimeoutMs = options.deployTimeoutMs ?? DEFAULT_VERTEX_LRO_DEADLINE_MS;
    this.pollMs = options.pollMs ?? 5_000;
  }

  async getServing(isbn: string): Promise<ServingState | undefined> {
    requireIsbn(isbn);
    const endpoint = await this.findEndpoint(isbn);
    return endpoint && this.stateOf(isbn, endpoint);
  }

  /** Every book endpoint: forecast-guard's (`app=forecast-guard`) and those matching the pattern/labels, in ISBN order. */
  async listServing(): Promise<ServingState[]> {
    const byIsbn = new Map<string, VertexEndpoint>();
    for (const endpoint of await this.listEndpoints(APP_FILTER)) {
      const isbn =
        endpoint.labels?.[ISBN_LABEL_KEY] ?? lastSegment(endpoint.name ?? '').slice(this.prefix.length);
      byIsbn.set(isbn, endpoint);
    }
    if (this.pattern !== undefined) {
      const pipeline = (await this.listEndpoints(labelFilter(this.labels))).sort(byCreateTime);
      for (const endpoint of pipeline) {
        const isbn = isbnOfDisplayName(this.pattern, endpoint.displayName ?? '');
        if (isbn !== undefined && !byIsbn.has(isbn)) byIsbn.set(isbn, endpoint);
      }
    }
    const states: ServingState[] = [];
    for (const [isbn, endpoint] of byIsbn) states.push(await this.stateOf(isbn, endpoint));
    return states.sort((a, b) => a.isbn.localeCompare(b.isbn));
  }

  async setTraffic(isbn: string, split: Record<string, number>): Promise<ServingState> {
    requireIsbn(isbn);
    this.pinnedSnapshots.delete(isbn);
    const shares = validateTrafficSplit(split);
    const existing = await this.findEndpoint(isbn);
    const rows = await this.rowsToSet(
      isbn,
      existing,
      shares.map((s) => s.version),
    );
    const missing = shares.map((s) => s.version).filter((v) => !rowOfVersion(rows, v));
    if (missing.length > 0) {
      const registered = [...new Set(rows.map((r) => r.version))].sort(byVersion);
      throw new NotFoundError(
        `ISBN ${isbn} has no version ${missing.join(', ')} to deploy (versions: ${registered.join(', ')})`,
      );
    }
    const endpoint = existing ?? (await this.createEndpoint(isbn));
    const name = endpoint.name ?? '';
    const deployed = deployedVersions(endpoint, rows);
    const toDeploy = shares.map((s) => s.version).filter((v) => !deployed.has(v));
    for (const [index, version] of toDeploy.entries()) {
      // Only the last deployment changes traffic, to the whole new split: before it, traffic is as it was.
      const last = index === toDeploy.length - 1;
      const row = rowOfVersion(rows, version)!;
      const id = await this.deploy(name, row, last ? vertexTrafficSplit(shares, deployed, version) : {});
      deployed.set(version, { id, model: versionRef(row.model, row.versionId) });
    }
    // The fast path, and the end of a redelivered deployment whose first attempt set no split.
    const wanted = vertexTrafficSplit(shares, deployed);
    let after = toDeploy.length === 0 ? endpoint : await this.readEndpointNamed(name);
    if (!after) throw new NotFoundError(`the endpoint of ISBN ${isbn} disappeared while deploying`);
    if (!sameSplit(after.trafficSplit ?? {}, wanted)) {
      [after] = await vertexCall(`set traffic of ${isbn}`, () =>
        this.clients.endpoint.updateEndpoint({
          endpoint: { name, trafficSplit: wanted },
          updateMask: { paths: ['traffic_split'] },
        }),
      );
    }
    return servingStateFrom(isbn, after, rows);
  }

  async undeploy(isbn: string, version: string): Promise<void> {
    requireIsbn(isbn);
    this.pinnedSnapshots.delete(isbn);
    const endpoint = await this.findEndpoint(isbn);
    if (!endpoint) throw new NotFoundError(`no endpoint serves ISBN ${isbn} (nothing was ever deployed)`);
    const deployed = deployedVersions(endpoint, await this.rowsFor(isbn, endpoint));
    const deployedModelId = deployed.get(version)?.id;
    // Not deployed is already the wanted outcome: a retried undeploy succeeds.
    if (deployedModelId === undefined) return;
    const traffic = Number(endpoint.trafficSplit?.[deployedModelId] ?? 0);
    if (traffic > 0) {
      throw new ConflictError(
        `version ${version} of ISBN ${isbn} still serves ${traffic} % of traffic; move its traffic with setTraffic first`,
      );
    }
    await this.undeployId(endpoint.name ?? '', deployedModelId, `undeploy ${isbn} version ${version}`);
  }

  async predict(
    isbn: string,
    instances: unknown[],
    options: { version?: string } = {},
  ): Promise<PredictResponse> {
    requireIsbn(isbn);
    const values = validateInstances(instances, MAX_FORECAST_STEPS).map((i) =>
      toProtoValue(containerInstance(i)),
    );
    if (options.version === undefined) return this.predictRouted(isbn, values);
    const version = options.version;
    const bySnapshot = this.routesBySnapshot(isbn);
    try {
      return await this.predictPinned(isbn, version, values, false);
    } catch (err) {
      // Routed by a snapshot the endpoint has moved on from: read it again and ask once more.
      if (!(err instanceof AnsweredByAnotherError) || !bySnapshot) throw err;
      this.pinnedSnapshots.delete(isbn);
      this.validationHolder = undefined;
      return this.predictPinned(isbn, version, values, true);
    }
  }

  private async predictPinned(
    isbn: string,
    version: string,
    values: ReturnType<typeof toProtoValue>[],
    fresh: boolean,
  ): Promise<PredictResponse> {
    const endpoint = await this.pinnedEndpoint(isbn, fresh);
    if (!endpoint) throw new NotFoundError(`no endpoint serves ISBN ${isbn}`);
    const rows = await this.rowsFor(isbn, endpoint);
    const deployed = deployedVersions(endpoint, rows);
    const target = deployed.get(version);
    if (target === undefined) {
      throw new ConflictError(
        `version ${version} is not deployed on the endpoint of ISBN ${isbn} (deployed: ${[...deployed.keys()].sort(byVersion).join(', ') || 'none'})`,
      );
    }
    const traffic = Number(endpoint.trafficSplit?.[target.id] ?? 0);
    if (traffic === 100) {
      return this.predictOn(endpoint.name ?? '', isbn, version, target.id, values);
    }
    if (this.validationEndpoint === undefined) {
      throw new ConflictError(
        `version ${version} of ISBN ${isbn} holds ${traffic} % of its endpoint's traffic: a prediction from it alone needs 100 %, or a validation endpoint (FG_VERTEX_VALIDATION_ENDPOINT); forecast-guard does not use Explain`,
      );
    }
    const row = rowOfVersion(rows, version)!;
    return this.serialised(() => this.predictOnValidation(isbn, row, values));
  }

  private routesBySnapshot(isbn: string): boolean {
    const fresh = (at: number | undefined) => at !== undefined && Date.now() - at < PINNED_SNAPSHOT_MS;
    return fresh(this.pinnedSnapshots.get(isbn)?.at) || fresh(this.validationHolder?.at);
  }

  /** The book's endpoint for a pinned prediction: the snapshot while fresh, else a read. */
  private async pinnedEndpoint(isbn: string, fresh: boolean): Promise<VertexEndpoint | undefined> {
    const hit = this.pinnedSnapshots.get(isbn);
    if (!fresh && hit && Date.now() - hit.at < PINNED_SNAPSHOT_MS) return hit.endpoint;
    const endpoint = await this.findEndpoint(isbn);
    if (endpoint) this.pinnedSnapshots.set(isbn, { endpoint, at: Date.now() });
    else this.pinnedSnapshots.delete(isbn);
    return endpoint;
  }

  /** Unpinned: traffic decides, and the answer says which DeployedModel gave it. */
  private async predictRouted(
    isbn: string,
    values: ReturnType<typeof toProtoValue>[],
  ): Promise<PredictResponse> {
    const name = await this.endpointNameOf(isbn);
    let response;
    try {
      [response] = await this.clients.prediction.predict({ endpoint: name, instances: values });
    } catch (err) {
      if (hasGrpcCode(err, GrpcStatus.NOT_FOUND)) {
        this.endpointNames.delete(isbn);
        throw new NotFoundError(`no endpoint serves ISBN ${isbn}`, { cause: err });
      }
      throw translateVertexError(err, `predict with the endpoint of ${isbn}`);
    }
    const deployedModelId = String(response.deployedModelId ?? '');
    const row = await this.attribute(
      isbn,
      String(response.model ?? ''),
      String(response.modelVersionId ?? ''),
    );
    if (!row) {
      throw new ConflictError(
        `the endpoint of ISBN ${isbn} answered from deployed model ${deployedModelId} (${response.model ?? '?'}@${response.modelVersionId ?? '?'}), which is none of the book's versions`,
      );
    }
    return this.responseOf(isbn, row.version, deployedModelId, response.predictions ?? []);
  }

  /** A plain Predict whose answer must come from `deployedModelId`. */
  private async predictOn(
    endpointName: string,
    isbn: string,
    version: string,
    deployedModelId: string,
    values: ReturnType<typeof toProtoValue>[],
  ): Promise<PredictResponse> {
    const [response] = await vertexCall(`predict with ${isbn} version ${version}`, () =>
      this.clients.prediction.predict({ endpoint: endpointName, instances: values }),
    );
    const answered = String(response.deployedModelId ?? '');
    if (answered !== deployedModelId) {
      throw new AnsweredByAnotherError(
        `a prediction from version ${version} of ISBN ${isbn} (deployed model ${deployedModelId}) was answered by deployed model ${answered || 'unknown'} on ${endpointName}`,
      );
    }
    return this.responseOf(isbn, version, answered, response.predictions ?? []);
  }

  /** Deploys the version on the validation endpoint with all its traffic (if not already), asks it, keeps it. */
  private async predictOnValidation(
    isbn: string,
    row: VertexVersionRow,
    values: ReturnType<typeof toProtoValue>[],
  ): Promise<PredictResponse> {
    const name = this.validationEndpoint!;
    const id = deployedModelIdFor(row.model, row.versionId);
    const holder = this.validationHolder;
    if (holder?.id === id && Date.now() - holder.at < PINNED_SNAPSHOT_MS) {
      // Checked moments ago: it alone is there, with all the traffic (the answer is attributed all the same).
      return this.predictOn(name, isbn, row.version, id, values);
    }
    const endpoint = await this.readEndpointNamed(name);
    if (!endpoint) {
      throw new ConfigError(
        `FG_VERTEX_VALIDATION_ENDPOINT: endpoint ${name} does not exist; create it first`,
        'FG_VERTEX_VALIDATION_ENDPOINT',
      );
    }
    const there = (endpoint.deployedModels ?? []).some((d) => d.id === id);
    if (!there) await this.deploy(name, row, { '0': 100 });
    else if (Number(endpoint.trafficSplit?.[id] ?? 0) !== 100) {
      await vertexCall(`give ${isbn} version ${row.version} the validation endpoint`, () =>
        this.clients.endpoint.updateEndpoint({
          endpoint: { name, trafficSplit: { [id]: 100 } },
          updateMask: { paths: ['traffic_split'] },
        }),
      );
    }
    const response = await this.predictOn(name, isbn, row.version, id, values);
    // One replica at a time: the versions asked before this one leave (they hold no traffic now).
    for (const other of (await this.readEndpointNamed(name))?.deployedModels ?? []) {
      if (other.id && other.id !== id) await this.undeployId(name, other.id, `free the validation endpoint`);
    }
    this.validationHolder = { id, at: Date.now() };
    return response;
  }

  private async responseOf(
    isbn: string,
    version: string,
    deployedModelId: string,
    raw: readonly ReturnType<typeof toProtoValue>[],
  ): Promise<PredictResponse> {
    const predictions = await predictionsFrom(
      raw.map((v) => fromProtoValue(v)),
      { deployedModelId, version, trainedThrough: () => this.trainedThrough(isbn, version) },
    );
    return { predictions, deployedModelId, modelVersionId: version };
  }

  private async trainedThrough(isbn: string, version: string): Promise<string | undefined> {
    const key = `${isbn}@${version}`;
    const cached = this.trainedThroughCache.get(key);
    if (cached !== undefined) return cached;
    const found = await this.trainedThroughOf?.(isbn, version);
    // A version's training window never changes: read once.
    if (found !== undefined) this.trainedThroughCache.set(key, found);
    return found;
  }

  /** DeployModel with a derived id; ALREADY_EXISTS means an earlier attempt did (or is doing) it, and is waited for. */
  private async deploy(
    endpointName: string,
    row: VertexVersionRow,
    trafficSplit: Record<string, number>,
  ): Promise<string> {
    const id = deployedModelIdFor(row.model, row.versionId);
    const model = versionRef(row.model, row.versionId);
    try {
      const [operation] = await this.clients.endpoint.deployModel({
        endpoint: endpointName,
        deployedModel: {
          id,
          model,
          displayName: `${lastSegment(row.model)}-v${row.versionId}`.slice(0, 128),
          dedicatedResources: {
            machineSpec: { machineType: this.resources.machineType },
            minReplicaCount: this.resources.minReplicaCount,
            maxReplicaCount: this.resources.maxReplicaCount,
          },
        },
        trafficSplit,
      });
      await awaitOperation(operation, `deploying ${model} to ${endpointName}`, this.deployTimeoutMs);
      return id;
    } catch (err) {
      if (!hasGrpcCode(err, GrpcStatus.ALREADY_EXISTS)) throw translateVertexError(err, `deploy ${model}`);
      await this.waitForDeployed(endpointName, id, row);
      return id;
    }
  }

  /** Waits (bounded) until DeployedModel `id` is on the endpoint, and checks it serves `row`'s Model version. */
  private async waitForDeployed(endpointName: string, id: string, row: VertexVersionRow): Promise<void> {
    const started = performance.now();
    for (;;) {
      const endpoint = await this.readEndpointNamed(endpointName);
      const found = endpoint?.deployedModels?.find((d) => d.id === id);
      if (found) {
        if (rowOfDeployed([row], found.model ?? '', found.modelVersionId ?? '') === undefined) {
          throw new ConflictError(
            `DeployedModel ${id} on ${endpointName} serves ${found.model}@${found.modelVersionId}, not ${versionRef(row.model, row.versionId)}`,
          );
        }
        return;
      }
      if (performance.now() - started > this.deployTimeoutMs) {
        throw new BackendUnavailableError(
          `Vertex AI: DeployedModel ${id} is still not on ${endpointName} after ${Math.round(this.deployTimeoutMs / 1000)} s; a retry keeps waiting for it`,
          VERTEX_BACKEND,
          { retryable: true },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
  }

  private async undeployId(endpointName: string, deployedModelId: string, what: string): Promise<void> {
    try {
      const [operation] = await this.clients.endpoint.undeployModel({
        endpoint: endpointName,
        deployedModelId,
      });
      await awaitOperation(operation, what, this.deployTimeoutMs);
    } catch (err) {
      // Someone else undeployed it meanwhile: the outcome is the one asked for.
      if (hasGrpcCode(err, GrpcStatus.NOT_FOUND)) return;
      throw translateVertexError(err, what);
    }
  }

  /** One job at a time on the validation endpoint (in this process; attribution catches any other). */
  private serialised<T>(job: () => Promise<T>): Promise<T> {
    const run = this.validationQueue.then(job, job);
    this.validationQueue = run.catch(() => undefined);
    return run;
  }

  private async stateOf(isbn: string, endpoint: VertexEndpoint): Promise<ServingState> {
    return servingStateFrom(isbn, endpoint, await this.rowsFor(isbn, endpoint));
  }

  /**
   * The version table for a new split. When every version asked for is already
   * deployed, the table that names the endpoint's deployments (cached, as for
   * reading and attributing; re-read when a deployment is unknown) is enough:
   * only DeployedModel ids change hands. A version to deploy needs its Model,
   * so the table is read afresh (a version registered a moment ago is in it).
   */
  private async rowsToSet(
    isbn: string,
    endpoint: VertexEndpoint | undefined,
    versions: readonly string[],
  ): Promise<VertexVersionRow[]> {
    if (endpoint) {
      const cached = await this.rows(isbn, { missing: true });
      const deployed = deployedVersions(endpoint, cached);
      if (!hasUnknownDeployment(endpoint, cached) && versions.every((v) => deployed.has(v))) return cached;
    }
    return this.rows(isbn, { fresh: true });
  }

  /** The book's version table, read again when the endpoint holds a deployment it does not know. */
  private async rowsFor(isbn: string, endpoint: VertexEndpoint): Promise<VertexVersionRow[]> {
    const rows = await this.rows(isbn, { missing: true });
    if (!hasUnknownDeployment(endpoint, rows)) return rows;
    return this.rows(isbn, { fresh: true, missing: true });
  }

  /** The version that a deployed Model version is, re-reading the table once on a miss. */
  private async attribute(
    isbn: string,
    model: string,
    versionId: string,
  ): Promise<VertexVersionRow | undefined> {
    const cached = rowOfDeployed(await this.rows(isbn, { missing: true }), model, versionId);
    return cached ?? rowOfDeployed(await this.rows(isbn, { fresh: true, missing: true }), model, versionId);
  }

  /** Cached version table; `missing` turns "no model registered" into no rows. */
  private async rows(
    isbn: string,
    options: { fresh?: boolean; missing?: boolean } = {},
  ): Promise<VertexVersionRow[]> {
    const hit = this.rowsCache.get(isbn);
    if (!options.fresh && hit && performance.now() - hit.at < ROWS_TTL_MS) return hit.rows;
    try {
      return await this.readRows(isbn, options.fresh === true);
    } catch (err) {
      if (options.missing && err instanceof NotFoundError) return [];
      throw err;
    }
  }

  /**
   * One read of the book's version table for every caller that finds the
   * cache cold while it runs: 100 concurrent first predictions of a book
   * spent 100 ListModelVersions of the 600-a-minute CRUD quota, and the
   * limiter's pacing of them was a 15 s p99 (bench/load.ts). A `fresh`
   * caller (its cached rows missed a deployment) joins no read that began
   * before it asked, so it always sees what the registry holds after.
   */
  private readRows(isbn: string, fresh: boolean): Promise<VertexVersionRow[]> {
    const running = this.rowsReads.get(isbn);
    if (running && !fresh) return running;
    const started = performance.now();
    const read = this.versions.rowsOf(isbn).then((rows) => {
      // A read that began earlier and ended later does not replace a newer one's rows.
      if ((this.rowsCache.get(isbn)?.at ?? -Infinity) <= started)
        this.rowsCache.set(isbn, { rows, at: started });
      return rows;
    });
    this.rowsReads.set(isbn, read);
    const forget = () => {
      if (this.rowsReads.get(isbn) === read) this.rowsReads.delete(isbn);
    };
    read.then(forget, forget);
    return read;
  }

  /** The name of the book's endpoint without reading it when it is forecast-guard's own. */
  private async endpointNameOf(isbn: string): Promise<string> {
    const known = this.endpointNames.get(isbn);
    if (known) return known;
    if (this.pattern === undefined) return endpointNameFor(this.where, this.prefix, isbn);
    const endpoint = await this.findEndpoint(isbn);
    if (!endpoint) throw new NotFoundError(`no endpoint serves ISBN ${isbn}`);
    return endpoint.name ?? '';
  }

  /** `<prefix><isbn>` first, then the oldest endpoint named by the pattern with the labels. */
  private async findEndpoint(isbn: string): Promise<VertexEndpoint | undefined> {
    const known = this.endpointNames.get(isbn);
    if (known !== undefined) {
      const endpoint = await this.readEndpointNamed(known);
      if (endpoint) return endpoint;
      this.endpointNames.delete(isbn);
    }
    const own = await this.readEndpointNamed(endpointNameFor(this.where, this.prefix, isbn));
    if (own || this.pattern === undefined) {
      if (own?.name && this.pattern !== undefined) this.endpointNames.set(isbn, own.name);
      return own;
    }
    const filter = [`display_name="${endpointDisplayNameFor(this.pattern, isbn)}"`, labelFilter(this.labels)]
      .filter((f) => f !== '')
      .join(' AND ');
    const [found] = (await this.listEndpoints(filter)).sort(byCreateTime);
    if (found?.name) this.endpointNames.set(isbn, found.name);
    return found;
  }

  private async listEndpoints(filter: string): Promise<VertexEndpoint[]> {
    const [endpoints] = await vertexCall('list endpoints', () =>
      this.clients.endpoint.listEndpoints({ parent: locationPath(this.where), filter }),
    );
    return endpoints;
  }

  private async readEndpointNamed(name: string): Promise<VertexEndpoint | undefined> {
    const found = await vertexRead(`read endpoint ${lastSegment(name)}`, () =>
      this.clients.endpoint.getEndpoint({ name }),
    );
    return found?.[0];
  }

  /** Creates the endpoint of a book that has none (CreateEndpoint, a long-running operation). */
  private async createEndpoint(isbn: string): Promise<VertexEndpoint> {
    const endpointId = endpointIdFor(this.prefix, isbn);
    try {
      const [operation] = await this.clients.endpoint.createEndpoint({
        parent: locationPath(this.where),
        endpointId,
        endpoint: { displayName: endpointId, labels: resourceLabels(isbn) },
      });
      const [created] = await awaitOperation(
        operation,
        `creating endpoint ${endpointId}`,
        this.deployTimeoutMs,
      );
      return created;
    } catch (err) {
      // Two first deployments racing: the other one created it.
      if (hasGrpcCode(err, GrpcStatus.ALREADY_EXISTS)) {
        const raced = await this.findEndpoint(isbn);
        if (raced) return raced;
      }
      throw translateVertexError(err, `create the endpoint of ${isbn}`);
    }
  }
}

function byCreateTime(a: VertexEndpoint, b: VertexEndpoint): number {
  return (
    Number(a.createTime?.seconds ?? 0) - Number(b.createTime?.seconds ?? 0) ||
    (a.name ?? '').localeCompare(b.name ?? '')
  );
}

function sameSplit(a: Record<string, number>, b: Record<string, number>): boolean {
  const nonZero = (s: Record<string, number>) =>
    Object.entries(s)
      .filter(([, v]) => Number(v) > 0)
      .map(([k, v]) => `${k}=${Number(v)}`)
      .sort()
      .join(',');
  return nonZero(a) === nonZero(b);
}
