/**
 * Registers model versions in the MLflow stand-in exactly as the publisher's
 * training pipeline does (test/fixtures/gcp-formats/9-publisher-pipeline:
 * mlflow.run.json and mlflow.model-version.json): a nested per-book run with
 * string params, `mae`/`rmse`/`mape` metrics and its tags, then
 * `arima_book_<ISBN>` version with the four version tags, `run_id` set, no
 * alias, no `fg.*` tag. The run and the version are copies of the fixtures'
 * with the book's values put in, so the stand-in fleet has the fixtures' shape.
 */
import { createHash } from 'node:crypto';
import { loadFixture } from './gcp-fixtures';
import type { FakeMlflowStore } from './mlflow-server-store';

interface RunFixture {
  response: {
    body: {
      run: {
        info: { experiment_id: string };
        data: {
          metrics: Array<{ key: string; value: number }>;
          params: Array<{ key: string; value: string }>;
          tags: Array<{ key: string; value: string }>;
        };
      };
    };
  };
}
interface VersionFixture {
  response: { body: { model_versions: Array<{ tags: Array<{ key: string; value: string }> }> } };
}

export interface PipelineVersionSpec {
  isbn: string;
  title?: string;
  /** Run metrics; `null` for a run that logged none (the key is left out). Default the fixture's. */
  metrics?: { rmse?: number; mape?: number; mae?: number } | null;
  /** Weeks of training data (`train_length`, default the fixture's 620). */
  trainLength?: number;
  /** `false`: registered from a local file without a run (their log_model fallback). */
  withRun?: boolean;
}

/** What was registered: the version id and its run id (when it has one). */
export interface RegisteredPipelineVersion {
  isbn: string;
  version: string;
  runId?: string;
}

/** Registers one version of one book the pipeline's way, straight into the stand-in's store. */
export function registerLikePipeline(
  store: FakeMlflowStore,
  spec: PipelineVersionSpec,
): RegisteredPipelineVersion {
  const runFixture = loadFixture<RunFixture>('9-publisher-pipeline/mlflow.run.json').response.body.run;
  const versionFixture = loadFixture<VersionFixture>('9-publisher-pipeline/mlflow.model-version.json');
  const title = spec.title ?? `Book ${spec.isbn}`;
  const name = `arima_book_${spec.isbn}`;
  if (!store.models.has(name)) store.handle('POST', 'registered-models/create', { name });
  const nth = (store.models.get(name)?.versions.length ?? 0) + 1;
  // Run ids are 32 hex digits, as MLflow's uuid4().hex.
  const runId = createHash('md5').update(`${name}/${nth}`).digest('hex');

  if (spec.withRun !== false) {
    const byBook = (key: string, value: string) =>
      key === 'isbn' ? spec.isbn : key === 'title' ? title : value;
    const params = new Map(runFixture.data.params.map((p) => [p.key, byBook(p.key, p.value)]));
    if (spec.trainLength !== undefined) params.set('train_length', String(spec.trainLength));
    params.set('registered_model_version', String(nth));
    const metrics = new Map(runFixture.data.metrics.map((m) => [m.key, m.value]));
    if (spec.metrics === null) metrics.clear();
    else for (const [key, value] of Object.entries(spec.metrics ?? {})) metrics.set(key, value);
    store.addRun({
      runId,
      experimentId: runFixture.info.experiment_id,
      runName: `book_${spec.isbn}_${title.replace(/[ ,'.]/g, '').slice(0, 15)}_143052`,
      params,
      metrics,
      tags: new Map(runFixture.data.tags.map((t) => [t.key, byBook(t.key, t.value)])),
    });
  }
  const tags = versionFixture.response.body.model_versions[0]!.tags.map((t) => ({
    key: t.key,
    value: t.key === 'book_isbn' ? spec.isbn : t.key === 'book_title' ? title : t.value,
  }));
  const created = store.handle('POST', 'model-versions/create', {
    name,
    source:
      spec.withRun === false
        ? `file:///home/trainer/book_sales_deployment/outputs/models/arima/${name}`
        : `mlflow-artifacts:/7/${runId}/artifacts/model`,
    ...(spec.withRun === false ? {} : { run_id: runId }),
    tags,
  }) as { model_version: { version: string } };
  return {
    isbn: spec.isbn,
    version: created.model_version.version,
    ...(spec.withRun === false ? {} : { runId }),
  };
}
