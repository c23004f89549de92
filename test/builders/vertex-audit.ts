/**
 * Vertex AI EndpointService audit entries as the deployment sink exports them
 * (from the fixtures in test/fixtures/gcp-formats/8-audit-logs), aimed at a
 * given endpoint and Model, and the Pub/Sub push that carries one to
 * `model-deployments`. For tests of post-deploy validation of deployments
 * made outside forecast-guard, on any serving target.
 */
import { VertexEndpointAuditEntry } from '../../shared/contracts/external/vertex-endpoint-audit';
import { loadFixture } from '../helpers/gcp-fixtures';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface AuditEntryOptions {
  /** `projects/…/locations/…/endpoints/<id>`. */
  endpoint: string;
  /** Who made the call (protoPayload.authenticationInfo.principalEmail). */
  principal?: string;
  /** The operation id's last segment; one per deployment. */
  operation?: string;
  /** RFC 3339; the request's time. */
  timestamp?: string;
  /** The methodName prefix: `v1` (API), `v1beta1`, or `ui` (Cloud console). */
  api?: 'v1' | 'v1beta1' | 'ui';
}

export const PIPELINE_PRINCIPAL = 'deployer@my-project.iam.gserviceaccount.com';

/** The DeployModel request entry (operation.first) deploying `model` to `endpoint`. */
export function deployModelEntry(
  options: AuditEntryOptions & { model: string; trafficPercent?: number },
): VertexEndpointAuditEntry {
  const entry = aimed(
    loadFixture<Json>('8-audit-logs/deploymodel.first.logentry.json'),
    options,
    'DeployModel',
  );
  entry.protoPayload.request.deployedModel.model = options.model;
  if (options.trafficPercent !== undefined)
    entry.protoPayload.request.trafficSplit = { '0': options.trafficPercent };
  return VertexEndpointAuditEntry.parse(entry);
}

/** The MutateDeployedModel request entry (operation.first) for DeployedModel `deployedModelId`. */
export function mutateDeployedModelEntry(
  options: AuditEntryOptions & { deployedModelId: string },
): VertexEndpointAuditEntry {
  const entry = aimed(
    loadFixture<Json>('8-audit-logs/mutatedeployedmodel.first.logentry.json'),
    options,
    'MutateDeployedModel',
  );
  entry.protoPayload.request.deployedModel.id = options.deployedModelId;
  return VertexEndpointAuditEntry.parse(entry);
}

/** The push body Pub/Sub delivers for one exported entry (sink-to-pubsub.push-body.json's shape). */
export function sinkPush(entry: VertexEndpointAuditEntry, messageId: string, subscription: string): Json {
  return {
    message: {
      data: Buffer.from(JSON.stringify(entry)).toString('base64'),
      attributes: { 'logging.googleapis.com/timestamp': entry.timestamp },
      messageId,
      message_id: messageId,
      publishTime: entry.timestamp,
      publish_time: entry.timestamp,
    },
    subscription,
  };
}

function aimed(entry: Json, o: AuditEntryOptions, method: string): Json {
  const methodName = `google.cloud.aiplatform.${o.api ?? 'v1'}.EndpointService.${method}`;
  entry.protoPayload.methodName = methodName;
  entry.resource.labels.method = methodName;
  entry.protoPayload.resourceName = o.endpoint;
  entry.protoPayload.request.endpoint = o.endpoint;
  entry.protoPayload.authenticationInfo.principalEmail = o.principal ?? PIPELINE_PRINCIPAL;
  if (entry.protoPayload.authorizationInfo) {
    for (const info of entry.protoPayload.authorizationInfo) {
      info.resource = o.endpoint;
      info.resourceAttributes.name = o.endpoint;
    }
  }
  entry.operation.id = `${o.endpoint}/operations/${o.operation ?? '2233445566778899001'}`;
  if (o.timestamp !== undefined) entry.timestamp = o.timestamp;
  return entry;
}
