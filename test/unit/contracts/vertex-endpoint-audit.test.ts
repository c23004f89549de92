/**
 * The Vertex AI EndpointService audit entries a Cloud Logging sink exports to
 * `model-deployments` (fixtures: test/fixtures/gcp-formats/8-audit-logs):
 * every fixture decodes; DeployModel and MutateDeployedModel requests under
 * all three methodName prefixes are acted on; completion (operation.last),
 * failed, UndeployModel and UpdateEndpoint entries are not; forecast-guard's
 * own principals are skipped; DeployedModel ids stay exact strings.
 */
import {
  decideAuditEntry,
  endpointServiceMethod,
  locationTail,
  VertexEndpointAuditEntry,
} from '../../../shared/contracts/external/vertex-endpoint-audit';
import { ModelDeploymentsMessage } from '../../../shared/contracts/messages/model-deployments-message';
import { decodeJsonData, pubsubEventFrom } from '../../../shared/contracts/pubsub-event';
import { ValidationError } from '../../../shared/errors';
import { loadFixture } from '../../helpers/gcp-fixtures';

const DIR = '8-audit-logs';
const ENDPOINT = 'projects/123456789012/locations/europe-west2/endpoints/5566778899001122334';
const MODEL = 'projects/123456789012/locations/europe-west2/models/6677889900112233445';
const OPERATION = `${ENDPOINT}/operations/2233445566778899001`;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function fixture(name: string): Json {
  return loadFixture<Json>(`${DIR}/${name}`);
}

function withMethod(entry: Json, methodName: string): Json {
  const copy = structuredClone(entry);
  copy.protoPayload.methodName = methodName;
  copy.resource.labels.method = methodName;
  return copy;
}

const decide = (entry: Json, own: string[] = []) =>
  decideAuditEntry(VertexEndpointAuditEntry.parse(entry), own);

describe('Vertex endpoint audit entries', () => {
  it.each([
    'deploymodel.first.logentry.json',
    'deploymodel.last.logentry.json',
    'deploymodel.last.failed.logentry.json',
    'undeploymodel.first.logentry.json',
    'mutatedeployedmodel.first.logentry.json',
    'updateendpoint.logentry.json',
  ])('decodes %s', (name) => {
    const entry = VertexEndpointAuditEntry.parse(fixture(name));
    expect(entry.protoPayload.serviceName).toBe('aiplatform.googleapis.com');
    expect(entry.logName).toBe('projects/my-project/logs/cloudaudit.googleapis.com%2Factivity');
  });

  it("acts on DeployModel's request entry: endpoint, model, its traffic share, who, and the operation", () => {
    expect(decide(fixture('deploymodel.first.logentry.json'))).toEqual({
      kind: 'deploy',
      endpoint: ENDPOINT,
      model: MODEL,
      trafficPercent: 100,
      principal: 'deployer@my-project.iam.gserviceaccount.com',
      key: OPERATION,
      requestedAt: '2025-08-24T15:04:01.894512Z',
    });
  });

  it.each(['google.cloud.aiplatform.v1.', 'google.cloud.aiplatform.v1beta1.', 'google.cloud.aiplatform.ui.'])(
    'matches DeployModel under the %s prefix',
    (prefix) => {
      const entry = withMethod(
        fixture('deploymodel.first.logentry.json'),
        `${prefix}EndpointService.DeployModel`,
      );
      expect(decide(entry)).toMatchObject({ kind: 'deploy', model: MODEL });
    },
  );

  it('knows every EndpointService method name of the catalog, whatever its prefix', () => {
    const { methodNames } = fixture('method-names.json') as { methodNames: string[] };
    expect(methodNames.map(endpointServiceMethod).sort()).toEqual(
      methodNames.map((m) => m.split('.').at(-1)).sort(),
    );
    expect(endpointServiceMethod('google.cloud.aiplatform.v1.ModelService.UploadModel')).toBeUndefined();
  });

  it('acts on MutateDeployedModel by the DeployedModel id, kept as its exact 19-digit string', () => {
    const decision = decide(fixture('mutatedeployedmodel.first.logentry.json'));
    expect(decision).toMatchObject({
      kind: 'mutate',
      endpoint: ENDPOINT,
      deployedModelId: '1029384756473829100',
    });
    // An id a double cannot hold (it would read back as …829100) comes through digit for digit.
    const text = JSON.stringify(fixture('mutatedeployedmodel.first.logentry.json')).replace(
      '"id":"1029384756473829100"',
      '"id":"1029384756473829101"',
    );
    expect(Number('1029384756473829101').toString()).not.toBe('1029384756473829101');
    expect(decide(JSON.parse(text))).toMatchObject({ deployedModelId: '1029384756473829101' });
  });

  it('never requires the completion entry: operation.last is ignored, success or failure', () => {
    expect(decide(fixture('deploymodel.last.logentry.json'))).toEqual({
      kind: 'ignore',
      reason: 'DeployModel completion entry (operation.last): acted on at its request entry',
    });
    const failed = decide(fixture('deploymodel.last.failed.logentry.json'));
    expect(failed).toMatchObject({ kind: 'ignore' });
    expect((failed as { reason: string }).reason).toContain(
      'DeployModel failed (status 3: Model server exited',
    );
  });

  it('acts on an operation logged once as both first and last', () => {
    const entry = fixture('deploymodel.first.logentry.json');
    entry.operation.last = true;
    expect(decide(entry)).toMatchObject({ kind: 'deploy', model: MODEL });
  });

  it('ignores a failed request even when its status code is a double (3.0)', () => {
    const text = JSON.stringify(fixture('deploymodel.first.logentry.json')).replace(
      '"status":{}',
      '"status":{"code":3.0,"message":"Invalid model"}',
    );
    expect(text).toContain('"code":3.0');
    expect(decide(JSON.parse(text))).toEqual({
      kind: 'ignore',
      reason: 'DeployModel failed (status 3: Invalid model): nothing was deployed',
    });
  });

  it('reads a traffic share written as a double', () => {
    const entry = fixture('deploymodel.first.logentry.json');
    entry.protoPayload.request.trafficSplit = { '0': 50.0, '1029384756473829100': 50.0 };
    expect(decide(entry)).toMatchObject({ trafficPercent: 50 });
  });

  it('ignores UndeployModel and UpdateEndpoint (which has no operation)', () => {
    expect(decide(fixture('undeploymodel.first.logentry.json'))).toEqual({
      kind: 'ignore',
      reason: 'google.cloud.aiplatform.v1.EndpointService.UndeployModel does not deploy a model',
    });
    const update = fixture('updateendpoint.logentry.json');
    expect(update.operation).toBeUndefined();
    expect(decide(update)).toMatchObject({ kind: 'ignore' });
  });

  it("skips forecast-guard's own deployments by principal, whatever the case", () => {
    const entry = fixture('deploymodel.first.logentry.json');
    expect(
      decide(entry, [
        'fg-rollback@my-project.iam.gserviceaccount.com',
        'Deployer@My-Project.iam.gserviceaccount.com',
      ]),
    ).toEqual({
      kind: 'ignore',
      reason:
        "DeployModel by forecast-guard's own deployer@my-project.iam.gserviceaccount.com: it announces its deployments itself",
    });
  });

  it('refuses a DeployedModel id written as a JSON number, naming the field', () => {
    const entry = fixture('mutatedeployedmodel.first.logentry.json');
    entry.protoPayload.request.deployedModel.id = 1029384756473829100;
    const parsed = ModelDeploymentsMessage.safeParse(entry);
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error!.issues)).toContain('never a JSON number');
    expect(parsed.error!.issues[0]!.path).toEqual(['protoPayload', 'request', 'deployedModel', 'id']);
  });

  it('refuses a DeployModel request without a model resource, naming the field', () => {
    const entry = fixture('deploymodel.first.logentry.json');
    delete entry.protoPayload.request.deployedModel.model;
    expect(() => decide(entry)).toThrow(ValidationError);
    expect(() => decide(entry)).toThrow(
      'protoPayload.request.deployedModel.model must be a model resource name',
    );
  });

  it('decodes the sink push body into the audit entry on model-deployments, timestamp attribute and all', () => {
    const { body } = fixture('sink-to-pubsub.push-body.json');
    const event = pubsubEventFrom(body, 'push');
    expect(event.attributes).toEqual({ 'logging.googleapis.com/timestamp': '2025-08-24T15:04:01.894512Z' });
    const message = decodeJsonData(event, ModelDeploymentsMessage, 'model-deployments message');
    expect(message).toEqual(VertexEndpointAuditEntry.parse(fixture('deploymodel.first.logentry.json')));
  });

  it('still checks a ModelDeployed on the same topic with its own messages', () => {
    const bad = ModelDeploymentsMessage.safeParse({ isbn: '9780722532935', environment: 'production' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path[0])).toEqual(
      expect.arrayContaining(['version', 'deployedBy', 'correlationId']),
    );
  });

  it('compares resource names from locations/ on: Vertex writes the project as a number', () => {
    expect(locationTail('projects/my-project/locations/europe-west2/endpoints/1')).toBe(
      locationTail('projects/123456789012/locations/europe-west2/endpoints/1'),
    );
  });
});
