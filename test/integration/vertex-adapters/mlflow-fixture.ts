/**
 * An MLflow registry's version list for one book, as the MLflow adapter
 * reports it (version ids and creation times only: all that the
 * Vertex-Model → MLflow-version rule reads).
 */
import type { ModelVersion } from '../../../shared/contracts/model';
import { NotFoundError } from '../../../shared/errors';

export class VertexMlflowFixture {
  private readonly versions: Array<Pick<ModelVersion, 'isbn' | 'version' | 'createdAt' | 'aliases'>>;

  /** Versions `first`, `first + 1`, … created at `createdMs`. */
  constructor(
    private readonly isbn: string,
    createdMs: number[],
    first = 1,
  ) {
    this.versions = createdMs.map((ms, i) => ({
      isbn,
      version: String(first + i),
      createdAt: new Date(ms).toISOString(),
      aliases: [],
    }));
  }

  async listVersions(
    isbn: string,
  ): Promise<Array<Pick<ModelVersion, 'isbn' | 'version' | 'createdAt' | 'aliases'>>> {
    if (isbn !== this.isbn) throw new NotFoundError(`no model is registered for ISBN ${isbn}`);
    return this.versions;
  }
}
