/**
 * MlflowModelRegistry: the ModelRegistry on an MLflow tracking server (REST API 2.0).
 *
 * Mapping:
 * - one registered model per book, named `arima_book_<ISBN>` (the training
 *   pipeline's names); `listModels` = `registered-models/search` with
 *   `name LIKE 'arima_book_%'`, every page;
 * - a version is an MLflow model version (ids are MLflow's: decimal strings,
 *   assigned by the server, so racing registrations never share one);
 *   `listVersions` = `registered-models/get` (unknown book → NotFoundError,
 *   and its `aliases[{alias, version}]`) plus `model-versions/search` with
 *   `name='arima_book_<ISBN>'`, every page, sorted by numeric version;
 * - metrics, params, lineage, labels, the quarantine mark and the stored
 *   forecast (the artifact) are model-version tags: see mlflow-tags.ts for the
 *   names and how a forecast longer than MLflow's tag cap is split;
 *   `createdAt` is the registration's own, else MLflow's `creation_timestamp`;
 * - versions without the `fg.schema` tag were registered by the publisher's
 *   pipeline: they are read from their run (`runs/get`, one call per run,
 *   cached) as mlflow-pipeline.ts says, and are listed and usable like any
 *   other; one whose run is gone or logged no metrics is listed with
 *   `fg.metrics=missing` (shared/domain/version-origin.ts), never failing the
 *   listing. Versions not READY are left out of listings;
 * - writes to a pipeline's version (alias, quarantine) use MLflow aliases and
 *   forecast-guard's own `fg.quarantine` tag: the pipeline's tags are never touched;
 * - `getAlias` / `setAlias` / `deleteAlias` = `registered-models/alias` GET / POST / DELETE
 *   (moving an alias is one POST); `setQuarantine` = `model-versions/set-tag` / `delete-tag`;
 * - `registerVersion` = `registered-models/create` the first time a book is
 *   seen (RESOURCE_ALREADY_EXISTS is fine), then `model-versions/create` with
 *   every tag at once, so a version is never visible half-written. Its
 *   `source` is `forecast-guard://tags/<model name>` (the artifact is in the tags);
 *   `pipelineRunId` is a tag, not `run_id`: a Vertex run is not an MLflow run,
 *   and servers check `run_id` against their own runs;
 * - `ping` = `GET /health` (plain `OK`) plus a one-result search, timed.
 */
import { performance } from 'node:perf_hooks';
import type { ModelVersion, NewModelVersionInput, StoredForecast } from '../../contracts/model';
import { NewModelVersion, Quarantine } from '../../contracts/model';
import { isValidIsbn13 } from '../../domain/isbn';
import { describeError, NotFoundError, ValidationError } from '../../errors';
import type { ModelRegistry, RegistryPing } from '../../ports/model-registry';
import { MlflowClient, type MlflowClientOptions } from './mlflow-client';
import { mlflowErrorCode, unexpectedBody } from './mlflow-errors';
import {
  byVersion,
  checkAlias,
  describeVersions,
  isSettableAlias,
  isVersionId,
  parseField,
  requireIsbn,
} from './mlflow-input';
import {
  DEFAULT_PIPELINE_TRAIN_START,
  pipelineVersion,
  type RunLookup,
  trainStartSaturday,
} from './mlflow-pipeline';
import type { MlflowModelVersion } from './mlflow-schemas';
import {
  aliasesByVersion,
  asciiJson,
  DEFAULT_TAG_VALUE_LIMIT,
  readForecast,
  TAG,
  toModelVersion,
  versionTags,
} from './mlflow-tags';

/** Registered-model names are this prefix and the ISBN-13. */
export const MLFLOW_MODEL_PREFIX = 'arima_book_';
/** `registered-models/search` answers at most 1,000 per page. */
export const DEFAULT_MLFLOW_PAGE_SIZE = 1000;
/** Runs read at once while decoding one book's versions. */
const RUN_READS_IN_FLIGHT = 8;
/** Runs remembered per process (a run's metrics and params do not change once it registered a version). */
const RUN_CACHE_LIMIT = 20_000;

export interface MlflowModelRegistryOptions extends MlflowClientOptions {
  /** `max_results` of each search page (default DEFAULT_MLFLOW_PAGE_SIZE). */
  pageSize?: number;
  /** The server's tag value cap (default 5,000, the older servers' cap; newer ones allow 8,000). */
  maxTagValueLength?: number;
  /** Registered-model name prefix (default MLFLOW_MODEL_PREFIX). */
  modelNamePrefix?: string;
  /**
   * First week of the pipeline's training window (FG_PIPELINE_TRAIN_START;
   * default DEFAULT_PIPELINE_TRAIN_START): a pipeline version's
   * `trainedThrough` is `train_length` weeks from here. Not a Saturday → the
   * Saturday after (the week ending it).
   */
  pipelineTrainStart?: string;
}

/** ModelRegistry over MLflow's REST API; see the file comment for the mapping. */
export class MlflowModelRegistry implements ModelRegistry {
  readonly client: MlflowClient;
  private readonly pageSize: number;
  private readonly tagLimit: number;
  private readonly prefix: string;
  /** Registered models known to exist (or being created), so each book costs one create call per process. */
  private readonly knownModels = new Map<string, Promise<void>>();
  /** Runs of pipeline versions by run id: one `runs/get` per run per process. */
  private readonly runs = new Map<string, Promise<RunLookup>>();
  private readonly trainStart: string;

  constructor(options: MlflowModelRegistryOptions) {
    this.client = new MlflowClient(options);
    this.pageSize = options.pageSize ?? DEFAULT_MLFLOW_PAGE_SIZE;
    this.tagLimit = options.maxTagValueLength ?? DEFAULT_TAG_VALUE_LIMIT;
    this.prefix = options.modelNamePrefix ?? MLFLOW_MODEL_PREFIX;
    this.trainStart = trainStartSaturday(options.pipelineTrainStart ?? DEFAULT_PIPELINE_TRAIN_START);
  }

  /** The MLflow registered-model name of a book. */
  modelName(isbn: string): string {
    return `${this.prefix}${isbn}`;
  }

  async ping(): Promise<RegistryPing> {
    // A monotonic timer: this measures a duration, it does not read the time of day.
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    try {
      const health = (await this.client.health()).trim();
      if (health !== 'OK') {
        return {
          ok: false,
          latencyMs: elapsed(),
          detail: `MLflow /health answered ${asciiJson(health.slice(0, 40))}`,
        };
      }
      await this.client.searchRegisteredModels({ filter: this.modelsFilter(), maxResults: 1 });
      return { ok: true, latencyMs: elapsed(), detail: `MLflow at ${this.client.baseUrl}` };
    } catch (err) {
      return { ok: false, latencyMs: elapsed(), detail: describeError(err) };
    }
  }

  async listModels(): Promise<string[]> {
    const models = await this.client.searchAllRegisteredModels(this.modelsFilter(), this.pageSize);
    // LIKE's '_' matches any character: keep exact prefixes followed by a real ISBN only.
    const isbns = models
      .map((m) => m.name)
      .filter((name) => name.startsWith(this.prefix))
      .map((name) => name.slice(this.prefix.length))
      .filter(isValidIsbn13);
    return [...new Set(isbns)].sort();
  }

  async listVersions(isbn: string): Promise<ModelVersion[]> {
    requireIsbn(isbn);
    const name = this.modelName(isbn);
    const [model, found] = await Promise.all([
      this.client.getRegisteredModel(name).catch((err: unknown) => {
        // The message names only the ISBN asked for: a fleet may hold thousands of others.
        if (err instanceof NotFoundError)
          throw new NotFoundError(`no model is registered for ISBN ${isbn}`, { cause: err });
        throw err;
      }),
      this.client.searchAllModelVersions(this.versionsFilter(name), this.pageSize),
    ]);
    const aliases = aliasesByVersion(model, found);
    const decoded = await decodeAll(found, (mv) => this.decode(isbn, mv, aliases.get(mv.version) ?? []));
    return decoded
      .filter((v): v is ModelVersion => v !== undefined)
      .sort((a, b) => byVersion(a.version, b.version));
  }

  async getVersion(isbn: string, version: string): Promise<ModelVersion | undefined> {
    requireIsbn(isbn);
    if (!isVersionId(version)) return undefined;
    const mv = await this.readVersion(isbn, version);
    return mv && (await this.decode(isbn, mv, mv.aliases));
  }

  async getAlias(isbn: string, alias: string): Promise<string | undefined> {
    requireIsbn(isbn);
    // An alias that can never be set points at nothing; MLflow would answer 400 for some of them.
    if (!isSettableAlias(alias)) return undefined;
    try {
      return (await this.client.getModelVersionByAlias(this.modelName(isbn), alias)).version;
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  async setAlias(isbn: string, alias: string, version: string): Promise<void> {
    requireIsbn(isbn);
    checkAlias(alias);
    if (!isVersionId(version)) throw await this.versionNotFound(isbn, version);
    try {
      await this.client.setRegisteredModelAlias(this.modelName(isbn), alias, version);
    } catch (err) {
      if (err instanceof NotFoundError) throw await this.versionNotFound(isbn, version, err);
      throw err;
    }
  }

  async deleteAlias(isbn: string, alias: string): Promise<void> {
    requireIsbn(isbn);
    checkAlias(alias);
    try {
      await this.client.deleteRegisteredModelAlias(this.modelName(isbn), alias);
    } catch (err) {
      // No such book means no such alias: a retried rollback step stays harmless.
      if (err instanceof NotFoundError) return;
      throw err;
    }
  }

  async setQuarantine(isbn: string, version: string, quarantine: Quarantine | undefined): Promise<void> {
    requireIsbn(isbn);
    const mark = quarantine === undefined ? undefined : parseField(Quarantine, quarantine, 'quarantine');
    const text = mark === undefined ? undefined : asciiJson(mark);
    // One tag, one call: a mark is never seen half-written. It must fit MLflow's cap.
    if (text !== undefined && text.length > this.tagLimit) {
      throw new ValidationError(
        `quarantine: must fit one MLflow tag (${text.length} characters as JSON, at most ${this.tagLimit}); shorten the reason`,
        ['quarantine.reason'],
      );
    }
    if (!isVersionId(version)) throw await this.versionNotFound(isbn, version);
    const name = this.modelName(isbn);
    try {
      if (text === undefined) await this.client.deleteModelVersionTag(name, version, TAG.quarantine);
      else await this.client.setModelVersionTag(name, version, TAG.quarantine, text);
    } catch (err) {
      if (err instanceof NotFoundError) throw await this.versionNotFound(isbn, version, err);
      throw err;
    }
  }

  async registerVersion(input: NewModelVersionInput): Promise<ModelVersion> {
    const parsed = parseField(NewModelVersion, input, '');
    const tags = versionTags(parsed, this.tagLimit);
    const name = this.modelName(parsed.isbn);
    const create = () =>
      this.client.createModelVersion({
        name,
        source: `forecast-guard://tags/${name}`,
        tags,
        description: `ARIMA weekly sales forecast for ISBN ${parsed.isbn}, trained through ${parsed.trainedThrough}`,
      });
    await this.ensureModel(name, parsed.isbn);
    let mv: MlflowModelVersion;
    try {
      mv = await create();
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      // The registered model was deleted behind our back: create it again, once.
      this.knownModels.delete(name);
      await this.ensureModel(name, parsed.isbn);
      mv = await create();
    }
    // Some servers answer a create without its tags: read the version back then. The status is not
    // judged here: the version exists either way, and listings show it once the server says READY.
    const registered =
      toModelVersion(parsed.isbn, mv, []) ??
      toModelVersion(parsed.isbn, await this.client.getModelVersion(name, mv.version), []);
    if (!registered) {
      throw unexpectedBody(
        { method: 'POST', endpoint: 'model-versions/create', redact: (t) => this.client.redact(t) },
        `version ${mv.version} came back without its forecast-guard tags`,
      );
    }
    return registered;
  }

  /** The stored forecast (artifact) of a version, for serving. Unknown version → NotFoundError. */
  async getForecast(isbn: string, version: string): Promise<StoredForecast> {
    requireIsbn(isbn);
    const mv = isVersionId(version) ? await this.readVersion(isbn, version) : undefined;
    if (!mv) throw await this.versionNotFound(isbn, version);
    const forecast = readForecast(mv);
    if (!forecast) {
      throw new NotFoundError(
        `ISBN ${isbn} version ${version} has no stored forecast (not registered by forecast-guard)`,
      );
    }
    return forecast;
  }

  private modelsFilter(): string {
    return `name LIKE '${this.prefix}%'`;
  }

  private versionsFilter(name: string): string {
    return `name='${name}'`;
  }

  /** The MLflow version, or undefined when the book or version does not exist. */
  private async readVersion(isbn: string, version: string): Promise<MlflowModelVersion | undefined> {
    try {
      return await this.client.getModelVersion(this.modelName(isbn), version);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  private async decode(
    isbn: string,
    mv: MlflowModelVersion,
    aliases: readonly string[],
  ): Promise<ModelVersion | undefined> {
    if (mv.status !== undefined && mv.status !== 'READY') return undefined;
    if (mv.tags.some((t) => t.key === TAG.schema)) return toModelVersion(isbn, mv, aliases);
    return pipelineVersion(isbn, mv, aliases, await this.readRun(mv.run_id), this.trainStart);
  }

  /**
   * A pipeline version's run, cached per run id. A run that does not exist is
   * an answer (cached, labelled missing); any other failure (server down) is
   * thrown and not cached, so the next read tries again.
   */
  private readRun(runId: string | undefined): Promise<RunLookup> {
    if (!runId) return Promise.resolve({ missing: 'registered without a run (no run_id)' });
    let pending = this.runs.get(runId);
    if (!pending) {
      pending = this.client.getRun(runId).then(
        (run): RunLookup => ({ run }),
        (err: unknown): RunLookup => {
          if (err instanceof NotFoundError) return { missing: `run ${runId} does not exist` };
          this.runs.delete(runId);
          throw err;
        },
      );
      // A Map keeps insertion order: the oldest entry goes first.
      if (this.runs.size >= RUN_CACHE_LIMIT) this.runs.delete(this.runs.keys().next().value!);
      this.runs.set(runId, pending);
    }
    return pending;
  }

  private async ensureModel(name: string, isbn: string): Promise<void> {
    let pending = this.knownModels.get(name);
    if (!pending) {
      // Racing registrations of a new book share one create call.
      pending = this.client
        .createRegisteredModel(name, `ARIMA weekly sales model for ISBN ${isbn} (forecast-guard)`)
        .then(
          () => undefined,
          (err: unknown) => {
            if (mlflowErrorCode(err) === 'RESOURCE_ALREADY_EXISTS') return;
            this.knownModels.delete(name);
            throw err;
          },
        );
      this.knownModels.set(name, pending);
    }
    await pending;
  }

  /** NotFoundError for a missing book or version, listing the versions there are. */
  private async versionNotFound(isbn: string, version: string, cause?: unknown): Promise<NotFoundError> {
    const name = this.modelName(isbn);
    try {
      await this.client.getRegisteredModel(name);
    } catch (err) {
      if (err instanceof NotFoundError)
        return new NotFoundError(`no model is registered for ISBN ${isbn}`, { cause });
      throw err;
    }
    const ids = (await this.client.searchAllModelVersions(this.versionsFilter(name), this.pageSize))
      .map((mv) => mv.version)
      .sort(byVersion);
    return new NotFoundError(
      `ISBN ${isbn} has no version "${version}" (versions: ${describeVersions(ids)})`,
      {
        cause,
      },
    );
  }
}

/** `decode` over one book's versions, at most RUN_READS_IN_FLIGHT at once, in input order. */
async function decodeAll<T>(
  versions: readonly MlflowModelVersion[],
  decode: (mv: MlflowModelVersion) => Promise<T>,
): Promise<T[]> {
  const out = new Array<T>(versions.length);
  let next = 0;
  const worker = async () => {
    while (next < versions.length) {
      const i = next++;
      out[i] = await decode(versions[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(RUN_READS_IN_FLIGHT, versions.length) }, worker));
  return out;
}
