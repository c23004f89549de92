/**
 * A book's versions on Vertex AI, whichever way they were uploaded:
 *
 * - forecast-guard's own: ONE Model with id `arima_book_<isbn>` and versions
 *   1, 2, 3 … (UploadModel with `parent_model`);
 * - the publisher's pipeline: a NEW Model every run (UploadModel without
 *   `parent_model`), each with a generated numeric id, versionId "1" and the
 *   display name `arima_book_<isbn>` (fixture 9-publisher-pipeline/vertex.model.json).
 *
 * Version numbering (the port wants decimal ids increasing per ISBN):
 * - When every version of the book sits in one Model, our version id IS that
 *   Model's Vertex versionId (unchanged from before).
 * - When several Models share the display name, every (Model, versionId) of
 *   the book is ranked by its creation time (then Model name, then
 *   versionId), and the rank, from 1, is our version id. A pipeline book's
 *   first Model is therefore "1" before and after its second upload, and a new
 *   upload always takes the next number. The Model behind each version is
 *   kept in its labels (`vertex_model`) and in `Deployment.model`.
 * - Deleting a Model renumbers the versions created after it (ranks close
 *   up): documents that named the old numbers then name other versions.
 *   Vertex refuses to delete a Model that is deployed, so what serves keeps
 *   its Model; the README says to retire old Models by undeploying them, not
 *   by deleting them, and `vertex_model` on every version lets a reader
 *   check which Model a number meant.
 */
import { NotFoundError } from '../../errors';
import type { VertexClients } from './vertex-clients';
import { GrpcStatus, hasGrpcCode, translateVertexError, vertexCall } from './vertex-errors';
import type { VertexLocation } from './vertex-names';
import { byVersion, locationPath, modelIdFor, modelIdOf, withoutVersion } from './vertex-names';
import { timestampToIso } from './vertex-values';
import type { VertexModel } from './vertex-version-codec';

/** One version of a book and the Vertex Model version that holds it. */
export interface VertexVersionRow {
  /** Our version id. */
  version: string;
  /** The Model's resource name, without `@version`. */
  model: string;
  /** The Model's own versionId ("1" for every pipeline upload). */
  versionId: string;
  /** Creation time of the Model version (ISO), the ranking key. */
  createTime: string;
  aliases: string[];
  /** True for a Model forecast-guard registered (id `arima_book_<isbn>`). */
  own: boolean;
  /** The Model version as listed (only the fields the listing read). */
  source?: VertexModel;
}

/** Maps a book's versions to Vertex Model versions; the serving target works with any registry through it. */
export interface VertexVersionResolver {
  /** The book's versions, oldest first. NotFoundError when it has none. */
  rowsOf(isbn: string): Promise<VertexVersionRow[]>;
}

/** Fields a listing reads: never `metadata`, which holds a stored forecast. */
const ROW_FIELDS = ['name', 'version_id', 'version_create_time', 'create_time', 'version_aliases'];

/** The ListModels filter for a book's Models: forecast-guard's and the pipeline's share the display name. */
export function bookModelFilter(isbn: string): string {
  return `display_name="${modelIdFor(isbn)}"`;
}

/** The Model versions of one book, unranked: each Model's versions from ListModelVersions. */
export async function listBookModelVersions(
  clients: Pick<VertexClients, 'model'>,
  where: VertexLocation,
  isbn: string,
  extraFields: readonly string[] | 'all' = [],
): Promise<VertexModel[]> {
  const [models] = await vertexCall(`list models of ${isbn}`, () =>
    clients.model.listModels({
      parent: locationPath(where),
      filter: bookModelFilter(isbn),
      readMask: { paths: ['name'] },
    }),
  );
  const out: VertexModel[] = [];
  for (const model of models) {
    const name = withoutVersion(model.name ?? '');
    try {
      const [versions] = await clients.model.listModelVersions({
        name,
        ...(extraFields === 'all' ? {} : { readMask: { paths: [...ROW_FIELDS, ...extraFields] } }),
      });
      out.push(...versions.map((v) => ({ ...v, name })));
    } catch (err) {
      // Deleted between the two listings: it holds no version any more.
      if (hasGrpcCode(err, GrpcStatus.NOT_FOUND)) continue;
      throw translateVertexError(err, `list versions of ${name}`);
    }
  }
  return out;
}

/** Numbers a book's Model versions (see the rule above). */
export function rankVersions(isbn: string, models: readonly VertexModel[]): VertexVersionRow[] {
  const ownId = modelIdFor(isbn);
  const rows = models.map((m) => {
    const model = withoutVersion(m.name ?? '');
    return {
      version: '',
      model,
      versionId: String(m.versionId ?? ''),
      createTime: timestampToIso(m.versionCreateTime ?? m.createTime) ?? '',
      aliases: [...(m.versionAliases ?? [])].sort(),
      own: modelIdOf(model) === ownId,
      source: m,
    };
  });
  const oneModel = new Set(rows.map((r) => r.model)).size <= 1;
  if (oneModel) {
    rows.sort((a, b) => byVersion(a.versionId, b.versionId));
    for (const row of rows) row.version = row.versionId;
    return rows;
  }
  rows.sort(
    (a, b) =>
      Date.parse(a.createTime) - Date.parse(b.createTime) ||
      a.model.localeCompare(b.model) ||
      byVersion(a.versionId, b.versionId),
  );
  rows.forEach((row, index) => (row.version = String(index + 1)));
  return rows;
}

/** The resolver for the Vertex Model Registry: display-name twins ranked as above. */
export class VertexRegistryVersions implements VertexVersionResolver {
  constructor(
    private readonly clients: Pick<VertexClients, 'model'>,
    private readonly where: VertexLocation,
  ) {}

  /** `full` reads every field (metadata included): what the registry needs to build ModelVersions. */
  async rowsOf(isbn: string, full = false): Promise<VertexVersionRow[]> {
    const rows = rankVersions(
      isbn,
      await listBookModelVersions(this.clients, this.where, isbn, full ? 'all' : []),
    );
    if (rows.length === 0) throw new NotFoundError(`no model is registered for ISBN ${isbn}`);
    return rows;
  }
}

/** The row of a version; the newest Model holding it when several do (an MLflow version uploaded twice). */
export function rowOfVersion(
  rows: readonly VertexVersionRow[],
  version: string,
): VertexVersionRow | undefined {
  let found: VertexVersionRow | undefined;
  for (const row of rows) if (row.version === version) found = row;
  return found;
}

/** The row a deployed Model version belongs to; Model names are compared by id (Vertex returns project numbers). */
export function rowOfDeployed(
  rows: readonly VertexVersionRow[],
  model: string,
  versionId: string,
): VertexVersionRow | undefined {
  const id = modelIdOf(withoutVersion(model));
  return rows.find((r) => modelIdOf(r.model) === id && r.versionId === versionId);
}
