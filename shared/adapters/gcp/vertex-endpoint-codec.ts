/**
 * One book's Vertex AI Endpoint ↔ ServingState, and traffic splits both ways.
 * An Endpoint's `deployedModels` say which Model version each DeployedModel
 * serves (`modelVersionId`); its `trafficSplit` maps DeployedModel ids to
 * percents, and an id left out of it gets no traffic. Our splits name
 * versions, Vertex's name DeployedModel ids.
 */
import type { ServingState } from '../../contracts/model';
import type { TrafficShare } from '../../domain/traffic';
import { BackendUnavailableError } from '../../errors';
import { VERTEX_BACKEND } from './vertex-errors';
import type { VertexVersionRow } from './vertex-book-versions';
import { rowOfDeployed } from './vertex-book-versions';
import { byVersion, versionRef } from './vertex-names';
import { timestampToIso } from './vertex-values';
import type { protos } from '@google-cloud/aiplatform';

export type VertexEndpoint = protos.google.cloud.aiplatform.v1.IEndpoint;
export type VertexDeployedModel = protos.google.cloud.aiplatform.v1.IDeployedModel;

/** One of the book's versions deployed on an endpoint. */
export interface DeployedVersion {
  /** The DeployedModel id. */
  id: string;
  /** `…/models/<id>@<versionId>`: the Model version deployed. */
  model: string;
  /** Its dedicated resources, when the endpoint reports them (what it costs to keep deployed). */
  resources?: { machineType?: string; minReplicas?: number; maxReplicas?: number };
}

function resourcesOf(deployed: VertexDeployedModel): DeployedVersion['resources'] {
  const d = deployed.dedicatedResources;
  if (!d) return undefined;
  const machineType = d.machineSpec?.machineType ?? undefined;
  const min = d.minReplicaCount == null ? undefined : Number(d.minReplicaCount);
  const max = d.maxReplicaCount == null ? undefined : Number(d.maxReplicaCount);
  return {
    ...(machineType ? { machineType } : {}),
    ...(min !== undefined ? { minReplicas: min } : {}),
    ...(max !== undefined ? { maxReplicas: max } : {}),
  };
}

/**
 * Version → its DeployedModel, for the DeployedModels that serve one of the
 * book's versions (`rows`); other Models on the endpoint are not the book's.
 */
export function deployedVersions(
  endpoint: VertexEndpoint,
  rows: readonly VertexVersionRow[],
): Map<string, DeployedVersion> {
  const byVersionId = new Map<string, DeployedVersion>();
  for (const deployed of endpoint.deployedModels ?? []) {
    if (!deployed.id || !deployed.modelVersionId) continue;
    const row = rowOfDeployed(rows, deployed.model ?? '', deployed.modelVersionId);
    if (row === undefined) continue;
    byVersionId.set(row.version, {
      id: deployed.id,
      model: versionRef(deployed.model ?? row.model, deployed.modelVersionId),
      ...(resourcesOf(deployed) ? { resources: resourcesOf(deployed) } : {}),
    });
  }
  return byVersionId;
}

/** True when a DeployedModel on the endpoint maps to none of `rows` (a newer upload, or another Model). */
export function hasUnknownDeployment(endpoint: VertexEndpoint, rows: readonly VertexVersionRow[]): boolean {
  return (endpoint.deployedModels ?? []).some(
    (d) => !!d.modelVersionId && rowOfDeployed(rows, d.model ?? '', d.modelVersionId) === undefined,
  );
}

/** What the endpoint serves: the book's versions with their share of traffic, in version order. */
export function servingStateFrom(
  isbn: string,
  endpoint: VertexEndpoint,
  rows: readonly VertexVersionRow[],
): ServingState {
  const split = endpoint.trafficSplit ?? {};
  const deployments = [...deployedVersions(endpoint, rows)]
    .map(([version, deployed]) => ({
      version,
      trafficPercent: Number(split[deployed.id] ?? 0),
      deployedModelId: deployed.id,
      model: deployed.model,
      ...deployed.resources,
    }))
    .sort((a, b) => byVersion(a.version, b.version));
  const updatedAt = timestampToIso(endpoint.updateTime ?? endpoint.createTime);
  if (updatedAt === undefined) {
    throw new BackendUnavailableError(
      `Vertex AI: endpoint ${endpoint.name} has no update time`,
      VERTEX_BACKEND,
      {
        retryable: false,
      },
    );
  }
  const state: ServingState = { isbn, deployments, updatedAt };
  if (endpoint.name) state.endpoint = endpoint.name;
  return state;
}

/**
 * The Vertex traffic split for our shares: DeployedModel id → percent, with
 * versions at 0 % left out (Vertex gives an unlisted DeployedModel no
 * traffic). `deploying` is the version a DeployModel call is deploying: its
 * key is "0", which Vertex replaces with the new DeployedModel's id.
 */
export function vertexTrafficSplit(
  shares: readonly TrafficShare[],
  deployed: ReadonlyMap<string, Pick<DeployedVersion, 'id'>>,
  deploying?: string,
): Record<string, number> {
  const split: Record<string, number> = {};
  for (const { version, trafficPercent } of shares) {
    if (trafficPercent === 0) continue;
    const key = version === deploying ? '0' : deployed.get(version)?.id;
    if (key === undefined) throw new Error(`version ${version} is neither deployed nor being deployed`);
    split[key] = trafficPercent;
  }
  return split;
}
