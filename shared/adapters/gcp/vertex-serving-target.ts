/**
 * VertexServingTarget: the ServingTarget on Vertex AI Endpoints.
 *
 * Mapping: one Endpoint per book, id and display name `<prefix><isbn>`
 * (FG_VERTEX_ENDPOINT_PREFIX), labels `isbn` and `app=forecast-guard`. Each
 * deployed version is a DeployedModel of the book's Model
 * (`…/models/arima_book_<isbn>@<version>`); the Endpoint's `trafficSplit`
 * (DeployedModel id → percent) is our split. `setTraffic` among deployed
 * versions is one UpdateEndpoint with mask `traffic_split` (the fast path);
 * versions not deployed yet are deployed first with DeployModel (a
 * long-running operation), the last one carrying the whole new split with
 * key "0" for itself, so traffic moves in one step at the end and versions
 * left out stay deployed at 0 %. `undeploy` refuses a version with traffic,
 * as Vertex's UndeployModel does.
 *
 * `predict` is PredictionService.Predict with the instances as protobuf
 * Values; Vertex picks the DeployedModel by traffic and the response names it
 * and its version. A pinned version (canary, validation) goes through Explain
 * with `deployed_model_id`, the one v1 call that overrides the traffic split
 * for a request. On real Vertex, Explain answers only for a DeployedModel
 * with an explanation spec, which deployments made here do not set: pinned
 * calls work against the local server, and on Vertex need that spec (or a
 * separate validation endpoint). Instances are checked here first, with the
 * embedded target's messages; the endpoint checks the version's own horizon.
 */
import type { PredictResponse, ServingState } from '../../contracts/model';
import { MAX_FORECAST_STEPS } from '../../contracts/model';
import { validateInstances } from '../../domain/predict';
import { validateTrafficSplit } from '../../domain/traffic';
import { ConflictError, NotFoundError } from '../../errors';
import type { ServingTarget } from '../../ports/serving-target';
import type { VertexClients } from './vertex-clients';
import type { VertexEndpoint } from './vertex-endpoint-codec';
import {
  deployedVersions,
  predictResponseFrom,
  servingStateFrom,
  vertexTrafficSplit,
} from './vertex-endpoint-codec';
import { GrpcStatus, hasGrpcCode, translateVertexError, vertexCall, vertexRead } from './vertex-errors';
import { resourceLabels } from './vertex-labels';
import type { VertexLocation } from './vertex-names';
import {
  APP_FILTER,
  assertEndpointPrefix,
  byVersion,
  endpointIdFor,
  endpointNameFor,
  ISBN_LABEL_KEY,
  lastSegment,
  locationPath,
  modelIdFor,
  modelNameFor,
  requireIsbn,
  versionRef,
} from './vertex-names';
import { toProtoValue } from './vertex-values';

/** Machine and replicas for each deployed version (Vertex DedicatedResources). */
export interface DeploymentResources {
  machineType: string;
  minReplicaCount: number;
  maxReplicaCount: number;
}

export const DEFAULT_RESOURCES: DeploymentResources = {
  machineType: 'n1-standard-2',
  minReplicaCount: 1,
  maxReplicaCount: 1,
};

export interface VertexServingTargetOptions extends VertexLocation {
  clients: Pick<VertexClients, 'model' | 'endpoint' | 'prediction'>;
  /** Endpoint ids are `<endpointPrefix><isbn>` (FG_VERTEX_ENDPOINT_PREFIX); must start with a letter. */
  endpointPrefix: string;
  resources?: Partial<DeploymentResources>;
}

/** ServingTarget on Vertex AI Endpoints (see the mapping above). */
export class VertexServingTarget implements ServingTarget {
  private readonly where: VertexLocation;
  private readonly clients: Pick<VertexClients, 'model' | 'endpoint' | 'prediction'>;
  private readonly prefix: string;
  private readonly resources: DeploymentResources;

  constructor(options: VertexServingTargetOptions) {
    assertEndpointPrefix(options.endpointPrefix);
    this.where = { projectId: options.projectId, location: options.location };
    this.clients = options.clients;
    this.prefix = options.endpointPrefix;
    this.resources = { ...DEFAULT_RESOURCES, ...options.resources };
  }

  async getServing(isbn: string): Promise<ServingState | undefined> {
    requireIsbn(isbn);
    const endpoint = await this.readEndpoint(isbn);
    return endpoint && servingStateFrom(isbn, endpoint, modelIdFor(isbn));
  }

  /** Every book endpoint labelled `app=forecast-guard`, in ISBN order. */
  async listServing(): Promise<ServingState[]> {
    const [endpoints] = await vertexCall('list endpoints', () =>
      this.clients.endpoint.listEndpoints({ parent: locationPath(this.where), filter: APP_FILTER }),
    );
    return endpoints
      .map((endpoint) => {
        const isbn =
          endpoint.labels?.[ISBN_LABEL_KEY] ?? lastSegment(endpoint.name ?? '').slice(this.prefix.length);
        return servingStateFrom(isbn, endpoint, modelIdFor(isbn));
      })
      .sort((a, b) => a.isbn.localeCompare(b.isbn));
  }

  async setTraffic(isbn: string, split: Record<string, number>): Promise<ServingState> {
    requireIsbn(isbn);
    const shares = validateTrafficSplit(split);
    const registered = await this.registeredVersions(isbn);
    const missing = shares.map((s) => s.version).filter((v) => !registered.includes(v));
    if (missing.length > 0) {
      throw new NotFoundError(
        `ISBN ${isbn} has no version ${missing.join(', ')} to deploy (versions: ${registered.join(', ')})`,
      );
    }
    const name = endpointNameFor(this.where, this.prefix, isbn);
    const endpoint = await this.ensureEndpoint(isbn);
    const deployed = deployedVersions(endpoint, modelIdFor(isbn));
    const toDeploy = shares.map((s) => s.version).filter((v) => !deployed.has(v));
    if (toDeploy.length === 0) {
      const [updated] = await vertexCall(`set traffic of ${isbn}`, () =>
        this.clients.endpoint.updateEndpoint({
          endpoint: { name, trafficSplit: vertexTrafficSplit(shares, deployed) },
          updateMask: { paths: ['traffic_split'] },
        }),
      );
      return servingStateFrom(isbn, updated, modelIdFor(isbn));
    }
    for (const [index, version] of toDeploy.entries()) {
      // Only the last deployment changes traffic, to the whole new split: before it, traffic is as it was.
      const last = index === toDeploy.length - 1;
      const id = await vertexCall(`deploy ${isbn} version ${version}`, async () => {
        const [operation] = await this.clients.endpoint.deployModel({
          endpoint: name,
          deployedModel: {
            model: versionRef(modelNameFor(this.where, isbn), version),
            displayName: `${isbn}-v${version}`,
            dedicatedResources: {
              machineSpec: { machineType: this.resources.machineType },
              minReplicaCount: this.resources.minReplicaCount,
              maxReplicaCount: this.resources.maxReplicaCount,
            },
          },
          trafficSplit: last ? vertexTrafficSplit(shares, deployed, version) : {},
        });
        const [response] = await operation.promise();
        return response.deployedModel?.id ?? undefined;
      });
      if (id) deployed.set(version, id);
    }
    const after = await this.readEndpoint(isbn);
    if (!after) throw new NotFoundError(`the endpoint of ISBN ${isbn} disappeared while deploying`);
    return servingStateFrom(isbn, after, modelIdFor(isbn));
  }

  async undeploy(isbn: string, version: string): Promise<void> {
    requireIsbn(isbn);
    const endpoint = await this.readEndpoint(isbn);
    if (!endpoint) throw new NotFoundError(`no endpoint serves ISBN ${isbn} (nothing was ever deployed)`);
    const deployedModelId = deployedVersions(endpoint, modelIdFor(isbn)).get(version);
    // Not deployed is already the wanted outcome: a retried undeploy succeeds.
    if (deployedModelId === undefined) return;
    const traffic = Number(endpoint.trafficSplit?.[deployedModelId] ?? 0);
    if (traffic > 0) {
      throw new ConflictError(
        `version ${version} of ISBN ${isbn} still serves ${traffic} % of traffic; move its traffic with setTraffic first`,
      );
    }
    try {
      const [operation] = await this.clients.endpoint.undeployModel({
        endpoint: endpointNameFor(this.where, this.prefix, isbn),
        deployedModelId,
      });
      await operation.promise();
    } catch (err) {
      // Someone else undeployed it meanwhile: the outcome is the one asked for.
      if (hasGrpcCode(err, GrpcStatus.NOT_FOUND)) return;
      throw translateVertexError(err, `undeploy ${isbn} version ${version}`);
    }
  }

  async predict(
    isbn: string,
    instances: unknown[],
    options: { version?: string } = {},
  ): Promise<PredictResponse> {
    requireIsbn(isbn);
    const values = validateInstances(instances, MAX_FORECAST_STEPS).map((instance) => toProtoValue(instance));
    const endpointName = endpointNameFor(this.where, this.prefix, isbn);
    const noEndpoint = (err: unknown) =>
      hasGrpcCode(err, GrpcStatus.NOT_FOUND)
        ? new NotFoundError(`no endpoint serves ISBN ${isbn}`, { cause: err })
        : undefined;
    if (options.version === undefined) {
      try {
        const [response] = await this.clients.prediction.predict({
          endpoint: endpointName,
          instances: values,
        });
        return predictResponseFrom(
          response.predictions,
          String(response.deployedModelId ?? ''),
          String(response.modelVersionId ?? ''),
        );
      } catch (err) {
        throw noEndpoint(err) ?? translateVertexError(err, `predict with the endpoint of ${isbn}`);
      }
    }
    const version = options.version;
    const endpoint = await this.readEndpoint(isbn);
    if (!endpoint) throw new NotFoundError(`no endpoint serves ISBN ${isbn}`);
    const deployed = deployedVersions(endpoint, modelIdFor(isbn));
    const deployedModelId = deployed.get(version);
    if (deployedModelId === undefined) {
      throw new ConflictError(
        `version ${version} is not deployed on the endpoint of ISBN ${isbn} (deployed: ${[...deployed.keys()].sort(byVersion).join(', ') || 'none'})`,
      );
    }
    const [response] = await vertexCall(`predict with ${isbn} version ${version}`, () =>
      this.clients.prediction.explain({ endpoint: endpointName, instances: values, deployedModelId }),
    );
    return predictResponseFrom(
      response.predictions,
      String(response.deployedModelId ?? deployedModelId),
      version,
    );
  }

  private async readEndpoint(isbn: string): Promise<VertexEndpoint | undefined> {
    const name = endpointNameFor(this.where, this.prefix, isbn);
    const found = await vertexRead(`read endpoint of ${isbn}`, () =>
      this.clients.endpoint.getEndpoint({ name }),
    );
    return found?.[0];
  }

  /** The book's endpoint, created (CreateEndpoint, a long-running operation) when it has none. */
  private async ensureEndpoint(isbn: string): Promise<VertexEndpoint> {
    const existing = await this.readEndpoint(isbn);
    if (existing) return existing;
    const endpointId = endpointIdFor(this.prefix, isbn);
    try {
      const [operation] = await this.clients.endpoint.createEndpoint({
        parent: locationPath(this.where),
        endpointId,
        endpoint: { displayName: endpointId, labels: resourceLabels(isbn) },
      });
      const [created] = await operation.promise();
      return created;
    } catch (err) {
      // Two first deployments racing: the other one created it.
      if (hasGrpcCode(err, GrpcStatus.ALREADY_EXISTS)) {
        const raced = await this.readEndpoint(isbn);
        if (raced) return raced;
      }
      throw translateVertexError(err, `create the endpoint of ${isbn}`);
    }
  }

  /** The book's version ids, in order; NotFoundError when no Model is registered for it. */
  private async registeredVersions(isbn: string): Promise<string[]> {
    try {
      // Only the ids: without a mask every version would bring its stored forecast along.
      const [models] = await this.clients.model.listModelVersions({
        name: modelNameFor(this.where, isbn),
        readMask: { paths: ['version_id'] },
      });
      return models.map((m) => String(m.versionId ?? '')).sort(byVersion);
    } catch (err) {
      if (hasGrpcCode(err, GrpcStatus.NOT_FOUND)) {
        throw new NotFoundError(`no model is registered for ISBN ${isbn}`, { cause: err });
      }
      throw translateVertexError(err, `list versions of ${isbn}`);
    }
  }
}
