/**
 * The PipelineMonitor contract: what SqlitePipelineMonitor and a Vertex AI
 * PipelineJobs adapter must both do, seeded through `recordRun` only.
 */
import type { PipelineRunInput } from '../../shared/contracts/model';
import { ValidationError } from '../../shared/errors';
import type { PipelineMonitor } from '../../shared/ports/pipeline-monitor';
import { aPipelineRun, nextIsbn } from '../builders/model';

export interface PipelineMonitorFixture {
  monitor: PipelineMonitor;
  close?: () => Promise<void>;
  /**
   * For a backend whose `recordRun` cannot write (Vertex AI: Vertex Pipelines
   * writes PipelineJobs): the suite's `recordRun` calls go here instead, to
   * seed the backend directly. It must reject a bad run as `recordRun` does
   * (ValidationError naming the field).
   */
  seed?: (run: PipelineRunInput) => Promise<void>;
}

/** The monitor the cases use: `fixture.monitor`, with `recordRun` routed to `fixture.seed` when there is one. */
function seeded(fixture: PipelineMonitorFixture): PipelineMonitor {
  const { monitor, seed } = fixture;
  if (!seed) return monitor;
  return {
    listRuns: (options) => monitor.listRuns(options),
    getRun: (id) => monitor.getRun(id),
    recordRun: seed,
  };
}

/** Runs the contract against a fresh monitor from `make` for every test. */
export function describePipelineMonitorContract(
  label: string,
  make: () => Promise<PipelineMonitorFixture>,
): void {
  describe(`PipelineMonitor contract: ${label}`, () => {
    let fixture: PipelineMonitorFixture;
    let monitor: PipelineMonitor;

    beforeEach(async () => {
      fixture = await make();
      monitor = seeded(fixture);
    });
    afterEach(async () => {
      await fixture.close?.();
    });

    it('records a run and reads it back; an unknown id is undefined', async () => {
      const run = aPipelineRun({ registered: [{ isbn: nextIsbn(), version: '3' }] });
      await monitor.recordRun(run);
      expect(await monitor.getRun(run.id)).toEqual(run);
      expect(await monitor.getRun(`${run.id}-unknown`)).toBeUndefined();
    });

    it('updates a run: new state and end, earlier fields kept, registrations added', async () => {
      const first = { isbn: nextIsbn(), version: '1' };
      const second = { isbn: nextIsbn(), version: '4' };
      const { endTime: _notYet, ...running } = aPipelineRun({
        state: 'PIPELINE_STATE_RUNNING',
        registered: [first],
      });
      await monitor.recordRun(running);
      await monitor.recordRun({
        id: running.id,
        pipelineName: running.pipelineName,
        state: 'PIPELINE_STATE_FAILED',
        endTime: '2024-05-01T09:50:00.000Z',
        error: 'train-arima: ValueError: series too short',
        registered: [second],
      });
      expect(await monitor.getRun(running.id)).toEqual({
        ...running,
        state: 'PIPELINE_STATE_FAILED',
        endTime: '2024-05-01T09:50:00.000Z',
        error: 'train-arima: ValueError: series too short',
        registered: [first, second],
      });
    });

    it('lists each run with the versions it registered', async () => {
      const registered = [
        { isbn: nextIsbn(), version: '2' },
        { isbn: nextIsbn(), version: '5' },
      ];
      const run = aPipelineRun({ registered });
      await monitor.recordRun(run);
      const listed = (await monitor.listRuns()).find((r) => r.id === run.id);
      expect(listed?.registered).toEqual(registered);
    });

    it('lists runs newest first, honouring limit and since', async () => {
      const hours = [3, 1, 4, 2, 5];
      const runs = hours.map((h) => aPipelineRun({ startTime: `2024-05-01T0${h}:00:00.000Z` }));
      for (const run of runs) await monitor.recordRun(run);

      const all = await monitor.listRuns();
      expect(all.map((r) => r.startTime)).toEqual([5, 4, 3, 2, 1].map((h) => `2024-05-01T0${h}:00:00.000Z`));
      expect(all[0]).toEqual(runs[4]);

      expect((await monitor.listRuns({ limit: 2 })).map((r) => r.id)).toEqual([runs[4]!.id, runs[2]!.id]);
      const since = await monitor.listRuns({ since: '2024-05-01T03:00:00.000Z' });
      expect(since.map((r) => r.id)).toEqual([runs[4]!.id, runs[2]!.id, runs[0]!.id]);
    });

    it('rejects a bad run naming the field', async () => {
      const err = await monitor
        .recordRun({ ...aPipelineRun(), state: 'DONE' as never })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).fields).toEqual([expect.stringMatching(/(^|\.)state$/)]);
      expect((err as Error).message).toContain('PIPELINE_STATE_SUCCEEDED');
    });
  });
}
