/**
 * One Vertex AI PipelineJob → one PipelineRun.
 *
 * - `id`: the job id, the last segment of its name.
 * - `pipelineName`: the compiled pipeline's name (`pipelineSpec.pipelineInfo.name`,
 *   what Vertex's `pipeline_name` filter and the job's log entries call it),
 *   else the job's display name.
 * - `state`: the PipelineState enum name, as the client decodes it.
 * - `startTime`/`endTime`: the job's own times; `error`: `error.message`
 *   (set for FAILED and CANCELLED jobs).
 * - `registered`: the Model versions the job's tasks output, i.e. artifacts
 *   of type `google.VertexModel` whose `resourceName` (metadata, else the
 *   end of `uri`) is `…/models/arima_book_<isbn>@<version>`. Artifacts naming
 *   other Models, or no version, are not ours and are left out.
 */
import type { PipelineRun, PipelineRunState } from '../../contracts/model';
import { PipelineRunState as PipelineRunStates } from '../../contracts/model';
import { isbnOfModelName, lastSegment, versionSuffixOf } from './vertex-names';
import type { ProtoStruct } from './vertex-values';
import { fromProtoStruct, timestampToIso } from './vertex-values';
import type { protos } from '@google-cloud/aiplatform';

export type VertexPipelineJob = protos.google.cloud.aiplatform.v1.IPipelineJob;

/** The artifact type (schema title) Google's pipeline components give an uploaded Vertex Model. */
export const VERTEX_MODEL_SCHEMA = 'google.VertexModel';

const STATES = new Set<string>(PipelineRunStates.options);

/** The run a PipelineJob describes. */
export function pipelineRunFromJob(job: VertexPipelineJob): PipelineRun {
  const spec = fromProtoStruct(job.pipelineSpec as ProtoStruct | undefined) as {
    pipelineInfo?: { name?: unknown };
  };
  const specName = spec.pipelineInfo?.name;
  const id = lastSegment(job.name ?? '');
  const state = String(job.state ?? 'PIPELINE_STATE_UNSPECIFIED');
  const run: PipelineRun = {
    id,
    pipelineName: typeof specName === 'string' && specName !== '' ? specName : job.displayName || id,
    // An enum value this build does not know (a newer API) reads as UNSPECIFIED rather than failing the listing.
    state: (STATES.has(state) ? state : 'PIPELINE_STATE_UNSPECIFIED') as PipelineRunState,
    registered: registeredVersions(job),
  };
  const startTime = timestampToIso(job.startTime);
  const endTime = timestampToIso(job.endTime);
  if (startTime !== undefined) run.startTime = startTime;
  if (endTime !== undefined) run.endTime = endTime;
  if (job.error?.message) run.error = job.error.message;
  return run;
}

/** The forecast-guard Model versions a job's tasks output, in task order, each once. */
export function registeredVersions(job: VertexPipelineJob): PipelineRun['registered'] {
  const found: PipelineRun['registered'] = [];
  const seen = new Set<string>();
  for (const task of job.jobDetail?.taskDetails ?? []) {
    for (const list of Object.values(task.outputs ?? {})) {
      for (const artifact of list.artifacts ?? []) {
        if (artifact.schemaTitle !== VERTEX_MODEL_SCHEMA) continue;
        const metadata = fromProtoStruct(artifact.metadata as ProtoStruct | undefined);
        const resource =
          typeof metadata.resourceName === 'string' ? metadata.resourceName : (artifact.uri ?? '');
        const isbn = isbnOfModelName(resource);
        const version = versionSuffixOf(resource);
        if (isbn === undefined || version === undefined || !/^[0-9]+$/.test(version)) continue;
        const key = `${isbn}@${version}`;
        if (!seen.has(key)) {
          seen.add(key);
          found.push({ isbn, version });
        }
      }
    }
  }
  return found;
}
