/**
 * PipelineService of the local Vertex AI server: GetPipelineJob and
 * ListPipelineJobs (filter on pipeline_name, state, *_time and labels;
 * order_by create_time, update_time, end_time, start_time; newest created
 * first by default, as Vertex). Jobs are not run here: tests seed them with
 * `seedPipelineJob`, which merges like a job progressing on Vertex — state
 * and times move on, finished upload tasks are added to its job detail.
 */
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { PipelineRunInput } from '../../../shared/contracts/model';
import type { VertexLocation } from '../../../shared/adapters/gcp/vertex-names';
import { locationPath, modelNameFor } from '../../../shared/adapters/gcp/vertex-names';
import { VERTEX_MODEL_SCHEMA } from '../../../shared/adapters/gcp/vertex-pipeline-codec';
import { isoToTimestamp, timestampToIso, toProtoStruct } from '../../../shared/adapters/gcp/vertex-values';
import { matches, parseFilter, parseOrderBy } from './filters';
import type { Message } from './rpc';
import { notFound, page, parseName, requireParent, unary } from './rpc';
import type { Timestamp, VertexWorld } from './world';

const TIME_FIELDS = ['create_time', 'update_time', 'end_time', 'start_time'];

function iso(ts: unknown): string | undefined {
  return timestampToIso(ts as Timestamp | undefined);
}

/** One finished upload task whose output artifact is the registered Model version. */
function uploadTask(where: VertexLocation, taskId: string, isbn: string, version: string): Message {
  const resourceName = `${modelNameFor(where, isbn)}@${version}`;
  return {
    taskId,
    taskName: `upload-model-${isbn}`,
    state: 'SUCCEEDED',
    outputs: {
      model: {
        artifacts: [
          {
            name: `${locationPath(where)}/metadataStores/default/artifacts/${taskId}`,
            displayName: 'model',
            schemaTitle: VERTEX_MODEL_SCHEMA,
            uri: `https://${where.location}-aiplatform.googleapis.com/v1/${resourceName}`,
            metadata: toProtoStruct({ resourceName }),
          },
        ],
      },
    },
  };
}

/**
 * Creates or advances a PipelineJob from a run as the embedded monitor
 * records it. `createTime` is the run's start (a job starts moments after it
 * is created), or the server's time for a run not started yet.
 */
export function seedPipelineJob(world: VertexWorld, where: VertexLocation, run: PipelineRunInput): void {
  const name = `${locationPath(where)}/pipelineJobs/${run.id}`;
  const now = world.timestamp();
  const job: Message = world.pipelineJobs.get(name) ?? {
    name,
    displayName: run.id,
    createTime: run.startTime ? isoToTimestamp(run.startTime) : now,
    jobDetail: { taskDetails: [] },
  };
  job.updateTime = now;
  if (run.pipelineName) job.pipelineSpec = toProtoStruct({ pipelineInfo: { name: run.pipelineName } });
  if (run.state) job.state = run.state;
  if (run.startTime) job.startTime = isoToTimestamp(run.startTime);
  if (run.endTime) job.endTime = isoToTimestamp(run.endTime);
  if (run.error) job.error = { code: 2, message: run.error };
  const tasks = (job.jobDetail as { taskDetails: Message[] }).taskDetails;
  const seen = new Set(tasks.map((t) => JSON.stringify(t.outputs)));
  for (const { isbn, version } of run.registered ?? []) {
    const task = uploadTask(where, String(tasks.length + 1), isbn, version);
    if (!seen.has(JSON.stringify(task.outputs))) tasks.push(task);
  }
  world.pipelineJobs.set(name, job);
}

export function pipelineService(world: VertexWorld): UntypedServiceImplementation {
  const getPipelineJob = (request: Message) => {
    const { resource } = parseName(request.name, 'pipelineJobs');
    const job = world.pipelineJobs.get(resource);
    if (!job) throw notFound(`PipelineJob ${resource} not found.`);
    return job;
  };

  const listPipelineJobs = (request: Message) => {
    const parent = requireParent(request.parent);
    const filter = parseFilter(request.filter);
    const order = parseOrderBy(request.orderBy, TIME_FIELDS, 'create_time desc');
    const jobs = [...world.pipelineJobs.values()]
      .filter((job) => String(job.name).startsWith(`${parent}/pipelineJobs/`))
      .filter((job) =>
        matches(filter, {
          labels: job.labels as Record<string, string> | undefined,
          fields: {
            pipeline_name: pipelineNameOf(job),
            display_name: String(job.displayName ?? ''),
            state: String(job.state ?? 'PIPELINE_STATE_UNSPECIFIED'),
            create_time: iso(job.createTime),
            update_time: iso(job.updateTime),
            end_time: iso(job.endTime),
          },
        }),
      )
      .sort((a, b) => {
        for (const { field, desc } of order) {
          const key = field.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
          const diff = (Date.parse(iso(a[key]) ?? '') || 0) - (Date.parse(iso(b[key]) ?? '') || 0);
          if (diff !== 0) return desc ? -diff : diff;
        }
        // Equal times: the later name first, so the order is total and stable.
        return String(b.name).localeCompare(String(a.name));
      });
    const { items, nextPageToken } = page(jobs, request);
    return { pipelineJobs: items.map((job) => readMasked(job, request.readMask)), nextPageToken };
  };

  return { GetPipelineJob: unary(getPipelineJob), ListPipelineJobs: unary(listPipelineJobs) };
}

function pipelineNameOf(job: Message): string | undefined {
  const fields = (job.pipelineSpec as { fields?: Record<string, Message> } | undefined)?.fields;
  const info = fields?.pipelineInfo?.structValue as
    { fields?: Record<string, { stringValue?: string }> } | undefined;
  return info?.fields?.name?.stringValue;
}

/**
 * What a listing returns of one job: without a read_mask, everything but
 * `job_detail` (the task details, i.e. what a run registered, are left out of
 * listings, as Vertex is reported to do: the proto does not say, so the
 * client must not rely on either); with one, only the top-level fields it names.
 * ListPipelineJobsRequest.read_mask = 7, "Mask specifying which fields to
 * read" (google/cloud/aiplatform/v1/pipeline_service.proto); python-aiplatform's
 * PipelineJob.list(enable_simple_view=True) sends such a mask
 * (googleapis/python-aiplatform#1614). GetPipelineJob always has the detail.
 */
function readMasked(job: Message, mask: unknown): Message {
  const paths = (mask as { paths?: string[] } | null | undefined)?.paths ?? [];
  if (paths.length === 0) {
    const { jobDetail: _listingsOmitIt, ...rest } = job;
    return rest;
  }
  const camel = (path: string) => path.split('.')[0]!.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  const wanted = new Set(paths.map(camel));
  return Object.fromEntries(Object.entries(job).filter(([key]) => wanted.has(key)));
}
