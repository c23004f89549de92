/**
 * One book's Vertex AI Endpoint ↔ ServingState, and traffic splits both ways.
 * An Endpoint's `deployedModels` say which Model version each DeployedModel
 * serves (`modelVersionId`); its `trafficSplit` maps DeployedModel ids to
 * percents, and an id left out of it gets no traffic. Our splits name
 * versions, Vertex's name DeployedModel ids.
 */
import type { Prediction, PredictResponse, ServingState } from '../../contracts/model';
import { Prediction as PredictionSchema } from '../../contracts/model';
import type { TrafficShare } from '../../domain/traffic';
import { BackendUnavailableError } from '../../errors';
import { VERTEX_BACKEND } from './vertex-errors';
import { byVersion, modelIdOf } from './vertex-names';
import type { ProtoValue } from './vertex-values';
import { fromProtoValue, timestampToIso } from './vertex-values';
import type { protos } from '@google-cloud/aiplatform';

export type VertexEndpoint = protos.google.cloud.aiplatform.v1.IEndpoint;
export type VertexDeployedModel = protos.google.cloud.aiplatform.v1.IDeployedModel;

/** Version → DeployedModel id, for the DeployedModels of `modelId` (other Models on the endpoint are not ours). */
export function deployedVersions(endpoint: VertexEndpoint, modelId: string): Map<string, string> {
  const byVersionId = new Map<string, string>();
  for (const deployed of endpoint.deployedModels ?? []) {
    if (modelIdOf(deployed.model ?? '') !== modelId || !deployed.id || !deployed.modelVersionId) continue;
    byVersionId.set(deployed.modelVersionId, deployed.id);
  }
  return byVersionId;
}

/** What the endpoint serves: our Model's versions with their share of traffic, in version order. */
export function servingStateFrom(isbn: string, endpoint: VertexEndpoint, modelId: string): ServingState {
  const split = endpoint.trafficSplit ?? {};
  const deployments = [...deployedVersions(endpoint, modelId)]
    .map(([version, deployedModelId]) => ({
      version,
      trafficPercent: Number(split[deployedModelId] ?? 0),
      deployedModelId,
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
  return { isbn, deployments, updatedAt };
}

/**
 * The Vertex traffic split for our shares: DeployedModel id → percent, with
 * versions at 0 % left out (Vertex gives an unlisted DeployedModel no
 * traffic). `deploying` is the version a DeployModel call is deploying: its
 * key is "0", which Vertex replaces with the new DeployedModel's id.
 */
export function vertexTrafficSplit(
  shares: readonly TrafficShare[],
  deployed: ReadonlyMap<string, string>,
  deploying?: string,
): Record<string, number> {
  const split: Record<string, number> = {};
  for (const { version, trafficPercent } of shares) {
    if (trafficPercent === 0) continue;
    const key = version === deploying ? '0' : deployed.get(version);
    if (key === undefined) throw new Error(`version ${version} is neither deployed nor being deployed`);
    split[key] = trafficPercent;
  }
  return split;
}

/**
 * A prediction service answer as our PredictResponse. Each prediction must
 * have the shape our serving container returns; anything else is a broken
 * endpoint (BackendUnavailableError, not retryable), never passed on.
 */
export function predictResponseFrom(
  predictions: readonly ProtoValue[] | null | undefined,
  deployedModelId: string,
  modelVersionId: string,
): PredictResponse {
  const mapped: Prediction[] = (predictions ?? []).map((value, index) => {
    const parsed = PredictionSchema.safeParse(fromProtoValue(value));
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new BackendUnavailableError(
      `Vertex AI: prediction ${index} from deployed model ${deployedModelId} is not a forecast (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unreadable'})`,
      VERTEX_BACKEND,
      { retryable: false },
    );
  });
  return { predictions: mapped, deployedModelId, modelVersionId };
}
