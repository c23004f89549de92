/**
 * The in-memory model registry behind test/helpers/mlflow-server.ts: MLflow's
 * registry semantics for the endpoints MlflowModelRegistry uses, answering
 * the JSON shapes of test/fixtures/mlflow (proto field names, string
 * versions, unset and empty fields left out) and MLflow's error codes and
 * messages (mlflow/store/model_registry/sqlalchemy_store.py, mlflow/utils/validation.py).
 */
import {
  invalid,
  type Message,
  MlflowStoreError,
  optionalStr,
  orderBy,
  paginate,
  parseFilter,
  str,
} from './mlflow-server-params';

export { ERROR_STATUS, MlflowStoreError } from './mlflow-server-params';

export interface FakeVersion {
  name: string;
  version: number;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description?: string;
  source: string;
  runId?: string;
  status: 'READY' | 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION';
  tags: Map<string, string>;
}

/** A tracking-server run: what `runs/get` answers (mlflow/protos/service.proto `Run`). */
export interface FakeRun {
  runId: string;
  experimentId: string;
  runName?: string;
  status: 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED';
  startTime: number;
  endTime?: number;
  lifecycleStage: 'active' | 'deleted';
  /** Param values are strings, as `mlflow.log_params` stores them. */
  params: Map<string, string>;
  metrics: Map<string, number>;
  tags: Map<string, string>;
}

export interface FakeModel {
  name: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description?: string;
  tags: Map<string, string>;
  /** alias → version number. */
  aliases: Map<string, number>;
  versions: FakeVersion[];
}

export interface FakeStoreOptions {
  /** `number` like MLflow ≥ 2.x (default), `string` like older servers' plain MessageToJson. */
  int64As?: 'number' | 'string';
  /** Put `aliases` on search results (default true; some servers leave them out). */
  aliasesOnSearch?: boolean;
  /** MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH (default 5000, older servers). */
  maxTagValueLength?: number;
  /** Epoch ms for timestamps (default Date.now). */
  now?: () => number;
}

type Handler = (m: Message) => unknown;

const ALIAS_CHARS = /^[\w-]*$/;
const TAG_KEY_CHARS = /^[/\w.\- ]*$/;

/** MLflow's registry state and endpoint logic, without HTTP. */
export class FakeMlflowStore {
  readonly models = new Map<string, FakeModel>();
  /** Runs by id: the tracking store side `runs/get` reads. Tests add them with `addRun`. */
  readonly runs = new Map<string, FakeRun>();
  /** `"METHOD endpoint"` → handler: every route the server knows. */
  readonly routes: Record<string, Handler>;
  private readonly opts: Required<FakeStoreOptions>;

  constructor(options: FakeStoreOptions = {}) {
    this.opts = {
      int64As: options.int64As ?? 'number',
      aliasesOnSearch: options.aliasesOnSearch ?? true,
      maxTagValueLength: options.maxTagValueLength ?? 5000,
      now: options.now ?? Date.now,
    };
    this.routes = {
      'GET runs/get': (m) => ({ run: this.runJson(this.run(m)) }),
      'GET registered-models/get': (m) => ({ registered_model: this.modelJson(this.model(str(m, 'name'))) }),
      'POST registered-models/create': (m) => this.createModel(m),
      'GET registered-models/search': (m) => this.searchModels(m),
      'POST model-versions/create': (m) => this.createVersion(m),
      'GET model-versions/get': (m) => ({ model_version: this.versionJson(this.version(m), true) }),
      'GET model-versions/search': (m) => this.searchVersions(m),
      'POST model-versions/set-tag': (m) => this.setTag(m),
      'DELETE model-versions/delete-tag': (m) => this.deleteTag(m),
      'GET registered-models/alias': (m) => this.getAlias(m),
      'POST registered-models/alias': (m) => this.setAlias(m),
      'DELETE registered-models/alias': (m) => this.deleteAlias(m),
    };
  }

  /** Runs one endpoint; throws MlflowStoreError as MLflow would answer it. */
  handle(method: string, endpoint: string, message: Message): unknown {
    const handler = this.routes[`${method} ${endpoint}`];
    if (!handler) throw new MlflowStoreError('ENDPOINT_NOT_FOUND', `No route for ${method} ${endpoint}`);
    return handler(message);
  }

  /** Adds a run as a training script's `start_run` / `log_params` / `log_metrics` / `set_tags` leave it. */
  addRun(run: Omit<FakeRun, 'startTime' | 'lifecycleStage' | 'status'> & Partial<FakeRun>): FakeRun {
    const stored: FakeRun = {
      status: 'FINISHED',
      lifecycleStage: 'active',
      startTime: this.opts.now(),
      ...run,
    };
    this.runs.set(stored.runId, stored);
    return stored;
  }

  /**
   * `runs/get`: `run_id` is required (the deprecated `run_uuid` is read when it is
   * absent, as handlers._get_run does); an unknown id is 404 RESOURCE_DOES_NOT_EXIST
   * worded as sqlalchemy_store._get_run words it. A deleted run is still answered
   * (lifecycle_stage "deleted"): only `mlflow gc` removes it.
   */
  private run(m: Message): FakeRun {
    const id = m.run_id === undefined && m.run_uuid !== undefined ? str(m, 'run_uuid') : str(m, 'run_id');
    const run = this.runs.get(id);
    if (!run) throw new MlflowStoreError('RESOURCE_DOES_NOT_EXIST', `Run with id=${id} not found`);
    return run;
  }

  runJson(run: FakeRun): Message {
    return {
      info: dropEmpty({
        run_id: run.runId,
        run_uuid: run.runId,
        experiment_id: run.experimentId,
        run_name: run.runName,
        status: run.status,
        start_time: this.ts(run.startTime),
        end_time: run.endTime === undefined ? undefined : this.ts(run.endTime),
        lifecycle_stage: run.lifecycleStage,
      }),
      data: dropEmpty({
        metrics: [...run.metrics].map(([key, value]) => ({
          key,
          // protobuf's JSON mapping writes the doubles JSON cannot hold as "NaN", "Infinity", "-Infinity".
          value: Number.isFinite(value) ? value : String(value),
          timestamp: this.ts(run.startTime),
          step: this.ts(0),
        })),
        params: [...run.params].map(([key, value]) => ({ key, value })),
        tags: [...run.tags].map(([key, value]) => ({ key, value })),
      }),
    };
  }

  private createModel(m: Message) {
    const name = str(m, 'name');
    if (this.models.has(name)) {
      throw new MlflowStoreError(
        'RESOURCE_ALREADY_EXISTS',
        `Registered Model (name=${name}) already exists.`,
      );
    }
    const now = this.opts.now();
    const model: FakeModel = {
      name,
      creationTimestamp: now,
      lastUpdatedTimestamp: now,
      description: optionalStr(m, 'description'),
      tags: this.tags(m.tags),
      aliases: new Map(),
      versions: [],
    };
    this.models.set(name, model);
    return { registered_model: this.modelJson(model) };
  }

  private createVersion(m: Message) {
    const name = str(m, 'name');
    const source = str(m, 'source');
    const tags = this.tags(m.tags);
    const model = this.model(name);
    const now = this.opts.now();
    const version: FakeVersion = {
      name,
      version: model.versions.reduce((max, v) => Math.max(max, v.version), 0) + 1,
      creationTimestamp: now,
      lastUpdatedTimestamp: now,
      description: optionalStr(m, 'description'),
      source,
      runId: optionalStr(m, 'run_id'),
      status: 'READY',
      tags,
    };
    model.versions.push(version);
    model.lastUpdatedTimestamp = now;
    return { model_version: this.versionJson(version, true) };
  }

  private searchModels(m: Message) {
    const match = parseFilter(optionalStr(m, 'filter'), ['name']);
    const found = [...this.models.values()]
      .filter((model) => match({ name: model.name }))
      .sort(orderBy(m.order_by, { name: (x: FakeModel) => x.name }, ['name']));
    // mlflow/store/model_registry/__init__.py: SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT = 100,
    // SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD = 1000; above it, 400 INVALID_PARAMETER_VALUE.
    const page = paginate(found, m, 100, 1000);
    return dropEmpty({
      registered_models: page.items.map((x) => this.modelJson(x)),
      next_page_token: page.next,
    });
  }

  private searchVersions(m: Message) {
    const match = parseFilter(optionalStr(m, 'filter'), ['name', 'run_id']);
    const all = [...this.models.values()].flatMap((model) => model.versions);
    const found = all
      .filter((v) => match({ name: v.name, run_id: v.runId ?? '' }))
      // MLflow's default order is newest first: clients must sort for themselves.
      .sort(
        orderBy(
          m.order_by,
          {
            name: (v: FakeVersion) => v.name,
            version_number: (v: FakeVersion) => v.version,
            creation_timestamp: (v: FakeVersion) => v.creationTimestamp,
            last_updated_timestamp: (v: FakeVersion) => v.lastUpdatedTimestamp,
          },
          ['version_number DESC'],
        ),
      );
    // Same file: SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT = 10000, _THRESHOLD = 200_000 (Databricks
    // refuses above 10,000, which is why the adapter asks for 1,000 a page on both searches).
    const page = paginate(found, m, 10_000, 200_000);
    const json = page.items.map((v) => this.versionJson(v, this.opts.aliasesOnSearch));
    return dropEmpty({ model_versions: json, next_page_token: page.next });
  }

  private setTag(m: Message) {
    const version = this.version(m);
    const [key, value] = [str(m, 'key'), str(m, 'value', true)];
    this.checkTag(key, value);
    version.tags.set(key, value);
    return {};
  }

  private deleteTag(m: Message) {
    const version = this.version(m);
    // Deleting a tag that is not there is not an error (sqlalchemy_store.delete_model_version_tag).
    version.tags.delete(str(m, 'key'));
    return {};
  }

  private getAlias(m: Message) {
    const model = this.model(str(m, 'name'));
    const alias = str(m, 'alias');
    const number = model.aliases.get(alias);
    const version = model.versions.find((v) => v.version === number);
    if (!version)
      throw new MlflowStoreError('RESOURCE_DOES_NOT_EXIST', `Registered model alias ${alias} not found.`);
    return { model_version: this.versionJson(version, true) };
  }

  private setAlias(m: Message) {
    const alias = str(m, 'alias');
    checkAlias(alias);
    const version = this.version(m);
    this.model(version.name).aliases.set(alias, version.version);
    return {};
  }

  private deleteAlias(m: Message) {
    const model = this.model(str(m, 'name'));
    model.aliases.delete(str(m, 'alias'));
    return {};
  }

  private model(name: string): FakeModel {
    const model = this.models.get(name);
    if (!model)
      throw new MlflowStoreError('RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${name} not found`);
    return model;
  }

  private version(m: Message): FakeVersion {
    const name = str(m, 'name');
    const text = str(m, 'version');
    if (!/^-?[0-9]+$/.test(text)) {
      throw new MlflowStoreError(
        'INVALID_PARAMETER_VALUE',
        `Model version must be an integer, got '${text}'`,
      );
    }
    const found = this.models.get(name)?.versions.find((v) => v.version === Number(text));
    if (!found) {
      throw new MlflowStoreError(
        'RESOURCE_DOES_NOT_EXIST',
        `Model Version (name=${name}, version=${text}) not found`,
      );
    }
    return found;
  }

  private tags(raw: unknown): Map<string, string> {
    if (raw === undefined) return new Map();
    if (!Array.isArray(raw))
      throw invalid(`Invalid value ${JSON.stringify(raw)} for parameter 'tags' supplied.`);
    const tags = new Map<string, string>();
    for (const tag of raw as Message[]) {
      const [key, value] = [str(tag, 'key'), str(tag, 'value', true)];
      this.checkTag(key, value);
      tags.set(key, value);
    }
    return tags;
  }

  private checkTag(key: string, value: string): void {
    const norm = key
      .split('/')
      .filter((s) => s !== '' && s !== '.')
      .join('/');
    if (!TAG_KEY_CHARS.test(key) || norm !== key || key.split('/').includes('..')) {
      throw invalid(
        `Invalid tag name: '${key}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).`,
      );
    }
    if (key.length > 250)
      throw invalid(
        `Model version key '${key.slice(0, 250)}' had length ${key.length}, which exceeded length limit of 250`,
      );
    const limit = this.opts.maxTagValueLength;
    if ([...value].length > limit) {
      throw invalid(
        `Model version value '${value.slice(0, 250)}' had length ${value.length}, which exceeded length limit of ${limit}`,
      );
    }
  }

  private ts(ms: number): number | string {
    return this.opts.int64As === 'string' ? String(ms) : ms;
  }

  versionJson(v: FakeVersion, withAliases: boolean): Message {
    const aliases = [...(this.models.get(v.name)?.aliases ?? [])]
      .filter(([, n]) => n === v.version)
      .map(([a]) => a);
    return dropEmpty({
      name: v.name,
      version: String(v.version),
      creation_timestamp: this.ts(v.creationTimestamp),
      last_updated_timestamp: this.ts(v.lastUpdatedTimestamp),
      current_stage: 'None',
      description: v.description,
      source: v.source,
      run_id: v.runId,
      status: v.status,
      tags: [...v.tags].map(([key, value]) => ({ key, value })),
      aliases: withAliases ? aliases : [],
    });
  }

  modelJson(model: FakeModel): Message {
    const ready = model.versions.filter((v) => v.status === 'READY');
    const latest = ready.reduce<FakeVersion | undefined>(
      (a, v) => (!a || v.version > a.version ? v : a),
      undefined,
    );
    return dropEmpty({
      name: model.name,
      creation_timestamp: this.ts(model.creationTimestamp),
      last_updated_timestamp: this.ts(model.lastUpdatedTimestamp),
      description: model.description,
      latest_versions: latest ? [this.versionJson(latest, true)] : [],
      tags: [...model.tags].map(([key, value]) => ({ key, value })),
      aliases: [...model.aliases].map(([alias, version]) => ({ alias, version: String(version) })),
    });
  }
}

/** mlflow/utils/validation.py `_validate_model_alias_name`. */
function checkAlias(alias: string): void {
  if (!ALIAS_CHARS.test(alias)) {
    throw invalid(
      `Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`,
    );
  }
  if (alias.length > 255)
    throw invalid(
      `Registered model alias name '${alias.slice(0, 250)}' had length ${alias.length}, which exceeded length limit of 255`,
    );
  if (alias.toLowerCase() === 'latest') throw invalid("'latest' alias name (case insensitive) is reserved.");
  if (/^[vV]\d+$/.test(alias)) throw invalid(`Version alias name '${alias}' is reserved.`);
}

/** proto2 JSON: unset fields and empty repeated fields are left out. */
function dropEmpty(obj: Message): Message {
  return Object.fromEntries(
    Object.entries(obj).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)),
  );
}
