/**
 * SqliteServingTarget: the embedded ServingTarget. One "endpoint" per ISBN
 * holds deployed versions with their traffic; a prediction is answered from
 * the serving version's stored forecast (its artifact in the registry), the
 * way a Vertex AI endpoint answers from its deployed model.
 */
import type { Deployment, PredictResponse, ServingState, StoredForecast } from '../../contracts/model';
import { MAX_FORECAST_STEPS } from '../../contracts/model';
import type { ForecastSource } from '../../domain/predict';
import { answerInstances, validateInstances } from '../../domain/predict';
import { compareVersions, pickByTraffic, validateTrafficSplit } from '../../domain/traffic';
import { ConflictError, NotFoundError } from '../../errors';
import { mulberry32 } from '../../fleet/prng';
import type { Clock } from '../../ports/clock';
import type { ServingTarget } from '../../ports/serving-target';
import { readJson, requireIsbn, withSqlite } from './fleet-db';
import type { SqliteDatabase } from './sqlite';

/** Seed of the default traffic generator: the same requests are routed the same way on every run. */
export const DEFAULT_TRAFFIC_SEED = 0x5eed;

export interface SqliteServingTargetOptions {
  /** Stamps `updatedAt` on traffic changes. */
  clock: Clock;
  /** Uniform [0, 1) source that routes requests by traffic; defaults to `mulberry32(DEFAULT_TRAFFIC_SEED).next`. */
  random?: () => number;
  /** Parsed forecasts kept (most recently used); FORECAST_CACHE_SIZE by default. */
  forecastCacheSize?: number;
}

/** The embedded endpoint's id for one deployed version, in the place of Vertex's `DeployedModel.id`. */
export function embeddedDeployedModelId(isbn: string, version: string): string {
  return `${isbn}-v${version}`;
}

/** Parsed forecasts kept per target: more than a health-check slice, and the serving load's hot books. */
export const FORECAST_CACHE_SIZE = 1_000;

/** ServingTarget on the embedded fleet database (see fleet-db.ts). */
export class SqliteServingTarget implements ServingTarget {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly cacheSize: number;
  /**
   * Parsed forecasts per `isbn@version`, trusted while the stored revision is
   * unchanged; the most recently used `cacheSize` only. Unbounded, a
   * health check of 20,000 books left every version's parsed forecast here
   * (about 7 KB each, 150 MB), so memory grew with the fleet; 1,000 is
   * twice a slice, and more than a seeded fleet's books (the serving load).
   */
  private readonly forecasts = new Map<string, { rev: number; source: ForecastSource }>();

  constructor(
    private readonly db: SqliteDatabase,
    options: SqliteServingTargetOptions,
  ) {
    this.clock = options.clock;
    this.random = options.random ?? mulberry32(DEFAULT_TRAFFIC_SEED).next;
    this.cacheSize = Math.max(1, options.forecastCacheSize ?? FORECAST_CACHE_SIZE);
  }

  async getServing(isbn: string): Promise<ServingState | undefined> {
    requireIsbn(isbn);
    return withSqlite(`read endpoint of ${isbn}`, () => this.readServing(isbn));
  }

  async listServing(): Promise<ServingState[]> {
    return withSqlite('list endpoints', () => {
      const isbns = this.db.prepare('SELECT isbn FROM endpoints ORDER BY isbn').all() as Array<{
        isbn: string;
      }>;
      return isbns.map((r) => this.readServing(r.isbn)).filter((s): s is ServingState => s !== undefined);
    });
  }

  /**
   * Validates the split (whole percents summing to 100, versions registered for
   * this ISBN), deploys versions not yet deployed, and leaves deployed versions
   * the split leaves out at 0 %. Quarantine is not checked here: refusing a
   * quarantined target is the rollback service's decision.
   */
  async setTraffic(isbn: string, split: Record<string, number>): Promise<ServingState> {
    requireIsbn(isbn);
    const shares = validateTrafficSplit(split);
    const apply = this.db.transaction((): ServingState => {
      const registered = this.registeredVersions(isbn);
      const missing = shares.map((s) => s.version).filter((v) => !registered.includes(v));
      if (missing.length > 0) {
        throw new NotFoundError(
          `ISBN ${isbn} has no version ${missing.join(', ')} to deploy (versions: ${registered.join(', ')})`,
        );
      }
      const now = this.clock.now().toISOString();
      this.db
        .prepare(
          `INSERT INTO endpoints (isbn, updated_at) VALUES (?, ?)
           ON CONFLICT (isbn) DO UPDATE SET updated_at = excluded.updated_at`,
        )
        .run(isbn, now);
      this.db.prepare('UPDATE deployments SET traffic_percent = 0 WHERE isbn = ?').run(isbn);
      const upsert = this.db.prepare(
        `INSERT INTO deployments (isbn, version, traffic_percent, deployed_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (isbn, version) DO UPDATE SET traffic_percent = excluded.traffic_percent`,
      );
      for (const share of shares) upsert.run(isbn, Number(share.version), share.trafficPercent, now);
      return this.readServing(isbn) as ServingState;
    });
    // One write transaction: a reader sees the old split or the new one, never a split summing to 0 or 200.
    return withSqlite(`set traffic of ${isbn}`, () => apply.immediate());
  }

  async undeploy(isbn: string, version: string): Promise<void> {
    requireIsbn(isbn);
    const remove = this.db.transaction(() => {
      if (!this.db.prepare('SELECT 1 FROM endpoints WHERE isbn = ?').get(isbn)) {
        throw new NotFoundError(`no endpoint serves ISBN ${isbn} (nothing was ever deployed)`);
      }
      const row = /^[0-9]+$/.test(version)
        ? (this.db
            .prepare('SELECT traffic_percent FROM deployments WHERE isbn = ? AND version = ?')
            .get(isbn, Number(version)) as { traffic_percent: number } | undefined)
        : undefined;
      // Not deployed is already the wanted outcome: a retried undeploy succeeds.
      if (!row) return;
      if (row.traffic_percent > 0) {
        throw new ConflictError(
          `version ${version} of ISBN ${isbn} still serves ${row.traffic_percent} % of traffic; move its traffic with setTraffic first`,
        );
      }
      this.db.prepare('DELETE FROM deployments WHERE isbn = ? AND version = ?').run(isbn, Number(version));
      this.db
        .prepare('UPDATE endpoints SET updated_at = ? WHERE isbn = ?')
        .run(this.clock.now().toISOString(), isbn);
    });
    withSqlite(`undeploy ${isbn} version ${version}`, () => remove.immediate());
  }

  /**
   * Answers every instance from one version (a request goes to one deployed
   * model, as on Vertex AI): the pinned one, else one picked by traffic.
   */
  async predict(
    isbn: string,
    instances: unknown[],
    options: { version?: string } = {},
  ): Promise<PredictResponse> {
    requireIsbn(isbn);
    // Shape first, against the endpoint-wide limit; the version's own horizon is checked once it is known.
    let parsed = validateInstances(instances, MAX_FORECAST_STEPS);
    const state = withSqlite(`read endpoint of ${isbn}`, () => this.readServing(isbn));
    if (!state) throw new NotFoundError(`no endpoint serves ISBN ${isbn}`);
    const version = this.chooseVersion(state, options.version);
    const source = withSqlite(`read forecast of ${isbn} version ${version}`, () =>
      this.forecastOf(isbn, version),
    );
    const horizon = source.forecast.mean.length;
    if (horizon < MAX_FORECAST_STEPS && parsed.some((i) => i.steps > horizon)) {
      parsed = validateInstances(instances, horizon);
    }
    return {
      predictions: answerInstances(parsed, source),
      deployedModelId: embeddedDeployedModelId(isbn, version),
      modelVersionId: version,
    };
  }

  private chooseVersion(state: ServingState, pinned: string | undefined): string {
    const deployed = state.deployments.map((d) => d.version);
    if (pinned !== undefined) {
      if (!deployed.includes(pinned)) {
        throw new ConflictError(
          `version ${pinned} is not deployed on the endpoint of ISBN ${state.isbn} (deployed: ${deployed.join(', ') || 'none'})`,
        );
      }
      return pinned;
    }
    const picked = pickByTraffic(state.deployments, this.random);
    if (picked === undefined) {
      throw new ConflictError(`the endpoint of ISBN ${state.isbn} has no version with traffic`);
    }
    return picked;
  }

  /** The version's forecast; one small read per call checks the cached copy is still current. */
  private forecastOf(isbn: string, version: string): ForecastSource {
    const key = `${isbn}@${version}`;
    const current = this.db
      .prepare('SELECT rev FROM forecasts WHERE isbn = ? AND version = ?')
      .get(isbn, Number(version)) as { rev: number } | undefined;
    if (!current) throw new NotFoundError(`ISBN ${isbn} version ${version} has no stored forecast`);
    const cached = this.forecasts.get(key);
    if (cached && cached.rev === current.rev) {
      // Most recently used last: Map keeps insertion order, so the first key is the one to evict.
      this.forecasts.delete(key);
      this.forecasts.set(key, cached);
      return cached.source;
    }
    const row = this.db
      .prepare(
        `SELECT f.forecast, f.rev, v.trained_through FROM forecasts f
         JOIN model_versions v ON v.isbn = f.isbn AND v.version = f.version
         WHERE f.isbn = ? AND f.version = ?`,
      )
      .get(isbn, Number(version)) as { forecast: string; rev: number; trained_through: string };
    const source: ForecastSource = {
      version,
      trainedThrough: row.trained_through,
      forecast: readJson<StoredForecast>(row.forecast, 'forecasts.forecast'),
    };
    this.forecasts.delete(key);
    this.forecasts.set(key, { rev: row.rev, source });
    if (this.forecasts.size > this.cacheSize) {
      const oldest = this.forecasts.keys().next();
      if (!oldest.done) this.forecasts.delete(oldest.value);
    }
    return source;
  }

  private readServing(isbn: string): ServingState | undefined {
    const endpoint = this.db.prepare('SELECT updated_at FROM endpoints WHERE isbn = ?').get(isbn) as
      { updated_at: string } | undefined;
    if (!endpoint) return undefined;
    const rows = this.db
      .prepare('SELECT version, traffic_percent FROM deployments WHERE isbn = ? ORDER BY version')
      .all(isbn) as Array<{ version: number; traffic_percent: number }>;
    const deployments: Deployment[] = rows.map((r) => ({
      version: String(r.version),
      trafficPercent: r.traffic_percent,
      deployedModelId: embeddedDeployedModelId(isbn, String(r.version)),
    }));
    return { isbn, deployments, updatedAt: endpoint.updated_at };
  }

  private registeredVersions(isbn: string): string[] {
    if (!this.db.prepare('SELECT 1 FROM models WHERE isbn = ?').get(isbn)) {
      throw new NotFoundError(`no model is registered for ISBN ${isbn}`);
    }
    return (
      this.db
        .prepare('SELECT version FROM model_versions WHERE isbn = ? ORDER BY version')
        .all(isbn) as Array<{
        version: number;
      }>
    )
      .map((r) => String(r.version))
      .sort(compareVersions);
  }
}
