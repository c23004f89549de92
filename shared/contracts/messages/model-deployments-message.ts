/**
 * What `model-deployments` carries: forecast-guard's own `ModelDeployed`, or a
 * Vertex AI EndpointService audit LogEntry that the Cloud Logging sink
 * exports there (deployments made outside forecast-guard, e.g. by the
 * publisher's pipeline). One topic and one consumer, so post-deploy
 * validation and its de-duplication see every deployment; the shape is told
 * apart by `protoPayload`, and each kind is checked by its own schema, so an
 * error names the field of the kind it is.
 */
import { z } from 'zod';
import { looksLikeAuditEntry, VertexEndpointAuditEntry } from '../external/vertex-endpoint-audit';
import { ModelDeployed } from './model-deployed';

export const ModelDeploymentsMessage = z.unknown().transform((value, ctx) => {
  const schema = looksLikeAuditEntry(value) ? VertexEndpointAuditEntry : ModelDeployed;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data as ModelDeployed | VertexEndpointAuditEntry;
  // The kind's own issues, paths and codes kept, so messages read as that schema's would.
  ctx.issues.push(...(parsed.error.issues as unknown as (typeof ctx.issues)[number][]));
  return z.NEVER;
});
export type ModelDeploymentsMessage = ModelDeployed | VertexEndpointAuditEntry;
