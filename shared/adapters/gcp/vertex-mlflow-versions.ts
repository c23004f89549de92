/**
 * FG_REGISTRY=mlflow with serving on Vertex AI: which MLflow version does a
 * Vertex Model serve?
 *
 * The publisher's pipeline registers `arima_book_<ISBN>` in MLflow, then
 * uploads `gs://…/models/arima_book_<ISBN>/latest` as a new Vertex Model.
 * Nothing on the Model names the MLflow version, so the rule is:
 *
 *   a Vertex Model serves the NEWEST MLflow version created at or before
 *   the Model's createTime, unless the Model carries a label
 *   `mlflow_version=<n>`, which wins.
 *
 * A Model older than every MLflow version maps to none and is left out
 * (nothing can be attributed to it). Several Models may map to one MLflow
 * version (a re-upload); deploying that version deploys the newest of them.
 */
import type { ModelVersion } from '../../contracts/model';
import { NotFoundError } from '../../errors';
import type { ModelRegistry } from '../../ports/model-registry';
import type { VertexVersionResolver, VertexVersionRow } from './vertex-book-versions';
import { listBookModelVersions } from './vertex-book-versions';
import type { VertexClients } from './vertex-clients';
import type { VertexLocation } from './vertex-names';
import { isVersionId, withoutVersion } from './vertex-names';
import { timestampToIso } from './vertex-values';
import type { VertexModel } from './vertex-version-codec';

/** The label that names the MLflow version a Vertex Model was uploaded from, when the uploader sets it. */
export const MLFLOW_VERSION_LABEL = 'mlflow_version';

/** The MLflow version a Vertex Model serves, by the rule above; undefined when none fits. */
export function mlflowVersionFor(
  model: Pick<VertexModel, 'labels' | 'createTime' | 'versionCreateTime'>,
  versions: readonly Pick<ModelVersion, 'version' | 'createdAt'>[],
): string | undefined {
  const labelled = model.labels?.[MLFLOW_VERSION_LABEL];
  if (labelled !== undefined && isVersionId(labelled) && versions.some((v) => v.version === labelled)) {
    return labelled;
  }
  const created = Date.parse(timestampToIso(model.versionCreateTime ?? model.createTime) ?? '');
  if (Number.isNaN(created)) return undefined;
  let best: Pick<ModelVersion, 'version' | 'createdAt'> | undefined;
  for (const v of versions) {
    const at = Date.parse(v.createdAt);
    if (at > created) continue;
    if (
      !best ||
      at > Date.parse(best.createdAt) ||
      (at === Date.parse(best.createdAt) && Number(v.version) > Number(best.version))
    ) {
      best = v;
    }
  }
  return best?.version;
}

/** Rows whose version ids are MLflow's, for the serving target. */
export class MlflowVertexVersions implements VertexVersionResolver {
  constructor(
    private readonly clients: Pick<VertexClients, 'model'>,
    private readonly where: VertexLocation,
    private readonly registry: Pick<ModelRegistry, 'listVersions'>,
  ) {}

  async rowsOf(isbn: string): Promise<VertexVersionRow[]> {
    const [models, versions] = await Promise.all([
      listBookModelVersions(this.clients, this.where, isbn, ['labels']),
      this.registry.listVersions(isbn),
    ]);
    const rows: VertexVersionRow[] = [];
    for (const model of models) {
      const version = mlflowVersionFor(model, versions);
      if (version === undefined) continue;
      rows.push({
        version,
        model: withoutVersion(model.name ?? ''),
        versionId: String(model.versionId ?? ''),
        createTime: timestampToIso(model.versionCreateTime ?? model.createTime) ?? '',
        aliases: versions.find((v) => v.version === version)?.aliases ?? [],
        own: false,
      });
    }
    if (rows.length === 0) {
      throw new NotFoundError(
        `ISBN ${isbn} has no Vertex AI Model (display name arima_book_${isbn}) created after one of its MLflow versions`,
      );
    }
    return rows.sort(
      (a, b) => Number(a.version) - Number(b.version) || Date.parse(a.createTime) - Date.parse(b.createTime),
    );
  }
}
