/**
 * SqlitePipelineMonitor: the embedded PipelineMonitor, a table of training
 * pipeline runs that `seed`, the local stack and the pipeline-events function
 * record into, in the place of Vertex AI PipelineJobs.
 */
import type { PipelineRunInput, PipelineRun as PipelineRunType } from '../../contracts/model';
import { PipelineRun } from '../../contracts/model';
import { ValidationError } from '../../errors';
import type { Clock } from '../../ports/clock';
import type { PipelineMonitor } from '../../ports/pipeline-monitor';
import { parseInput, readJson, withSqlite } from './fleet-db';
import type { SqliteDatabase } from './sqlite';

/** Listing size when the caller names none, and the most one call returns. */
export const DEFAULT_RUNS_LIMIT = 50;
export const MAX_RUNS_LIMIT = 1000;

interface RunRow {
  id: string;
  pipeline_name: string;
  state: string;
  start_time: string | null;
  end_time: string | null;
  error: string | null;
  registered: string;
  sort_time: string;
}

export interface SqlitePipelineMonitorOptions {
  /** Orders a run that has not started yet by when it was first recorded. */
  clock: Clock;
}

/** PipelineMonitor on the embedded fleet database (see fleet-db.ts). */
export class SqlitePipelineMonitor implements PipelineMonitor {
  private readonly clock: Clock;

  constructor(
    private readonly db: SqliteDatabase,
    options: SqlitePipelineMonitorOptions,
  ) {
    this.clock = options.clock;
  }

  async listRuns(options: { limit?: number; since?: string } = {}): Promise<PipelineRunType[]> {
    const limit = options.limit ?? DEFAULT_RUNS_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RUNS_LIMIT) {
      throw new ValidationError(`limit: must be a whole number from 1 to ${MAX_RUNS_LIMIT}, got ${limit}`, [
        'limit',
      ]);
    }
    const since = options.since === undefined ? undefined : isoInstant(options.since, 'since');
    return withSqlite('list pipeline runs', () => {
      const rows = (
        since === undefined
          ? this.db.prepare('SELECT * FROM pipeline_runs ORDER BY sort_time DESC, id DESC LIMIT ?').all(limit)
          : this.db
              .prepare(
                'SELECT * FROM pipeline_runs WHERE sort_time >= ? ORDER BY sort_time DESC, id DESC LIMIT ?',
              )
              .all(since, limit)
      ) as RunRow[];
      return rows.map(toRun);
    });
  }

  async getRun(id: string): Promise<PipelineRunType | undefined> {
    return withSqlite(`get pipeline run ${id}`, () => {
      const row = this.db.prepare('SELECT * FROM pipeline_runs WHERE id = ?').get(id) as RunRow | undefined;
      return row && toRun(row);
    });
  }

  /**
   * Records a run, or updates the one with the same id. Log events rarely
   * repeat every field, so fields the update leaves out keep their stored
   * values, and `registered` only grows (a version once registered stays so).
   */
  async recordRun(input: PipelineRunInput): Promise<void> {
    const run = parseInput(PipelineRun, input, 'run');
    const upsert = this.db.transaction(() => {
      const old = this.db.prepare('SELECT * FROM pipeline_runs WHERE id = ?').get(run.id) as
        RunRow | undefined;
      const before = old ? toRun(old) : undefined;
      const merged: PipelineRunType = {
        ...before,
        ...Object.fromEntries(Object.entries(run).filter(([, v]) => v !== undefined)),
        registered: mergeRegistered(before?.registered ?? [], run.registered),
      } as PipelineRunType;
      const sortTime =
        merged.startTime !== undefined
          ? isoInstant(merged.startTime, 'run.startTime')
          : (old?.sort_time ?? this.clock.now().toISOString());
      this.db
        .prepare(
          `INSERT INTO pipeline_runs (id, pipeline_name, state, start_time, end_time, error, registered, sort_time)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET pipeline_name = excluded.pipeline_name, state = excluded.state,
             start_time = excluded.start_time, end_time = excluded.end_time, error = excluded.error,
             registered = excluded.registered, sort_time = excluded.sort_time`,
        )
        .run(
          merged.id,
          merged.pipelineName,
          merged.state,
          merged.startTime ?? null,
          merged.endTime ?? null,
          merged.error ?? null,
          JSON.stringify(merged.registered),
          sortTime,
        );
    });
    withSqlite(`record pipeline run ${run.id}`, () => upsert.immediate());
  }
}

function toRun(row: RunRow): PipelineRunType {
  const run: PipelineRunType = {
    id: row.id,
    pipelineName: row.pipeline_name,
    state: row.state as PipelineRunType['state'],
    registered: readJson<PipelineRunType['registered']>(row.registered, 'pipeline_runs.registered'),
  };
  if (row.start_time !== null) run.startTime = row.start_time;
  if (row.end_time !== null) run.endTime = row.end_time;
  if (row.error !== null) run.error = row.error;
  return run;
}

function mergeRegistered(
  before: PipelineRunType['registered'],
  added: PipelineRunType['registered'],
): PipelineRunType['registered'] {
  const seen = new Set(before.map((r) => `${r.isbn}@${r.version}`));
  return [...before, ...added.filter((r) => !seen.has(`${r.isbn}@${r.version}`))];
}

/**
 * A timestamp in one canonical form (UTC, milliseconds), so that text order in
 * SQLite is time order even when callers mix "…:05Z" and "…:05.123456Z".
 */
function isoInstant(value: string, field: string): string {
  const ms = Date.parse(value);
  if (typeof value !== 'string' || Number.isNaN(ms)) {
    throw new ValidationError(`${field}: must be an ISO 8601 date-time, got ${JSON.stringify(value)}`, [
      field,
    ]);
  }
  return new Date(ms).toISOString();
}
