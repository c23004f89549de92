/**
 * ModelService of the local Vertex AI server: UploadModel (a done LRO),
 * GetModel (by version id, alias, or the `default` version), ListModels,
 * ListModelVersions (names carry `@<versionId>`, as the proto says they may),
 * UpdateModel and MergeVersionAliases — with Vertex's rules: version ids
 * count up per Model, `default` sits on exactly one version and cannot be
 * removed, an alias names at most one version (adding it moves it), aliases
 * match [a-z][a-zA-Z0-9-]{0,126}[a-z0-9].
 */
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { DEFAULT_ALIAS, VERTEX_ALIAS } from '../../../shared/adapters/gcp/vertex-names';
import { matches, parseFilter } from './filters';
import type { Message } from './rpc';
import { conflict, exists, invalid, maskPaths, notFound, page, parseName, requireParent, unary } from './rpc';
import type { ModelRecord, VersionRecord, VertexWorld } from './world';

/** Vertex's UploadModel `model_id` rule. */
const MODEL_ID = /^[a-z_][a-z0-9_-]{0,62}$/;

/** The Model message for one version, as GetModel returns it. */
export function modelView(
  world: VertexWorld,
  model: ModelRecord,
  version: VersionRecord,
  name = model.name,
): Message {
  const deployedModels = [...world.endpoints.values()].flatMap((endpoint) =>
    endpoint.deployedModels
      .filter((d) => d.model === model.name && d.modelVersionId === version.versionId)
      .map((d) => ({ endpoint: endpoint.name, deployedModelId: d.id })),
  );
  return {
    ...version.uploaded,
    name,
    displayName: model.displayName,
    description: model.description,
    versionId: version.versionId,
    versionAliases: [...version.aliases],
    versionCreateTime: version.createTime,
    versionUpdateTime: version.updateTime,
    versionDescription: version.description,
    labels: version.labels,
    createTime: model.createTime,
    updateTime: model.updateTime,
    deployedModels,
  };
}

/** The version a reference names: a version id, an alias, or (none) the default version. */
export function resolveVersion(model: ModelRecord, ref: string | undefined): VersionRecord {
  const wanted = ref ?? DEFAULT_ALIAS;
  const version = /^[0-9]+$/.test(wanted)
    ? model.versions.find((v) => v.versionId === wanted)
    : model.versions.find((v) => v.aliases.has(wanted));
  if (!version) throw notFound(`Model ${model.name}@${wanted} not found.`);
  return version;
}

function checkAlias(alias: string): void {
  if (!VERTEX_ALIAS.test(alias)) {
    throw invalid(
      `Alias ${JSON.stringify(alias)} is invalid: it must match [a-z][a-zA-Z0-9-]{0,126}[a-z0-9].`,
    );
  }
}

/** Puts `alias` on `version`, taking it off any other version of the Model. */
function moveAlias(model: ModelRecord, version: VersionRecord, alias: string): void {
  for (const other of model.versions) other.aliases.delete(alias);
  version.aliases.add(alias);
}

/** Only the fields a read mask names (and `name`, which Vertex always returns). */
function readMasked(view: Message, mask: unknown): Message {
  const paths = (mask as { paths?: string[] } | undefined)?.paths;
  if (!paths || paths.length === 0) return view;
  const keys = paths.map((p) => p.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()));
  return Object.fromEntries(Object.entries(view).filter(([key]) => key === 'name' || keys.includes(key)));
}

function labelsOf(value: unknown): Record<string, string> {
  return { ...((value as Record<string, string> | undefined) ?? {}) };
}

/**
 * UploadModel's work: a new version of `parent_model`, or (without one) a
 * NEW Model, version "1" — so uploads without a parent may share a display
 * name, as the publisher's pipeline does. Without `model_id` the Model gets a
 * generated numeric id, as on Vertex.
 */
export function uploadModelRecord(
  world: VertexWorld,
  request: Message,
): { model: ModelRecord; version: VersionRecord } {
  const parent = requireParent(request.parent);
  const sent = request.model as Message | undefined;
  if (!sent || typeof sent.displayName !== 'string' || sent.displayName === '') {
    throw invalid('model.display_name is required.');
  }
  const { versionAliases, labels, versionDescription, name: _name, versionId: _id, ...uploaded } = sent;
  const aliases = (versionAliases as string[] | undefined) ?? [];
  aliases.forEach(checkAlias);
  let model: ModelRecord;
  if (request.parentModel) {
    const parentModel = parseName(request.parentModel, 'models');
    if (parentModel.parent !== parent)
      throw invalid(`parent_model ${String(request.parentModel)} is not in ${parent}.`);
    model = world.model(parentModel.resource);
  } else {
    // Only a caller's id is held to the rule; Vertex's own ids are numeric.
    if (request.modelId && !MODEL_ID.test(String(request.modelId)))
      throw invalid(
        `model_id ${JSON.stringify(request.modelId)} is invalid: up to 63 of [a-z0-9_-], not starting with a digit or '-'.`,
      );
    const id = request.modelId ? String(request.modelId) : world.nextId(19);
    const name = `${parent}/models/${id}`;
    if (world.models.has(name)) throw exists(`Model ${name} already exists.`);
    const now = world.timestamp();
    model = {
      name,
      displayName: sent.displayName,
      description: String(sent.description ?? ''),
      createTime: now,
      updateTime: now,
      versions: [],
      lastVersion: 0,
    };
    world.models.set(name, model);
  }
  model.lastVersion += 1;
  const now = world.timestamp();
  const version: VersionRecord = {
    versionId: String(model.lastVersion),
    aliases: new Set(),
    createTime: now,
    updateTime: now,
    description: String(versionDescription ?? ''),
    labels: labelsOf(labels),
    uploaded,
  };
  model.versions.push(version);
  model.updateTime = now;
  // The first version takes `default`; a later one only when the upload asks for it.
  if (model.versions.length === 1) version.aliases.add(DEFAULT_ALIAS);
  for (const alias of aliases) moveAlias(model, version, alias);
  return { model, version };
}

export function modelService(world: VertexWorld): UntypedServiceImplementation {
  // Uploads finish at once here (the registry's tests upload thousands); deployments take time.
  const uploadModel = (request: Message) => {
    const { model, version } = uploadModelRecord(world, request);
    return world.doneOperation(model.name, 'UploadModelResponse', {
      model: model.name,
      modelVersionId: version.versionId,
    });
  };

  const getModel = (request: Message) => {
    const { resource, ref } = parseName(request.name, 'models');
    const model = world.model(resource);
    return modelView(world, model, resolveVersion(model, ref));
  };

  const listModels = (request: Message) => {
    const parent = requireParent(request.parent);
    const filter = parseFilter(request.filter);
    const all = [...world.models.values()]
      .filter((m) => m.name.startsWith(`${parent}/models/`))
      .map((m) => modelView(world, m, resolveVersion(m, undefined)))
      .filter((view) =>
        matches(filter, {
          labels: view.labels as Record<string, string>,
          fields: { display_name: String(view.displayName), model: String(view.name).split('/').pop() },
        }),
      );
    const { items, nextPageToken } = page(all, request);
    return { models: items.map((view) => readMasked(view, request.readMask)), nextPageToken };
  };

  const listModelVersions = (request: Message) => {
    const { resource, ref } = parseName(request.name, 'models');
    if (ref !== undefined) throw invalid('name must not carry a version for ListModelVersions.');
    const model = world.model(resource);
    const filter = parseFilter(request.filter);
    const views = model.versions
      .map((v) => modelView(world, model, v, `${model.name}@${v.versionId}`))
      .filter((view) => matches(filter, { labels: view.labels as Record<string, string>, fields: {} }));
    const { items, nextPageToken } = page(views, request);
    return { models: items.map((view) => readMasked(view, request.readMask)), nextPageToken };
  };

  const updateModel = (request: Message) => {
    const sent = (request.model as Message | undefined) ?? {};
    const { resource, ref } = parseName(sent.name, 'models');
    const model = world.model(resource);
    const paths = maskPaths(request.updateMask);
    const versionUpdate = ref !== undefined && ref !== '-';
    const allowed = versionUpdate
      ? ['version_description', 'labels']
      : ['display_name', 'description', 'labels'];
    const refused = paths.filter((p) => !allowed.includes(p));
    if (refused.length > 0) {
      throw conflict(
        `Cannot update ${refused.join(', ')} in a ${versionUpdate ? 'model version' : 'model'} update.`,
      );
    }
    const now = world.timestamp();
    const version = versionUpdate ? resolveVersion(model, ref) : resolveVersion(model, undefined);
    for (const path of paths) {
      if (path === 'version_description') version.description = String(sent.versionDescription ?? '');
      if (path === 'display_name') model.displayName = String(sent.displayName ?? '');
      if (path === 'description') model.description = String(sent.description ?? '');
      if (path === 'labels') {
        const targets = versionUpdate ? [version] : model.versions;
        for (const target of targets) target.labels = labelsOf(sent.labels);
      }
    }
    version.updateTime = now;
    model.updateTime = now;
    return modelView(world, model, version);
  };

  const mergeVersionAliases = (request: Message) => {
    const { resource, ref } = parseName(request.name, 'models');
    if (ref === undefined || !/^[0-9]+$/.test(ref)) {
      throw invalid('name must include an explicit version id, e.g. models/123@4.');
    }
    const model = world.model(resource);
    const version = resolveVersion(model, ref);
    const entries = (request.versionAliases as string[] | undefined) ?? [];
    if (entries.length === 0) throw invalid('version_aliases is required.');
    const added = entries.filter((e) => !e.startsWith('-'));
    const removed = entries.filter((e) => e.startsWith('-')).map((e) => e.slice(1));
    [...added, ...removed].forEach(checkAlias);
    if (removed.includes(DEFAULT_ALIAS) && !added.includes(DEFAULT_ALIAS)) {
      throw conflict(
        'The default alias cannot be removed: a Model has exactly one default version. Move it by adding it to another version.',
      );
    }
    // Adding and removing the same alias in one request cancel out (proto comment).
    for (const alias of added.filter((a) => !removed.includes(a))) moveAlias(model, version, alias);
    for (const alias of removed.filter((a) => !added.includes(a))) version.aliases.delete(alias);
    version.updateTime = world.timestamp();
    return modelView(world, model, version);
  };

  return {
    UploadModel: unary(uploadModel),
    GetModel: unary(getModel),
    ListModels: unary(listModels),
    ListModelVersions: unary(listModelVersions),
    UpdateModel: unary(updateModel),
    MergeVersionAliases: unary(mergeVersionAliases),
  };
}
