/**
 * SqliteModelRegistry: the embedded ModelRegistry on the fleet database.
 * Version ids are "1", "2", … per ISBN, assigned under SQLite's write lock so
 * two processes registering at once still get distinct ids. Each version's
 * stored forecast is its artifact: SqliteServingTarget answers from it.
 */
import { performance } from 'node:perf_hooks';
import type { ModelMetrics, ModelVersion, NewModelVersionInput } from '../../contracts/model';
import { NewModelVersion, Quarantine, StoredForecast } from '../../contracts/model';
import { NotFoundError, ValidationError } from '../../errors';
import type { Clock } from '../../ports/clock';
import type { ModelRegistry, RegistryPing } from '../../ports/model-registry';
import { parseInput, readJson, requireIsbn, withSqlite } from './fleet-db';
import type { SqliteDatabase } from './sqlite';

/** Aliases both Vertex AI and MLflow accept: a lowercase letter, then lowercase letters, digits and '-'. */
const ALIAS_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
/** How many version ids a "no such version" message lists before eliding. */
const VERSIONS_LISTED = 20;

interface VersionRow {
  isbn: string;
  version: number;
  created_at: string;
  metrics: string;
  params: string;
  data_hash: string;
  trained_through: string;
  pipeline_run_id: string | null;
  labels: string;
  quarantine: string | null;
}

export interface SqliteModelRegistryOptions {
  /** Stamps `createdAt` when a registration leaves it out. */
  clock: Clock;
}

/** ModelRegistry on the embedded fleet database (see fleet-db.ts). */
export class SqliteModelRegistry implements ModelRegistry {
  private readonly clock: Clock;

  constructor(
    private readonly db: SqliteDatabase,
    options: SqliteModelRegistryOptions,
  ) {
    this.clock = options.clock;
  }

  async ping(): Promise<RegistryPing> {
    // A monotonic timer, not the injected clock: this measures a duration, it does not read the time of day.
    const started = performance.now();
    try {
      const row = this.db.prepare('SELECT count(*) AS n FROM models').get() as { n: number };
      return { ok: true, latencyMs: performance.now() - started, detail: `${row.n} models` };
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      return { ok: false, latencyMs: performance.now() - started, detail };
    }
  }

  async listModels(): Promise<string[]> {
    return withSqlite('list models', () =>
      (this.db.prepare('SELECT isbn FROM models ORDER BY isbn').all() as Array<{ isbn: string }>).map(
        (r) => r.isbn,
      ),
    );
  }

  async listVersions(isbn: string): Promise<ModelVersion[]> {
    requireIsbn(isbn);
    return withSqlite(`list versions of ${isbn}`, () => {
      this.requireModel(isbn);
      const rows = this.db
        .prepare('SELECT * FROM model_versions WHERE isbn = ? ORDER BY version')
        .all(isbn) as VersionRow[];
      const aliases = this.aliasesByVersion(isbn);
      return rows.map((row) => toModelVersion(row, aliases.get(row.version) ?? []));
    });
  }

  async getVersion(isbn: string, version: string): Promise<ModelVersion | undefined> {
    requireIsbn(isbn);
    const id = versionNumber(version);
    if (id === undefined) return undefined;
    return withSqlite(`get ${isbn} version ${version}`, () => {
      const row = this.db
        .prepare('SELECT * FROM model_versions WHERE isbn = ? AND version = ?')
        .get(isbn, id) as VersionRow | undefined;
      return row && toModelVersion(row, this.aliasesByVersion(isbn).get(id) ?? []);
    });
  }

  async getAlias(isbn: string, alias: string): Promise<string | undefined> {
    requireIsbn(isbn);
    return withSqlite(`get alias ${alias} of ${isbn}`, () => {
      const row = this.db
        .prepare('SELECT version FROM model_aliases WHERE isbn = ? AND alias = ?')
        .get(isbn, alias) as { version: number } | undefined;
      return row && String(row.version);
    });
  }

  async setAlias(isbn: string, alias: string, version: string): Promise<void> {
    requireIsbn(isbn);
    checkAlias(alias);
    const move = this.db.transaction(() => {
      const id = this.requireVersion(isbn, version);
      // One statement moves the alias: it never names two versions, nor none, in between.
      this.db
        .prepare(
          `INSERT INTO model_aliases (isbn, alias, version) VALUES (?, ?, ?)
           ON CONFLICT (isbn, alias) DO UPDATE SET version = excluded.version`,
        )
        .run(isbn, alias, id);
    });
    withSqlite(`set alias ${alias} of ${isbn} to ${version}`, () => move.immediate());
  }

  async deleteAlias(isbn: string, alias: string): Promise<void> {
    requireIsbn(isbn);
    // Deleting an alias that is not there is a no-op, so a retried rollback step is harmless.
    withSqlite(`delete alias ${alias} of ${isbn}`, () =>
      this.db.prepare('DELETE FROM model_aliases WHERE isbn = ? AND alias = ?').run(isbn, alias),
    );
  }

  async setQuarantine(isbn: string, version: string, quarantine: Quarantine | undefined): Promise<void> {
    requireIsbn(isbn);
    const mark = quarantine === undefined ? null : parseInput(Quarantine, quarantine, 'quarantine');
    const write = this.db.transaction(() => {
      const id = this.requireVersion(isbn, version);
      this.db
        .prepare('UPDATE model_versions SET quarantine = ? WHERE isbn = ? AND version = ?')
        .run(mark === null ? null : JSON.stringify(mark), isbn, id);
    });
    withSqlite(`quarantine ${isbn} version ${version}`, () => write.immediate());
  }

  async registerVersion(input: NewModelVersionInput): Promise<ModelVersion> {
    const parsed = parseInput(NewModelVersion, input, '');
    const createdAt = parsed.createdAt ?? this.clock.now().toISOString();
    const register = this.db.transaction((): number => {
      this.db
        .prepare('INSERT OR IGNORE INTO models (isbn, created_at) VALUES (?, ?)')
        .run(parsed.isbn, createdAt);
      const { last } = this.db
        .prepare('SELECT coalesce(max(version), 0) AS last FROM model_versions WHERE isbn = ?')
        .get(parsed.isbn) as { last: number };
      const id = last + 1;
      this.db
        .prepare(
          `INSERT INTO model_versions (isbn, version, created_at, metrics, params, data_hash, trained_through,
             pipeline_run_id, labels, quarantine)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
        )
        .run(
          parsed.isbn,
          id,
          createdAt,
          JSON.stringify(parsed.metrics),
          JSON.stringify(parsed.params),
          parsed.dataHash,
          parsed.trainedThrough,
          parsed.pipelineRunId ?? null,
          JSON.stringify(parsed.labels),
        );
      this.db
        .prepare('INSERT INTO forecasts (isbn, version, forecast) VALUES (?, ?, ?)')
        .run(parsed.isbn, id, JSON.stringify(parsed.forecast));
      return id;
    });
    // IMMEDIATE takes the write lock before reading max(version): concurrent registrations queue, never collide.
    const id = withSqlite(`register a version of ${parsed.isbn}`, () => register.immediate());
    const { forecast: _artifact, ...meta } = parsed;
    return { ...meta, version: String(id), createdAt, aliases: [] };
  }

  /** Embedded only: the stored forecast (artifact) of a version. Unknown version → NotFoundError. */
  async getForecast(isbn: string, version: string): Promise<StoredForecast> {
    requireIsbn(isbn);
    return withSqlite(`read forecast of ${isbn} version ${version}`, () => {
      const id = this.requireVersion(isbn, version);
      const row = this.db
        .prepare('SELECT forecast FROM forecasts WHERE isbn = ? AND version = ?')
        .get(isbn, id) as { forecast: string };
      return readJson<StoredForecast>(row.forecast, 'forecasts.forecast');
    });
  }

  /**
   * Embedded only, for `demo degrade` and tests: rewrites a version's stored
   * forecast through `transform` (e.g. scale every value) and bumps its
   * revision, so a running SqliteServingTarget serves the new values at once.
   */
  async corruptForecast(
    isbn: string,
    version: string,
    transform: (forecast: StoredForecast) => StoredForecast,
  ): Promise<StoredForecast> {
    requireIsbn(isbn);
    const rewrite = this.db.transaction((): StoredForecast => {
      const id = this.requireVersion(isbn, version);
      const row = this.db
        .prepare('SELECT forecast FROM forecasts WHERE isbn = ? AND version = ?')
        .get(isbn, id) as { forecast: string };
      const changed = parseInput(
        StoredForecast,
        transform(readJson<StoredForecast>(row.forecast, 'forecasts.forecast')),
        'forecast',
      );
      this.db
        .prepare('UPDATE forecasts SET forecast = ?, rev = rev + 1 WHERE isbn = ? AND version = ?')
        .run(JSON.stringify(changed), isbn, id);
      return changed;
    });
    return withSqlite(`rewrite forecast of ${isbn} version ${version}`, () => rewrite.immediate());
  }

  private requireModel(isbn: string): void {
    const known = this.db.prepare('SELECT 1 FROM models WHERE isbn = ?').get(isbn);
    // The message names only the ISBN asked for: a fleet may hold thousands of others.
    if (!known) throw new NotFoundError(`no model is registered for ISBN ${isbn}`);
  }

  /** The numeric id of an existing version, or NotFoundError listing the versions there are. */
  private requireVersion(isbn: string, version: string): number {
    this.requireModel(isbn);
    const id = versionNumber(version);
    const found =
      id !== undefined &&
      this.db.prepare('SELECT 1 FROM model_versions WHERE isbn = ? AND version = ?').get(isbn, id);
    if (found) return id;
    const versions = (
      this.db
        .prepare('SELECT version FROM model_versions WHERE isbn = ? ORDER BY version')
        .all(isbn) as Array<{
        version: number;
      }>
    ).map((r) => String(r.version));
    throw new NotFoundError(
      `ISBN ${isbn} has no version "${version}" (versions: ${describeVersions(versions)})`,
    );
  }

  private aliasesByVersion(isbn: string): Map<number, string[]> {
    const rows = this.db
      .prepare('SELECT alias, version FROM model_aliases WHERE isbn = ? ORDER BY alias')
      .all(isbn) as Array<{ alias: string; version: number }>;
    const byVersion = new Map<number, string[]>();
    for (const row of rows) byVersion.set(row.version, [...(byVersion.get(row.version) ?? []), row.alias]);
    return byVersion;
  }
}

function toModelVersion(row: VersionRow, aliases: string[]): ModelVersion {
  const version: ModelVersion = {
    isbn: row.isbn,
    version: String(row.version),
    createdAt: row.created_at,
    metrics: readJson<ModelMetrics>(row.metrics, 'model_versions.metrics'),
    params: readJson<Record<string, unknown>>(row.params, 'model_versions.params'),
    dataHash: row.data_hash,
    trainedThrough: row.trained_through,
    aliases,
    labels: readJson<Record<string, string>>(row.labels, 'model_versions.labels'),
  };
  if (row.pipeline_run_id !== null) version.pipelineRunId = row.pipeline_run_id;
  if (row.quarantine !== null)
    version.quarantine = readJson<Quarantine>(row.quarantine, 'model_versions.quarantine');
  return version;
}

/** "3" → 3; anything that is not a decimal id names no version. */
function versionNumber(version: string): number | undefined {
  return /^[0-9]{1,15}$/.test(version) ? Number(version) : undefined;
}

function describeVersions(versions: string[]): string {
  if (versions.length === 0) return 'none';
  if (versions.length <= VERSIONS_LISTED) return versions.join(', ');
  return `${versions.slice(0, 3).join(', ')}, …, ${versions.slice(-(VERSIONS_LISTED - 3)).join(', ')}`;
}

function checkAlias(alias: string): void {
  if (typeof alias !== 'string' || !ALIAS_PATTERN.test(alias)) {
    throw new ValidationError(
      `alias: must start with a lowercase letter and hold only lowercase letters, digits and '-' (at most 63), got ${JSON.stringify(alias)}`,
      ['alias'],
    );
  }
}
