/**
 * A Vertex AI EndpointService Admin Activity audit LogEntry, as a Cloud
 * Logging sink exports it to Pub/Sub (`model-deployments`): message.data is
 * the LogEntry's JSON, the one attribute is `logging.googleapis.com/timestamp`.
 * Formats: google/cloud/audit/audit_log.proto, google/logging/v2/log_entry.proto,
 * google/cloud/aiplatform/v1/endpoint_service.proto (googleapis @ f8291d2b),
 * https://cloud.google.com/vertex-ai/docs/general/audit-logging; fixtures in
 * test/fixtures/gcp-formats/8-audit-logs (their README says what is assumed).
 *
 * What the decoder relies on, and why:
 * - `methodName` comes with three prefixes for one operation
 *   (`google.cloud.aiplatform.v1.`, `.v1beta1.`, `.ui.` for the console):
 *   all are matched, by the method's last two segments.
 * - DeployModel and MutateDeployedModel are long-running. The request is
 *   logged with `operation.first`; a separate `operation.last` completion
 *   entry is not confirmed to exist, so only the first entry is acted on and
 *   nothing waits for the last one (the caller waits for the endpoint instead).
 * - A non-zero `protoPayload.status.code` is a refused or failed call: nothing
 *   was deployed. JSON struct numbers may arrive as doubles (`3.0`, `100.0`).
 * - DeployedModel ids are 19-digit strings: they stay strings (a JS number
 *   holds 15–16 significant digits), and a number is refused, not rounded.
 * - Deployments forecast-guard makes announce themselves on
 *   `model-deployments` already; their entries are recognised by the
 *   authenticated principal (its own service accounts), which a caller cannot
 *   choose, unlike a display name or label.
 */
import { z } from 'zod';
import { ValidationError } from '../../errors';
import { rfc3339 } from '../primitives';
import { LogSeverity } from './pipeline-job-log-entry';

export const ADMIN_ACTIVITY_LOG_ID = 'cloudaudit.googleapis.com%2Factivity';
export const AIPLATFORM_SERVICE = 'aiplatform.googleapis.com';

/** `google.cloud.aiplatform.{v1|v1beta1|ui}.EndpointService.<Method>`: the API version and the method. */
const ENDPOINT_METHOD = /^google\.cloud\.aiplatform\.(v1|v1beta1|ui)\.EndpointService\.([A-Za-z]+)$/;

const nonEmpty = z.string().min(1, 'must not be empty');
/** A DeployedModel id: digits, kept as text (19 digits do not fit a double). */
const deployedModelId = z
  .string({ error: 'must be a string of digits (a DeployedModel id is never a JSON number)' })
  .regex(/^[0-9]{1,19}$/, 'must be 1 to 19 digits');
/** A Struct number: integral values may come as doubles (2.0). */
const structNumber = z.number().finite();

const DeployedModelRequest = z.looseObject({
  id: deployedModelId.optional(),
  model: nonEmpty.optional(),
  displayName: z.string().optional(),
});

export const VertexEndpointAuditEntry = z.looseObject({
  logName: z
    .string()
    .regex(
      /^(projects|organizations|folders|billingAccounts)\/[^/]+\/logs\/cloudaudit\.googleapis\.com%2Factivity$/,
      'must be …/logs/cloudaudit.googleapis.com%2Factivity (the Admin Activity audit log)',
    ),
  protoPayload: z.looseObject({
    '@type': z.literal('type.googleapis.com/google.cloud.audit.AuditLog'),
    /** google.rpc.Status; `{}` (no code) is success. */
    status: z.looseObject({ code: structNumber.optional(), message: z.string().optional() }).optional(),
    authenticationInfo: z.looseObject({ principalEmail: z.string().optional() }).optional(),
    serviceName: z.literal(AIPLATFORM_SERVICE),
    methodName: nonEmpty,
    resourceName: z.string().optional(),
    /** The request as JSON; only DeployModel's and MutateDeployedModel's fields are read. */
    request: z
      .looseObject({
        endpoint: z.unknown().optional(),
        deployedModel: DeployedModelRequest.optional(),
        trafficSplit: z.record(z.string(), structNumber).optional(),
      })
      .optional(),
  }),
  /** Present for long-running methods only (UpdateEndpoint has none). */
  operation: z
    .looseObject({
      id: nonEmpty,
      producer: z.string().optional(),
      first: z.boolean().optional(),
      last: z.boolean().optional(),
    })
    .optional(),
  severity: LogSeverity.optional(),
  timestamp: rfc3339,
  receiveTimestamp: rfc3339.optional(),
  insertId: nonEmpty,
});
export type VertexEndpointAuditEntry = z.infer<typeof VertexEndpointAuditEntry>;

/** True when a decoded `model-deployments` payload is an audit entry rather than a ModelDeployed. */
export function looksLikeAuditEntry(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'protoPayload' in value;
}

/** A deployment someone else made that post-deploy validation must check. */
export type AuditedDeployment =
  | {
      kind: 'deploy';
      /** `projects/…/locations/…/endpoints/<id>` as the request named it. */
      endpoint: string;
      /** `projects/…/locations/…/models/<id>[@<version>]`. */
      model: string;
      /** The share of traffic the request gives the new deployment (trafficSplit["0"]), if it says. */
      trafficPercent?: number;
      principal?: string;
      /** Stable across redeliveries and sink duplicates: the operation, else the entry. */
      key: string;
      requestedAt: string;
    }
  | {
      kind: 'mutate';
      endpoint: string;
      deployedModelId: string;
      principal?: string;
      key: string;
      requestedAt: string;
    };

export type AuditDecision = AuditedDeployment | { kind: 'ignore'; reason: string };

/** The EndpointService method of a methodName, whatever its prefix; undefined for any other service. */
export function endpointServiceMethod(methodName: string): string | undefined {
  return ENDPOINT_METHOD.exec(methodName)?.[2];
}

/**
 * What an audit entry asks of post-deploy validation. `ownPrincipals` are
 * forecast-guard's own identities (FG_DEPLOYER_PRINCIPALS): their deployments
 * are announced on `model-deployments` by forecast-guard itself.
 */
export function decideAuditEntry(
  entry: VertexEndpointAuditEntry,
  ownPrincipals: readonly string[],
): AuditDecision {
  const p = entry.protoPayload;
  const method = endpointServiceMethod(p.methodName);
  if (method !== 'DeployModel' && method !== 'MutateDeployedModel') {
    return { kind: 'ignore', reason: `${p.methodName} does not deploy a model` };
  }
  const code = p.status?.code ?? 0;
  if (code !== 0) {
    return {
      kind: 'ignore',
      reason: `${method} failed (status ${code}${p.status?.message ? `: ${p.status.message}` : ''}): nothing was deployed`,
    };
  }
  if (entry.operation && entry.operation.first !== true) {
    return {
      kind: 'ignore',
      reason: `${method} completion entry (operation.last): acted on at its request entry`,
    };
  }
  const principal = p.authenticationInfo?.principalEmail;
  if (principal !== undefined && ownPrincipals.some((own) => own.toLowerCase() === principal.toLowerCase())) {
    return {
      kind: 'ignore',
      reason: `${method} by forecast-guard's own ${principal}: it announces its deployments itself`,
    };
  }
  const request = p.request;
  const endpoint = typeof request?.endpoint === 'string' ? request.endpoint : p.resourceName;
  if (!endpoint || !ENDPOINT_NAME.test(endpoint)) {
    throw invalid(
      'protoPayload.request.endpoint',
      `must be an endpoint resource name projects/…/locations/…/endpoints/… (got ${JSON.stringify(endpoint)})`,
    );
  }
  const common = {
    endpoint,
    key: entry.operation?.id ?? `${entry.logName}/${entry.insertId}@${entry.timestamp}`,
    requestedAt: entry.timestamp,
    ...(principal !== undefined ? { principal } : {}),
  };
  if (method === 'DeployModel') {
    const model = request?.deployedModel?.model;
    if (!model || !MODEL_NAME.test(model)) {
      throw invalid(
        'protoPayload.request.deployedModel.model',
        `must be a model resource name projects/…/locations/…/models/…[@version] (got ${JSON.stringify(model)})`,
      );
    }
    const share = request?.trafficSplit?.['0'];
    return { kind: 'deploy', model, ...(share !== undefined ? { trafficPercent: share } : {}), ...common };
  }
  const id = request?.deployedModel?.id;
  if (id === undefined) {
    throw invalid('protoPayload.request.deployedModel.id', 'is required for MutateDeployedModel');
  }
  return { kind: 'mutate', deployedModelId: id, ...common };
}

const ENDPOINT_NAME = /^projects\/[^/]+\/locations\/[^/]+\/endpoints\/[^/]+$/;
const MODEL_NAME = /^projects\/[^/]+\/locations\/[^/]+\/models\/[^/@]+(@[^/]+)?$/;

/**
 * The part of a resource name that does not depend on how the project is
 * written: Vertex names projects by number, a request may use the id.
 */
export function locationTail(name: string): string {
  const at = name.indexOf('/locations/');
  return at < 0 ? name : name.slice(at + 1);
}

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(`Vertex audit entry ${field} ${message}`, [field]);
}
