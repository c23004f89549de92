import { VertexPipelineMonitor } from '../../shared/adapters/gcp/vertex-pipeline-monitor';
import type { VertexLocation } from '../../shared/adapters/gcp/vertex-names';
import { locationPath } from '../../shared/adapters/gcp/vertex-names';
import { toProtoStruct } from '../../shared/adapters/gcp/vertex-values';
import { ConflictError, ValidationError } from '../../shared/errors';
import { aPipelineRun, nextIsbn } from '../builders/model';
import { useLocalVertex } from '../helpers/vertex-server/harness';
import { describePipelineMonitorContract } from './pipeline-monitor.contract';

const vertex = useLocalVertex();

describePipelineMonitorContract('VertexPipelineMonitor (real client, local gRPC server)', async () => {
  const where = vertex.freshLocation();
  const monitor = new VertexPipelineMonitor({ ...where, clients: vertex.clients });
  return {
    monitor,
    seed: async (run) => {
      // The adapter's own recordRun validates, then refuses: only a run it found valid reaches the server.
      const refused = await monitor.recordRun(run).catch((e: unknown) => e);
      if (!(refused instanceof ConflictError)) throw refused;
      vertex.server.seedPipelineJob(where, run);
    },
  };
});

describe('VertexPipelineMonitor on the local Vertex AI server', () => {
  let where: VertexLocation;
  let monitor: VertexPipelineMonitor;

  beforeEach(() => {
    where = vertex.freshLocation();
    monitor = new VertexPipelineMonitor({ ...where, clients: vertex.clients });
  });

  it('refuses to record a valid run, saying why, and never retries', async () => {
    const err = await monitor.recordRun(aPipelineRun()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).retryable).toBe(false);
    expect((err as Error).message).toMatch(/written by Vertex AI Pipelines/);
    const prefix = `${locationPath(where)}/pipelineJobs/`;
    expect([...vertex.server.world.pipelineJobs.keys()].filter((name) => name.startsWith(prefix))).toEqual(
      [],
    );
    expect(await monitor.listRuns()).toEqual([]);
  });

  it("maps a failed job's state, times and error.message", async () => {
    const run = aPipelineRun({
      state: 'PIPELINE_STATE_FAILED',
      startTime: '2024-05-01T10:00:05.123456Z',
      endTime: '2024-05-01T10:20:00Z',
      error: 'The DAG failed because some tasks failed. The failed tasks are: [train-arima].',
    });
    vertex.server.seedPipelineJob(where, run);
    expect(await monitor.getRun(run.id)).toEqual({ ...run, endTime: '2024-05-01T10:20:00.000Z' });
  });

  it('reads registrations from google.VertexModel artifacts of our Models only', async () => {
    const isbn = nextIsbn();
    const run = aPipelineRun({ registered: [{ isbn, version: '7' }] });
    vertex.server.seedPipelineJob(where, run);
    // A task of the same job that uploaded some other team's model, and one with an artifact of another type.
    const job = vertex.server.world.pipelineJobs.get(`${locationPath(where)}/pipelineJobs/${run.id}`)!;
    const tasks = (job.jobDetail as { taskDetails: unknown[] }).taskDetails;
    tasks.push(
      {
        taskId: '90',
        outputs: {
          model: {
            artifacts: [
              {
                schemaTitle: 'google.VertexModel',
                metadata: toProtoStruct({ resourceName: `${locationPath(where)}/models/churn-model@3` }),
              },
            ],
          },
        },
      },
      {
        taskId: '91',
        outputs: {
          metrics: {
            artifacts: [
              {
                schemaTitle: 'system.Metrics',
                metadata: toProtoStruct({
                  resourceName: `${locationPath(where)}/models/arima_book_${isbn}@8`,
                }),
              },
            ],
          },
        },
      },
    );
    expect((await monitor.getRun(run.id))?.registered).toEqual([{ isbn, version: '7' }]);
  });

  it('a listing carries job_detail only when its read_mask asks, as on Vertex; listRuns asks', async () => {
    const isbn = nextIsbn();
    const run = aPipelineRun({ registered: [{ isbn, version: '7' }] });
    vertex.server.seedPipelineJob(where, run);
    const parent = locationPath(where);
    const [bare] = await vertex.clients.pipeline.listPipelineJobs({ parent });
    expect(bare[0]?.name).toBe(`${parent}/pipelineJobs/${run.id}`);
    expect(bare[0]?.jobDetail).toBeNull();
    const [masked] = await vertex.clients.pipeline.listPipelineJobs({
      parent,
      readMask: { paths: ['name', 'job_detail'] },
    });
    expect(masked[0]?.jobDetail?.taskDetails).toHaveLength(1);
    expect(masked[0]?.state).toBe('PIPELINE_STATE_UNSPECIFIED');
    expect((await monitor.listRuns()).map((r) => [r.id, r.state, r.registered])).toEqual([
      [run.id, run.state, [{ isbn, version: '7' }]],
    ]);
  });

  it('keeps to one pipeline when given its name', async () => {
    const ours = aPipelineRun({ pipelineName: 'arima-weekly-training' });
    const other = aPipelineRun({ pipelineName: 'churn-training' });
    vertex.server.seedPipelineJob(where, ours);
    vertex.server.seedPipelineJob(where, other);
    const scoped = new VertexPipelineMonitor({
      ...where,
      clients: vertex.clients,
      pipelineName: 'arima-weekly-training',
    });
    expect((await scoped.listRuns()).map((r) => r.id)).toEqual([ours.id]);
    expect((await monitor.listRuns()).map((r) => r.id).sort()).toEqual([ours.id, other.id].sort());
  });

  it('pages through more jobs than one listing page holds', async () => {
    const runs = Array.from({ length: 130 }, (_, i) =>
      aPipelineRun({ startTime: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString() }),
    );
    for (const run of runs) vertex.server.seedPipelineJob(where, run);
    const listed = await monitor.listRuns({ limit: 120 });
    expect(listed).toHaveLength(120);
    expect(listed[0]?.id).toBe(runs[129]!.id);
    expect(listed[119]?.id).toBe(runs[10]!.id);
  });

  it('names a bad limit or since, and an id Vertex could not have given is no run', async () => {
    await expect(monitor.listRuns({ limit: 0 })).rejects.toThrow(/limit: must be a whole number/);
    const err = await monitor.listRuns({ since: 'yesterday' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fields).toEqual(['since']);
    expect(await monitor.getRun('../endpoints/x')).toBeUndefined();
    expect(await monitor.getRun('Arima-Run')).toBeUndefined();
  });
});
