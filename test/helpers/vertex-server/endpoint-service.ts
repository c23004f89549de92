/**
 * EndpointService of the local Vertex AI server: CreateEndpoint, GetEndpoint,
 * ListEndpoints, UpdateEndpoint (traffic_split, display_name, description,
 * labels), CreateEndpoint, DeployModel and UndeployModel as long-running
 * operations that take the world's `operationDelayMs` (the request is
 * checked at once; the change shows only when the operation is done, and a
 * conflict found then — e.g. a DeployedModel id taken meanwhile — becomes the
 * operation's error) — with Vertex's rules:
 * a traffic split names deployed models only, percents are whole numbers
 * summing to 100 or the split is empty; DeployModel's non-empty split
 * replaces the whole split and key "0" stands for the model being deployed;
 * UndeployModel refuses a model that still has traffic; undeploying the last
 * model empties the split; a caller's DeployedModel id is 1–10 digits
 * (endpoint.proto), a generated one 19 (10-vertex-limits/quotas.json), and an
 * id already on the endpoint is ALREADY_EXISTS.
 */
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { matches, parseFilter } from './filters';
import { resolveVersion } from './model-service';
import type { Message } from './rpc';
import { conflict, exists, invalid, maskPaths, notFound, page, parseName, requireParent, unary } from './rpc';
import type { DeployedModelRecord, EndpointRecord, VertexWorld } from './world';

/** Vertex's CreateEndpoint `endpoint_id` rule: a letter-first id, or up to 9 digits without a leading zero. */
const ENDPOINT_ID = /^(?:[a-z][a-z0-9-]{0,61}[a-z0-9]|[1-9][0-9]{0,8})$/;

/** The Endpoint message for a record. */
export function endpointView(endpoint: EndpointRecord): Message {
  return {
    name: endpoint.name,
    displayName: endpoint.displayName,
    description: endpoint.description,
    deployedModels: endpoint.deployedModels.map((d) => ({ ...d })),
    trafficSplit: { ...endpoint.trafficSplit },
    labels: { ...endpoint.labels },
    createTime: endpoint.createTime,
    updateTime: endpoint.updateTime,
    etag: `rev-${endpoint.revision}`,
  };
}

/** Checks a split against the models deployed: known ids, whole percents 0–100, summing to 100, or empty. */
export function checkTrafficSplit(split: Record<string, number>, deployedIds: string[]): void {
  const entries = Object.entries(split);
  if (entries.length === 0) return;
  for (const [id, percent] of entries) {
    if (!deployedIds.includes(id))
      throw invalid(`traffic_split names DeployedModel ${id}, which is not deployed on this Endpoint.`);
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
      throw invalid(`traffic_split[${id}] must be a whole percent from 0 to 100, got ${percent}.`);
    }
  }
  const total = entries.reduce((sum, [, p]) => sum + p, 0);
  if (total !== 100)
    throw invalid(`traffic_split percentages must add up to 100 (got ${total}), or the map must be empty.`);
}

function touch(world: VertexWorld, endpoint: EndpointRecord): void {
  endpoint.updateTime = world.timestamp();
  endpoint.revision += 1;
}

/**
 * CreateEndpoint checked: the endpoint's name and the work that creates it.
 * A caller's id follows ENDPOINT_ID; a generated one is 19 digits, as the
 * pipeline's endpoints show (9-publisher-pipeline/vertex.endpoint.json).
 */
export function createEndpointWork(
  world: VertexWorld,
  request: Message,
): { name: string; work: () => EndpointRecord } {
  const parent = requireParent(request.parent);
  const sent = (request.endpoint as Message | undefined) ?? {};
  if (typeof sent.displayName !== 'string' || sent.displayName === '')
    throw invalid('endpoint.display_name is required.');
  const displayName = sent.displayName;
  if (request.endpointId && !ENDPOINT_ID.test(String(request.endpointId)))
    throw invalid(`endpoint_id ${JSON.stringify(request.endpointId)} is invalid.`);
  const id = request.endpointId ? String(request.endpointId) : world.nextId(19);
  const name = `${parent}/endpoints/${id}`;
  const taken = () => {
    if (world.endpoints.has(name)) throw exists(`Endpoint ${name} already exists.`);
  };
  taken();
  const work = () => {
    taken();
    const now = world.timestamp();
    const endpoint: EndpointRecord = {
      name,
      displayName,
      description: String(sent.description ?? ''),
      labels: { ...((sent.labels as Record<string, string> | undefined) ?? {}) },
      deployedModels: [],
      trafficSplit: {},
      createTime: now,
      updateTime: now,
      revision: 1,
    };
    world.endpoints.set(name, endpoint);
    return endpoint;
  };
  return { name, work };
}

/**
 * DeployModel checked against the endpoint as it is now; the work re-checks
 * the id (another deployment may have taken it meanwhile) and deploys.
 */
export function deployModelWork(world: VertexWorld, request: Message): () => DeployedModelRecord {
  const endpointName = parseName(request.endpoint, 'endpoints').resource;
  const endpoint = world.endpoint(endpointName);
  const sent = (request.deployedModel as Message | undefined) ?? {};
  const { resource, ref } = parseName(sent.model, 'models');
  const version = resolveVersion(world.model(resource), ref);
  if (!sent.dedicatedResources && !sent.automaticResources && !sent.sharedResources) {
    throw invalid(
      'deployed_model needs prediction resources: dedicated_resources, automatic_resources or shared_resources.',
    );
  }
  if (sent.id && !/^[0-9]{1,10}$/.test(String(sent.id)))
    throw invalid(
      `deployed_model.id ${JSON.stringify(sent.id)} is invalid: it should be 1-10 characters, and valid characters are /[0-9]/.`,
    );
  const id = sent.id ? String(sent.id) : world.nextId(19);
  const taken = (current: EndpointRecord) => {
    if (current.deployedModels.some((d) => d.id === id))
      throw exists(`DeployedModel ${id} already exists on ${current.name}.`);
  };
  taken(endpoint);
  const requested = { ...((request.trafficSplit as Record<string, number> | undefined) ?? {}) };
  const splitFor = (current: EndpointRecord) => {
    if (Object.keys(requested).length === 0) return current.trafficSplit;
    const split = Object.fromEntries(
      Object.entries(requested).map(([key, percent]) => [key === '0' ? id : key, percent]),
    );
    checkTrafficSplit(split, [...current.deployedModels.map((d) => d.id), id]);
    return split;
  };
  splitFor(endpoint);
  return () => {
    const current = world.endpoint(endpointName);
    taken(current);
    const split = splitFor(current);
    const deployed: DeployedModelRecord = {
      ...sent,
      id,
      model: resource,
      modelVersionId: version.versionId,
      createTime: world.timestamp(),
    };
    current.deployedModels.push(deployed);
    current.trafficSplit = split;
    touch(world, current);
    return deployed;
  };
}

export function endpointService(world: VertexWorld): UntypedServiceImplementation {
  const createEndpoint = (request: Message) => {
    const { name, work } = createEndpointWork(world, request);
    return world.startOperation(name, 'Endpoint', () => endpointView(work()));
  };

  const getEndpoint = (request: Message) =>
    endpointView(world.endpoint(parseName(request.name, 'endpoints').resource));

  const listEndpoints = (request: Message) => {
    const parent = requireParent(request.parent);
    const filter = parseFilter(request.filter);
    const all = [...world.endpoints.values()]
      .filter((e) => e.name.startsWith(`${parent}/endpoints/`))
      .filter((e) =>
        matches(filter, {
          labels: e.labels,
          fields: { display_name: e.displayName, endpoint: e.name.split('/').pop() },
        }),
      )
      .map(endpointView);
    const { items, nextPageToken } = page(all, request);
    return { endpoints: items, nextPageToken };
  };

  const updateEndpoint = (request: Message) => {
    const sent = (request.endpoint as Message | undefined) ?? {};
    const endpoint = world.endpoint(parseName(sent.name, 'endpoints').resource);
    const paths = maskPaths(request.updateMask);
    const refused = paths.filter(
      (p) => !['traffic_split', 'display_name', 'description', 'labels'].includes(p),
    );
    if (refused.length > 0) throw invalid(`Cannot update ${refused.join(', ')} with UpdateEndpoint.`);
    if (paths.includes('traffic_split')) {
      const split = { ...((sent.trafficSplit as Record<string, number> | undefined) ?? {}) };
      checkTrafficSplit(
        split,
        endpoint.deployedModels.map((d) => d.id),
      );
      endpoint.trafficSplit = split;
    }
    if (paths.includes('display_name')) endpoint.displayName = String(sent.displayName ?? '');
    if (paths.includes('description')) endpoint.description = String(sent.description ?? '');
    if (paths.includes('labels'))
      endpoint.labels = { ...((sent.labels as Record<string, string> | undefined) ?? {}) };
    touch(world, endpoint);
    return endpointView(endpoint);
  };

  const deployModel = (request: Message) => {
    const work = deployModelWork(world, request);
    const endpointName = parseName(request.endpoint, 'endpoints').resource;
    return world.startOperation(endpointName, 'DeployModelResponse', () => ({ deployedModel: work() }));
  };

  const undeployModel = (request: Message) => {
    const endpointName = parseName(request.endpoint, 'endpoints').resource;
    const id = String(request.deployedModelId ?? '');
    const requested = { ...((request.trafficSplit as Record<string, number> | undefined) ?? {}) };
    const check = () => {
      const endpoint = world.endpoint(endpointName);
      if (!endpoint.deployedModels.some((d) => d.id === id))
        throw notFound(`DeployedModel ${id} not found on ${endpoint.name}.`);
      const remaining = endpoint.deployedModels.filter((d) => d.id !== id);
      const split = Object.keys(requested).length > 0 ? { ...requested } : { ...endpoint.trafficSplit };
      if ((split[id] ?? 0) > 0) {
        throw conflict(
          `DeployedModel ${id} still has ${split[id]}% of the Endpoint's traffic; move its traffic away before undeploying it.`,
        );
      }
      delete split[id];
      if (Object.keys(requested).length > 0)
        checkTrafficSplit(
          split,
          remaining.map((d) => d.id),
        );
      return { endpoint, remaining, split };
    };
    check();
    return world.startOperation(endpointName, 'UndeployModelResponse', () => {
      const { endpoint, remaining, split } = check();
      endpoint.deployedModels = remaining;
      endpoint.trafficSplit = remaining.length === 0 ? {} : split;
      touch(world, endpoint);
      return {};
    });
  };

  return {
    CreateEndpoint: unary(createEndpoint),
    GetEndpoint: unary(getEndpoint),
    ListEndpoints: unary(listEndpoints),
    UpdateEndpoint: unary(updateEndpoint),
    DeployModel: unary(deployModel),
    UndeployModel: unary(undeployModel),
  };
}
