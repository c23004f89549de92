import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VertexPipelineJob } from '../../../../shared/adapters/gcp/vertex-pipeline-codec';
import {
  pipelineRunFromJob,
  VERTEX_MODEL_SCHEMA,
} from '../../../../shared/adapters/gcp/vertex-pipeline-codec';
import { toProtoStruct } from '../../../../shared/adapters/gcp/vertex-values';
import { PipelineRun } from '../../../../shared/contracts/model';
import { isbnFor } from '../../../builders/model';

const PARENT = 'projects/123456789012/locations/europe-west2';

function modelArtifact(resourceName: string, schemaTitle = VERTEX_MODEL_SCHEMA) {
  return { schemaTitle, metadata: toProtoStruct({ resourceName }) };
}

describe('one Vertex PipelineJob → PipelineRun', () => {
  it('maps name, pipeline name, state, times, error and registered versions', () => {
    const isbn = isbnFor(3);
    const job: VertexPipelineJob = {
      name: `${PARENT}/pipelineJobs/arima-weekly-20240501`,
      displayName: 'arima weekly',
      pipelineSpec: toProtoStruct({ pipelineInfo: { name: 'arima-weekly-training' } }),
      state: 'PIPELINE_STATE_FAILED',
      startTime: { seconds: '1714554005', nanos: 123456000 },
      endTime: { seconds: '1714555200', nanos: 0 },
      error: { code: 9, message: 'The DAG failed because some tasks failed.' },
      jobDetail: {
        taskDetails: [
          { outputs: { model: { artifacts: [modelArtifact(`${PARENT}/models/arima_book_${isbn}@4`)] } } },
          // The same version twice, another team's model, a non-model artifact, a model without a version.
          { outputs: { model: { artifacts: [modelArtifact(`${PARENT}/models/arima_book_${isbn}@4`)] } } },
          { outputs: { model: { artifacts: [modelArtifact(`${PARENT}/models/churn@2`)] } } },
          {
            outputs: {
              metrics: {
                artifacts: [modelArtifact(`${PARENT}/models/arima_book_${isbn}@5`, 'system.Metrics')],
              },
            },
          },
          { outputs: { model: { artifacts: [modelArtifact(`${PARENT}/models/arima_book_${isbn}`)] } } },
        ],
      },
    };
    const run = pipelineRunFromJob(job);
    expect(run).toEqual({
      id: 'arima-weekly-20240501',
      pipelineName: 'arima-weekly-training',
      state: 'PIPELINE_STATE_FAILED',
      startTime: '2024-05-01T09:00:05.123456Z',
      endTime: '2024-05-01T09:20:00.000Z',
      error: 'The DAG failed because some tasks failed.',
      registered: [{ isbn, version: '4' }],
    });
    expect(PipelineRun.safeParse(run).success).toBe(true);
  });

  it('falls back to the display name, and reads a registration from the artifact uri', () => {
    const isbn = isbnFor(4);
    const run = pipelineRunFromJob({
      name: `${PARENT}/pipelineJobs/queued-1`,
      displayName: 'nightly retrain',
      state: 'PIPELINE_STATE_QUEUED',
      jobDetail: {
        taskDetails: [
          {
            outputs: {
              model: {
                artifacts: [
                  {
                    schemaTitle: VERTEX_MODEL_SCHEMA,
                    uri: `https://europe-west2-aiplatform.googleapis.com/v1/${PARENT}/models/arima_book_${isbn}@2`,
                  },
                ],
              },
            },
          },
        ],
      },
    });
    expect(run).toEqual({
      id: 'queued-1',
      pipelineName: 'nightly retrain',
      state: 'PIPELINE_STATE_QUEUED',
      registered: [{ isbn, version: '2' }],
    });
  });

  it('knows every PipelineState name Vertex defines, and reads an unknown one as UNSPECIFIED', () => {
    const enumFixture = JSON.parse(
      readFileSync(
        join(__dirname, '../../../fixtures/gcp-formats/2-vertex-pipeline-logs/pipeline-state-enum.json'),
        'utf8',
      ),
    ) as { values: Array<{ name: string }> };
    for (const { name } of enumFixture.values) {
      expect(pipelineRunFromJob({ name: `${PARENT}/pipelineJobs/j`, state: name as never }).state).toBe(name);
    }
    expect(
      pipelineRunFromJob({ name: `${PARENT}/pipelineJobs/j`, state: 'PIPELINE_STATE_ARCHIVED' as never })
        .state,
    ).toBe('PIPELINE_STATE_UNSPECIFIED');
  });
});
