/**
 * VertexPipelineMonitor: the PipelineMonitor on Vertex AI PipelineJobs
 * (read-only). `listRuns` is ListPipelineJobs ordered `create_time desc`
 * (a job starts moments after it is created, and a job not started yet is
 * placed by its creation, as the port asks), `since` a `create_time>=` filter;
 * `getRun` is GetPipelineJob. Listings ask for job details with a read mask
 * (LIST_READ_MASK), so each run's registered versions show. See
 * vertex-pipeline-codec.ts for the mapping.
 *
 * `recordRun` cannot work here: PipelineJobs are created and advanced by
 * Vertex AI Pipelines itself, and the API has no call to write one's state.
 * It validates its input like every adapter, then refuses with a
 * non-retryable ConflictError that says so.
 */
import type { PipelineRun, PipelineRunInput } from '../../contracts/model';
import { PipelineRun as PipelineRunSchema } from '../../contracts/model';
import { parseWith } from '../../contracts/parse';
import { ConflictError, ValidationError } from '../../errors';
import type { PipelineMonitor } from '../../ports/pipeline-monitor';
import type { VertexClients } from './vertex-clients';
import { vertexCall, vertexRead } from './vertex-errors';
import type { VertexLocation } from './vertex-names';
import { locationPath, pipelineJobNameFor } from './vertex-names';
import { pipelineRunFromJob } from './vertex-pipeline-codec';

/** Listing size when the caller names none, and the most one call returns (the embedded monitor's limits). */
export const DEFAULT_RUNS_LIMIT = 50;
export const MAX_RUNS_LIMIT = 1000;
/** Vertex pages PipelineJob listings; at most this many per page are asked for. */
const PAGE_SIZE = 100;

/**
 * The PipelineJob fields a listing asks for: those pipelineRunFromJob reads.
 * ListPipelineJobs takes a read_mask (ListPipelineJobsRequest.read_mask = 7,
 * "Mask specifying which fields to read", google/cloud/aiplatform/v1/pipeline_service.proto
 * as shipped in @google-cloud/aiplatform 6.11.0; older googleapis snapshots, e.g. 058bff38,
 * lack the field). The paths follow python-aiplatform's own listing mask
 * (google/cloud/aiplatform/constants/pipeline.py `_READ_MASK_FIELDS`, used by
 * PipelineJob.list(enable_simple_view=True), googleapis/python-aiplatform#1614):
 * `pipeline_spec.pipeline_info` rather than the whole compiled spec. Listings
 * are reported to leave `job_detail` out unless the mask names it (the proto
 * does not say either way), and the versions a run registered are in its task
 * details, so all of `job_detail` is named; getRun's GetPipelineJob always has it.
 */
export const LIST_READ_MASK: readonly string[] = [
  'name',
  'display_name',
  'state',
  'create_time',
  'start_time',
  'end_time',
  'update_time',
  'error',
  'pipeline_spec.pipeline_info',
  'job_detail',
];

export interface VertexPipelineMonitorOptions extends VertexLocation {
  clients: Pick<VertexClients, 'pipeline'>;
  /** Only runs of this compiled pipeline (`pipeline_name` filter); all of the location's jobs when left out. */
  pipelineName?: string;
}

/** PipelineMonitor on Vertex AI PipelineJobs. */
export class VertexPipelineMonitor implements PipelineMonitor {
  private readonly where: VertexLocation;
  private readonly clients: Pick<VertexClients, 'pipeline'>;
  private readonly pipelineName?: string;

  constructor(options: VertexPipelineMonitorOptions) {
    this.where = { projectId: options.projectId, location: options.location };
    this.clients = options.clients;
    if (options.pipelineName !== undefined) this.pipelineName = options.pipelineName;
  }

  async listRuns(options: { limit?: number; since?: string } = {}): Promise<PipelineRun[]> {
    const limit = options.limit ?? DEFAULT_RUNS_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RUNS_LIMIT) {
      throw new ValidationError(`limit: must be a whole number from 1 to ${MAX_RUNS_LIMIT}, got ${limit}`, [
        'limit',
      ]);
    }
    const clauses: string[] = [];
    if (this.pipelineName !== undefined) clauses.push(`pipeline_name=${JSON.stringify(this.pipelineName)}`);
    if (options.since !== undefined) clauses.push(`create_time>=${JSON.stringify(rfc3339(options.since))}`);
    const request = {
      parent: locationPath(this.where),
      filter: clauses.join(' AND '),
      orderBy: 'create_time desc',
      pageSize: Math.min(limit, PAGE_SIZE),
      readMask: { paths: [...LIST_READ_MASK] },
    };
    return vertexCall('list pipeline jobs', async () => {
      const runs: PipelineRun[] = [];
      // The async iterator fetches further pages only while more runs are wanted.
      for await (const job of this.clients.pipeline.listPipelineJobsAsync(request, { autoPaginate: false })) {
        runs.push(pipelineRunFromJob(job));
        if (runs.length >= limit) break;
      }
      return runs;
    });
  }

  async getRun(id: string): Promise<PipelineRun | undefined> {
    const name = typeof id === 'string' ? pipelineJobNameFor(this.where, id) : undefined;
    // An id Vertex could not have given a job (a '/', capitals) names no run.
    if (name === undefined) return undefined;
    const job = await vertexRead(`get pipeline job ${id}`, () =>
      this.clients.pipeline.getPipelineJob({ name }),
    );
    return job && pipelineRunFromJob(job[0]);
  }

  async recordRun(run: PipelineRunInput): Promise<void> {
    const parsed = parseWith(PipelineRunSchema, run, 'run');
    throw new ConflictError(
      `Vertex AI PipelineJobs are written by Vertex AI Pipelines, not by forecast-guard: run ${parsed.id} cannot be recorded here. Read runs with listRuns/getRun, or use the embedded monitor (FG_REGISTRY=local) to record them.`,
      { retryable: false },
    );
  }
}

/** `since` as the RFC 3339 text a Vertex filter compares, or a ValidationError naming it. */
function rfc3339(since: string): string {
  const ms = typeof since === 'string' ? Date.parse(since) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new ValidationError(`since: must be an ISO 8601 date-time, got ${JSON.stringify(since)}`, [
      'since',
    ]);
  }
  // Kept as written when it already carries a zone: rewriting would drop digits below the millisecond.
  return /T.*(Z|[+-]\d\d:\d\d)$/i.test(since) ? since : new Date(ms).toISOString();
}
