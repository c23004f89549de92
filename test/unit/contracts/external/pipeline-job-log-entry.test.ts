import {
  isTerminalPipelineState,
  PipelineJobLogEntry,
  pipelineJobResourceName,
} from '../../../../shared/contracts/external/pipeline-job-log-entry';
import { PipelineRunState } from '../../../../shared/contracts/model';
import { parseWith, safeParseWith } from '../../../../shared/contracts/parse';
import { loadFixture } from '../../../helpers/gcp-fixtures';

const failed = () =>
  loadFixture<Record<string, unknown>>('2-vertex-pipeline-logs/pipelinejob-logentry.failed.json');

describe('PipelineJobLogEntry', () => {
  it('parses the failed and succeeded entries a sink exports', () => {
    const entry = parseWith(PipelineJobLogEntry, failed(), 'PipelineJobLogEntry');
    expect(entry.jsonPayload.state).toBe('PIPELINE_STATE_FAILED');
    expect(entry.jsonPayload.pipelineName).toBe('my-training-pipeline');
    expect(entry.jsonPayload['@type']).toBe(
      'type.googleapis.com/google.cloud.aiplatform.logging.PipelineJobLogEntry',
    );
    expect(entry.labels?.template_uri).toBe('gs://my-bucket/pipelines/my-training-pipeline.yaml');
    expect(pipelineJobResourceName(entry)).toBe(
      'projects/my-project/locations/us-central1/pipelineJobs/my-training-pipeline-20240501100000',
    );
    const ok = parseWith(
      PipelineJobLogEntry,
      loadFixture('2-vertex-pipeline-logs/pipelinejob-logentry.succeeded.json'),
      'PipelineJobLogEntry',
    );
    expect(ok.jsonPayload.state).toBe('PIPELINE_STATE_SUCCEEDED');
  });

  it('knows every PipelineState name in the proto, and which are terminal', () => {
    const { values } = loadFixture<{ values: Array<{ name: string }> }>(
      '2-vertex-pipeline-logs/pipeline-state-enum.json',
    );
    expect(values.map((v) => v.name)).toEqual(PipelineRunState.options);
    expect(PipelineRunState.options.filter(isTerminalPipelineState)).toEqual([
      'PIPELINE_STATE_SUCCEEDED',
      'PIPELINE_STATE_FAILED',
      'PIPELINE_STATE_CANCELLED',
    ]);
  });

  it('refuses task events, which share the resource type but not the log', () => {
    const task = {
      ...failed(),
      logName: 'projects/my-project/logs/aiplatform.googleapis.com%2Fpipeline_job_task_events',
    };
    const result = safeParseWith(PipelineJobLogEntry, task, 'PipelineJobLogEntry');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.fields).toEqual(['logName']);
      expect(result.error.message).toContain(
        'logName: must be projects/{p}/logs/aiplatform.googleapis.com%2Fpipeline_job_events',
      );
    }
  });

  it.each([
    [
      { jsonPayload: { pipelineName: 'p', state: 'FAILED' } },
      'jsonPayload.state',
      'must be one of PIPELINE_STATE_UNSPECIFIED|',
    ],
    [{ jsonPayload: { state: 'PIPELINE_STATE_FAILED' } }, 'jsonPayload.pipelineName', 'is required'],
    [
      { resource: { type: 'aiplatform.googleapis.com/CustomJob', labels: {} } },
      'resource.type',
      'must be aiplatform.googleapis.com/PipelineJob',
    ],
    [
      { severity: 'FATAL' },
      'severity',
      'must be one of DEFAULT|DEBUG|INFO|NOTICE|WARNING|ERROR|CRITICAL|ALERT|EMERGENCY',
    ],
    [{ timestamp: '1714560137' }, 'timestamp', 'must be an RFC 3339 date-time'],
  ])('rejects %j, naming %s', (patch, field, reason) => {
    const result = safeParseWith(PipelineJobLogEntry, { ...failed(), ...patch }, 'PipelineJobLogEntry');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.fields).toContain(field);
      expect(result.error.message).toContain(`${field}: ${reason}`);
    }
  });
});
