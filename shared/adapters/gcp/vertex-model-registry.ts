/**
 * VertexModelRegistry: the ModelRegistry on Vertex AI Model Registry.
 *
 * Mapping: one Vertex Model per book, id and display name
 * `arima_book_<isbn>`, labels `isbn=<isbn>` and `app=forecast-guard`; our
 * versions are its versions (`versionId`, an increasing decimal string that
 * Vertex assigns, so racing registrations get distinct ids); our aliases are
 * its version aliases, moved with MergeVersionAliases (`["production"]` adds
 * it, and Vertex takes it off the version that had it — an alias is unique per
 * Model; `["-production"]` removes it). Vertex's own `default` alias sits on
 * exactly one version (the first, unless someone moves it) and is reported in
 * `aliases` but never moved by us: our `production` alias moves freely and
 * independently. Training facts and the stored forecast live in the version's
 * `metadata`, the quarantine mark in its `versionDescription` (see
 * vertex-version-codec.ts for why).
 */
import { performance } from 'node:perf_hooks';
import type { ModelVersion, NewModelVersionInput } from '../../contracts/model';
import { NewModelVersion, Quarantine } from '../../contracts/model';
import { parseWith } from '../../contracts/parse';
import { NotFoundError, ValidationError } from '../../errors';
import type { ModelRegistry, RegistryPing } from '../../ports/model-registry';
import type { VertexClients } from './vertex-clients';
import { GrpcStatus, hasGrpcCode, translateVertexError, vertexCall, vertexRead } from './vertex-errors';
import type { VertexLocation } from './vertex-names';
import {
  APP_FILTER,
  byVersion,
  isbnOfModelName,
  ISBN_LABEL_KEY,
  isVersionId,
  locationPath,
  modelIdFor,
  modelNameFor,
  requireIsbn,
  requireSettableAlias,
  VERTEX_ALIAS,
  versionRef,
} from './vertex-names';
import type { UploadArtifact, VertexModel } from './vertex-version-codec';
import { describeQuarantine, modelForUpload, modelVersionFromVertex } from './vertex-version-codec';

/** How many version ids a "no such version" message lists before eliding (as the embedded registry does). */
const VERSIONS_LISTED = 20;
/** Listings read only what they use: a Model's metadata carries its stored forecast. */
const NAME_AND_LABELS = { paths: ['name', 'labels'] };

export interface VertexModelRegistryOptions extends VertexLocation {
  clients: Pick<VertexClients, 'model'>;
  /** Artifact URI and serving container for uploads to real Vertex; the local server needs neither. */
  artifact?: UploadArtifact;
}

/** ModelRegistry on Vertex AI Model Registry (see the mapping above). */
export class VertexModelRegistry implements ModelRegistry {
  private readonly where: VertexLocation;
  private readonly clients: Pick<VertexClients, 'model'>;
  private readonly artifact: UploadArtifact;

  constructor(options: VertexModelRegistryOptions) {
    this.where = { projectId: options.projectId, location: options.location };
    this.clients = options.clients;
    this.artifact = options.artifact ?? {};
  }

  /** One ListModels call for one of our Models, timed. */
  async ping(): Promise<RegistryPing> {
    // A monotonic timer: this measures a duration, it does not read the time of day.
    const started = performance.now();
    try {
      const [models] = await this.clients.model.listModels(
        { parent: locationPath(this.where), filter: APP_FILTER, pageSize: 1, readMask: NAME_AND_LABELS },
        { autoPaginate: false },
      );
      const detail = models.length > 0 ? 'ListModels answered' : 'ListModels answered (no models yet)';
      return { ok: true, latencyMs: performance.now() - started, detail };
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      return { ok: false, latencyMs: performance.now() - started, detail };
    }
  }

  /** ISBNs of the Models labelled `app=forecast-guard`. */
  async listModels(): Promise<string[]> {
    const [models] = await vertexCall('list models', () =>
      this.clients.model.listModels({
        parent: locationPath(this.where),
        filter: APP_FILTER,
        readMask: NAME_AND_LABELS,
      }),
    );
    const isbns = models
      .map((m) => isbnOfModelName(m.name ?? '') ?? m.labels?.[ISBN_LABEL_KEY])
      .filter((isbn): isbn is string => typeof isbn === 'string');
    return [...new Set(isbns)].sort();
  }

  async listVersions(isbn: string): Promise<ModelVersion[]> {
    requireIsbn(isbn);
    const models = await this.listVertexVersions(isbn);
    return models.map(modelVersionFromVertex).sort((a, b) => byVersion(a.version, b.version));
  }

  async getVersion(isbn: string, version: string): Promise<ModelVersion | undefined> {
    requireIsbn(isbn);
    // Anything but a decimal id would make Vertex resolve an alias (`@production`) instead.
    if (!isVersionId(version)) return undefined;
    const model = await vertexRead(`get ${isbn} version ${version}`, () =>
      this.clients.model.getModel({ name: versionRef(this.modelName(isbn), version) }),
    );
    return model && modelVersionFromVertex(model[0]);
  }

  async getAlias(isbn: string, alias: string): Promise<string | undefined> {
    requireIsbn(isbn);
    // A string Vertex would not take as an alias (a version id, say) names no alias here.
    if (typeof alias !== 'string' || !VERTEX_ALIAS.test(alias)) return undefined;
    const model = await vertexRead(`get alias ${alias} of ${isbn}`, () =>
      this.clients.model.getModel({ name: versionRef(this.modelName(isbn), alias) }),
    );
    return model?.[0].versionId ?? undefined;
  }

  /** MergeVersionAliases `[alias]` on the version: Vertex moves the alias off the version that had it, in one step. */
  async setAlias(isbn: string, alias: string, version: string): Promise<void> {
    requireIsbn(isbn);
    requireSettableAlias(alias);
    if (!isVersionId(version)) throw await this.noSuchVersion(isbn, version);
    try {
      await this.clients.model.mergeVersionAliases({
        name: versionRef(this.modelName(isbn), version),
        versionAliases: [alias],
      });
    } catch (err) {
      if (hasGrpcCode(err, GrpcStatus.NOT_FOUND)) throw await this.noSuchVersion(isbn, version);
      throw translateVertexError(err, `set alias ${alias} of ${isbn} to ${version}`);
    }
  }

  /** Finds the version holding the alias and merges `-alias` into it; an alias not set is a no-op. */
  async deleteAlias(isbn: string, alias: string): Promise<void> {
    requireIsbn(isbn);
    requireSettableAlias(alias);
    const holder = await this.getAlias(isbn, alias);
    if (holder === undefined) return;
    // NOT_FOUND here means the version went away meanwhile: the alias went with it.
    await vertexRead(`delete alias ${alias} of ${isbn}`, () =>
      this.clients.model.mergeVersionAliases({
        name: versionRef(this.modelName(isbn), holder),
        versionAliases: [`-${alias}`],
      }),
    );
  }

  /** UpdateModel on the version with mask `version_description`: the one field a version lets us change. */
  async setQuarantine(isbn: string, version: string, quarantine: Quarantine | undefined): Promise<void> {
    requireIsbn(isbn);
    const mark = quarantine === undefined ? undefined : parseQuarantine(quarantine);
    if (!isVersionId(version)) throw await this.noSuchVersion(isbn, version);
    try {
      await this.clients.model.updateModel({
        model: {
          name: versionRef(this.modelName(isbn), version),
          versionDescription: describeQuarantine(mark),
        },
        updateMask: { paths: ['version_description'] },
      });
    } catch (err) {
      if (hasGrpcCode(err, GrpcStatus.NOT_FOUND)) throw await this.noSuchVersion(isbn, version);
      throw translateVertexError(err, `quarantine ${isbn} version ${version}`);
    }
  }

  /**
   * UploadModel (a long-running operation) as a new version of the book's
   * Model; the first registration creates the Model with id
   * `arima_book_<isbn>`. Two first registrations racing: one creates it, the
   * other gets ALREADY_EXISTS and uploads as a version of it. The version is
   * read back, so the result is what the registry holds (Vertex's
   * `versionCreateTime` when no `createdAt` was given).
   */
  async registerVersion(input: NewModelVersionInput): Promise<ModelVersion> {
    const parsed = parseWith(NewModelVersion, input, 'registration');
    const model = modelForUpload(parsed, this.artifact);
    const name = this.modelName(parsed.isbn);
    const exists = await vertexRead(`get model of ${parsed.isbn}`, () =>
      this.clients.model.getModel({ name }),
    );
    let versionId: string;
    if (exists) versionId = await this.upload(parsed.isbn, model, 'version');
    else {
      try {
        versionId = await this.upload(parsed.isbn, model, 'model');
      } catch (err) {
        if (!hasGrpcCode(err, GrpcStatus.ALREADY_EXISTS)) throw err;
        versionId = await this.upload(parsed.isbn, model, 'version');
      }
    }
    const [stored] = await vertexCall(`read back ${parsed.isbn} version ${versionId}`, () =>
      this.clients.model.getModel({ name: versionRef(name, versionId) }),
    );
    return modelVersionFromVertex(stored);
  }

  /** Uploads `model` as a new Model or as a new version of the book's Model; resolves to the version id. Errors untranslated. */
  private async upload(isbn: string, model: VertexModel, as: 'model' | 'version'): Promise<string> {
    const parent = locationPath(this.where);
    const request =
      as === 'model'
        ? { parent, modelId: modelIdFor(isbn), model }
        : { parent, parentModel: this.modelName(isbn), model };
    try {
      const [operation] = await this.clients.model.uploadModel(request);
      const [response] = await operation.promise();
      if (!response.modelVersionId) throw new Error('UploadModel finished without a modelVersionId');
      return response.modelVersionId;
    } catch (err) {
      // The caller decides on ALREADY_EXISTS; everything else is translated here.
      if (hasGrpcCode(err, GrpcStatus.ALREADY_EXISTS)) throw err;
      throw translateVertexError(err, `register a version of ${isbn}`);
    }
  }

  /** The book's versions from ListModelVersions; `readMask` limits the fields read (Vertex field paths). */
  private async listVertexVersions(isbn: string, readMask?: string[]): Promise<VertexModel[]> {
    try {
      const [models] = await this.clients.model.listModelVersions({
        name: this.modelName(isbn),
        ...(readMask ? { readMask: { paths: readMask } } : {}),
      });
      return models;
    } catch (err) {
      // The message names only the ISBN asked for: a fleet may hold thousands of others.
      if (hasGrpcCode(err, GrpcStatus.NOT_FOUND)) {
        throw new NotFoundError(`no model is registered for ISBN ${isbn}`, { cause: err });
      }
      throw translateVertexError(err, `list versions of ${isbn}`);
    }
  }

  /** NotFoundError for a version the book does not have, listing the versions it has. */
  private async noSuchVersion(isbn: string, version: string): Promise<NotFoundError> {
    const versions = (await this.listVertexVersions(isbn, ['version_id']))
      .map((m) => String(m.versionId ?? ''))
      .sort(byVersion);
    return new NotFoundError(
      `ISBN ${isbn} has no version "${version}" (versions: ${describeVersions(versions)})`,
    );
  }

  private modelName(isbn: string): string {
    return modelNameFor(this.where, isbn);
  }
}

function parseQuarantine(quarantine: Quarantine): Quarantine {
  try {
    return parseWith(Quarantine, quarantine, 'quarantine');
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    throw new ValidationError(
      err.message,
      err.fields.map((f) => `quarantine.${f}`),
      { cause: err },
    );
  }
}

function describeVersions(versions: string[]): string {
  if (versions.length === 0) return 'none';
  if (versions.length <= VERSIONS_LISTED) return versions.join(', ');
  return `${versions.slice(0, 3).join(', ')}, …, ${versions.slice(-(VERSIONS_LISTED - 3)).join(', ')}`;
}
