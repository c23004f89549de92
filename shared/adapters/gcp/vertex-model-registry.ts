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
 *
 * The publisher's pipeline registers differently: a new Model per run, all
 * sharing the display name `arima_book_<isbn>`, each at versionId "1" and
 * without our metadata. Such a book's versions are those Models, numbered by
 * creation (vertex-book-versions.ts), read as ModelVersions that say what
 * they lack (`adoptedVersionFromVertex`). An alias is unique per Model on
 * Vertex; across a book's Models, `setAlias` adds it to the chosen one and
 * then takes it off the others (two steps: a reader in between may see two
 * holders, and `getAlias` then names the newer).
 */
import { performance } from 'node:perf_hooks';
import type { ModelMetrics, ModelVersion, NewModelVersionInput } from '../../contracts/model';
import { NewModelVersion, Quarantine } from '../../contracts/model';
import { parseWith } from '../../contracts/parse';
import { NotFoundError, ValidationError } from '../../errors';
import type { ModelRegistry, RegistryPing } from '../../ports/model-registry';
import type { VertexVersionRow } from './vertex-book-versions';
import { rowOfVersion, VertexRegistryVersions } from './vertex-book-versions';
import type { VertexClients } from './vertex-clients';
import { GrpcStatus, hasGrpcCode, translateVertexError, vertexCall, vertexRead } from './vertex-errors';
import type { VertexLocation } from './vertex-names';
import {
  APP_FILTER,
  APP_LABEL_KEY,
  APP_LABEL_VALUE,
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
import {
  adoptedVersionFromVertex,
  describeQuarantine,
  hasVersionMetadata,
  metricsFromEvaluation,
  modelForUpload,
  modelVersionFromVertex,
} from './vertex-version-codec';
import type { ProtoValue } from './vertex-values';
import { fromProtoValue } from './vertex-values';

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
  private readonly versions: VertexRegistryVersions;

  constructor(options: VertexModelRegistryOptions) {
    this.where = { projectId: options.projectId, location: options.location };
    this.clients = options.clients;
    this.artifact = options.artifact ?? {};
    this.versions = new VertexRegistryVersions(options.clients, this.where);
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

  /**
   * ISBNs of the book Models: forecast-guard's (`app=forecast-guard`) and the
   * pipeline's (an `isbn` label and the display name `arima_book_<isbn>`).
   */
  async listModels(): Promise<string[]> {
    const [models] = await vertexCall('list models', () =>
      this.clients.model.listModels({
        parent: locationPath(this.where),
        filter: `labels.${ISBN_LABEL_KEY}:*`,
        readMask: { paths: ['name', 'display_name', 'labels'] },
      }),
    );
    const isbns = models.map((m) => {
      if (m.labels?.[APP_LABEL_KEY] === APP_LABEL_VALUE) {
        return isbnOfModelName(m.name ?? '') ?? m.labels?.[ISBN_LABEL_KEY];
      }
      const isbn = m.labels?.[ISBN_LABEL_KEY];
      return isbn !== undefined && m.displayName === modelIdFor(isbn) ? isbn : undefined;
    });
    return [...new Set(isbns.filter((isbn): isbn is string => typeof isbn === 'string'))].sort();
  }

  async listVersions(isbn: string): Promise<ModelVersion[]> {
    requireIsbn(isbn);
    const rows = await this.versions.rowsOf(isbn, true);
    return Promise.all(rows.map((row) => this.versionOf(isbn, row)));
  }

  async getVersion(isbn: string, version: string): Promise<ModelVersion | undefined> {
    requireIsbn(isbn);
    // Anything but a decimal id would make Vertex resolve an alias (`@production`) instead.
    if (!isVersionId(version)) return undefined;
    const rows = await this.rowsOrNone(isbn, true);
    const row = rowOfVersion(rows, version);
    return row && this.versionOf(isbn, row);
  }

  /** The version holding the alias; the newest when two of the book's Models hold it (mid-move). */
  async getAlias(isbn: string, alias: string): Promise<string | undefined> {
    requireIsbn(isbn);
    // A string Vertex would not take as an alias (a version id, say) names no alias here.
    if (typeof alias !== 'string' || !VERTEX_ALIAS.test(alias)) return undefined;
    const holders = (await this.rowsOrNone(isbn)).filter((r) => r.aliases.includes(alias));
    return holders[holders.length - 1]?.version;
  }

  /**
   * MergeVersionAliases `[alias]` on the version: within one Model Vertex
   * moves the alias off the version that had it, in one step; other Models of
   * the book that hold it lose it next.
   */
  async setAlias(isbn: string, alias: string, version: string): Promise<void> {
    requireIsbn(isbn);
    requireSettableAlias(alias);
    const rows = await this.rowsOrNone(isbn);
    const row = isVersionId(version) ? rowOfVersion(rows, version) : undefined;
    if (!row) throw this.noSuchVersion(isbn, version, rows);
    try {
      await this.clients.model.mergeVersionAliases({
        name: versionRef(row.model, row.versionId),
        versionAliases: [alias],
      });
    } catch (err) {
      if (hasGrpcCode(err, GrpcStatus.NOT_FOUND)) throw this.noSuchVersion(isbn, version, rows);
      throw translateVertexError(err, `set alias ${alias} of ${isbn} to ${version}`);
    }
    for (const other of rows) {
      if (other.model !== row.model && other.aliases.includes(alias)) await this.unalias(isbn, alias, other);
    }
  }

  /** Merges `-alias` into every version holding it; an alias not set is a no-op. */
  async deleteAlias(isbn: string, alias: string): Promise<void> {
    requireIsbn(isbn);
    requireSettableAlias(alias);
    for (const holder of (await this.rowsOrNone(isbn)).filter((r) => r.aliases.includes(alias))) {
      await this.unalias(isbn, alias, holder);
    }
  }

  /** UpdateModel on the version with mask `version_description`: the one field a version lets us change. */
  async setQuarantine(isbn: string, version: string, quarantine: Quarantine | undefined): Promise<void> {
    requireIsbn(isbn);
    const mark = quarantine === undefined ? undefined : parseQuarantine(quarantine);
    const rows = await this.rowsOrNone(isbn);
    const row = isVersionId(version) ? rowOfVersion(rows, version) : undefined;
    if (!row) throw this.noSuchVersion(isbn, version, rows);
    try {
      await this.clients.model.updateModel({
        model: {
          name: versionRef(row.model, row.versionId),
          versionDescription: describeQuarantine(mark),
        },
        updateMask: { paths: ['version_description'] },
      });
    } catch (err) {
      if (hasGrpcCode(err, GrpcStatus.NOT_FOUND)) throw this.noSuchVersion(isbn, version, rows);
      throw translateVertexError(err, `quarantine ${isbn} version ${version}`);
    }
  }

  private async unalias(isbn: string, alias: string, row: VertexVersionRow): Promise<void> {
    // NOT_FOUND here means the version went away meanwhile: the alias went with it.
    await vertexRead(`delete alias ${alias} of ${isbn}`, () =>
      this.clients.model.mergeVersionAliases({
        name: versionRef(row.model, row.versionId),
        versionAliases: [`-${alias}`],
      }),
    );
  }

  /** One row as a ModelVersion: our metadata when it has it, else what the pipeline's Model says. */
  private async versionOf(isbn: string, row: VertexVersionRow): Promise<ModelVersion> {
    const model = row.source ?? {};
    if (row.own || hasVersionMetadata(model))
      return { ...modelVersionFromVertex(model), isbn, version: row.version };
    return adoptedVersionFromVertex(model, isbn, row.version, await this.evaluated(row));
  }

  /** Metrics of a pipeline Model's evaluation (ListModelEvaluations), when it has one. */
  private async evaluated(row: VertexVersionRow): Promise<ModelMetrics | undefined> {
    try {
      const [evaluations] = await this.clients.model.listModelEvaluations(
        { parent: versionRef(row.model, row.versionId), pageSize: 1 },
        { autoPaginate: false },
      );
      return metricsFromEvaluation(fromProtoValue(evaluations[0]?.metrics as ProtoValue | undefined));
    } catch (err) {
      // A server (or a stand-in) without evaluations is a Model without them: labels may still say.
      if (hasGrpcCode(err, GrpcStatus.NOT_FOUND) || hasGrpcCode(err, GrpcStatus.UNIMPLEMENTED))
        return undefined;
      throw translateVertexError(err, `read evaluations of ${row.model}`);
    }
  }

  /** The book's rows; none (not an error) when it has no Model. */
  private async rowsOrNone(isbn: string, full = false): Promise<VertexVersionRow[]> {
    try {
      return await this.versions.rowsOf(isbn, full);
    } catch (err) {
      if (err instanceof NotFoundError) return [];
      throw err;
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
    // Our id is the Model's versionId unless the book also has pipeline Models (then its rank).
    const rows = await this.versions.rowsOf(parsed.isbn, true);
    const row = rows.find((r) => r.own && r.versionId === versionId);
    if (!row) {
      const [stored] = await vertexCall(`read back ${parsed.isbn} version ${versionId}`, () =>
        this.clients.model.getModel({ name: versionRef(name, versionId) }),
      );
      return modelVersionFromVertex(stored);
    }
    return this.versionOf(parsed.isbn, row);
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

  /** NotFoundError for a version the book does not have, listing the versions it has. */
  private noSuchVersion(isbn: string, version: string, rows: readonly VertexVersionRow[]): NotFoundError {
    const versions = [...new Set(rows.map((r) => r.version))].sort(byVersion);
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
