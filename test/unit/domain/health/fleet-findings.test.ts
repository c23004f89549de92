import type { PredictResponse } from '../../../../shared/contracts/model';
import {
  canaryProblem,
  endpointFinding,
  freshnessFinding,
  pipelineFindings,
  registryFinding,
} from '../../../../shared/domain/health/fleet-findings';
import { aPipelineRun } from '../../../builders/model';

const DAY = 86_400_000;
const STALE_AFTER = 8 * DAY;
const NOW = new Date('2025-01-10T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

describe('registryFinding', () => {
  it('is nothing when the registry answered', () => {
    expect(registryFinding({ ok: true, latencyMs: 3 })).toBeUndefined();
  });

  it('is one critical fleet-level registry_unreachable with the error and latency', () => {
    expect(registryFinding({ ok: false, latencyMs: 5012.4, detail: 'ECONNREFUSED' })).toEqual({
      kind: 'registry_unreachable',
      severity: 'critical',
      summary: expect.stringContaining('ECONNREFUSED'),
      details: { latencyMs: 5012, error: 'ECONNREFUSED' },
    });
  });
});

describe('pipelineFindings', () => {
  const kinds = (runs: Parameters<typeof pipelineFindings>[0]) =>
    pipelineFindings(runs, NOW, STALE_AFTER).map((f) => `${f.kind}:${f.severity}`);

  it('is nothing for a recent success', () => {
    expect(kinds([aPipelineRun({ endTime: ago(DAY) })])).toEqual([]);
  });

  it('fires pipeline_failed (critical) when the latest finished run failed or was cancelled', () => {
    const ok = aPipelineRun({ endTime: ago(2 * DAY) });
    const failed = aPipelineRun({ state: 'PIPELINE_STATE_FAILED', endTime: ago(DAY), error: 'OOM' });
    expect(kinds([failed, ok])).toEqual(['pipeline_failed:critical']);
    const [finding] = pipelineFindings([failed, ok], NOW, STALE_AFTER);
    expect(finding!.details).toEqual({
      runs: [
        {
          pipelineJobId: failed.id,
          pipelineName: 'arima-weekly-training',
          state: 'PIPELINE_STATE_FAILED',
          endTime: failed.endTime,
          error: 'OOM',
        },
      ],
    });
    const cancelled = aPipelineRun({ state: 'PIPELINE_STATE_CANCELLED', endTime: ago(DAY) });
    expect(pipelineFindings([cancelled, ok], NOW, STALE_AFTER)[0]!.summary).toContain('was cancelled');
  });

  it('keeps the failure while a retry is still running, and clears it once a later run succeeds', () => {
    const failed = aPipelineRun({ state: 'PIPELINE_STATE_FAILED', endTime: ago(DAY) });
    const running = aPipelineRun({
      state: 'PIPELINE_STATE_RUNNING',
      startTime: ago(1000),
      endTime: undefined,
    });
    const ok = aPipelineRun({ endTime: ago(100) });
    expect(kinds([running, failed, aPipelineRun({ endTime: ago(2 * DAY) })])).toEqual([
      'pipeline_failed:critical',
    ]);
    expect(kinds([ok, failed])).toEqual([]);
  });

  it('judges each pipeline by its own latest finished run', () => {
    const otherFailed = aPipelineRun({
      pipelineName: 'backfill',
      state: 'PIPELINE_STATE_FAILED',
      endTime: ago(3 * DAY),
    });
    const ok = aPipelineRun({ endTime: ago(DAY) });
    expect(kinds([ok, otherFailed])).toEqual(['pipeline_failed:critical']);
  });

  it('fires pipeline_stale (warning) only when the last success is more than the limit ago', () => {
    expect(kinds([aPipelineRun({ endTime: ago(STALE_AFTER) })])).toEqual([]);
    expect(kinds([aPipelineRun({ endTime: ago(STALE_AFTER + 1) })])).toEqual(['pipeline_stale:warning']);
    const [stale] = pipelineFindings(
      [aPipelineRun({ id: 'run-old', endTime: ago(10 * DAY) })],
      NOW,
      STALE_AFTER,
    );
    expect(stale!.summary).toBe(
      'No successful training run for 10.0 days (last: run-old; expected one within 8 days)',
    );
    expect(stale!.details).toMatchObject({ lastSuccessfulRun: 'run-old', ageDays: 10 });
  });

  it('uses the start time of a success that has no end time', () => {
    expect(kinds([aPipelineRun({ startTime: ago(DAY), endTime: undefined })])).toEqual([]);
  });

  it('calls a pipeline with no runs, or no success among them, stale', () => {
    expect(kinds([])).toEqual(['pipeline_stale:warning']);
    expect(pipelineFindings([], NOW, STALE_AFTER)[0]!.summary).toContain('No training run recorded');
    const failed = aPipelineRun({ state: 'PIPELINE_STATE_FAILED', endTime: ago(DAY) });
    expect(kinds([failed])).toEqual(['pipeline_failed:critical', 'pipeline_stale:warning']);
  });
});

describe('freshnessFinding', () => {
  // The week ending Saturday 2024-12-28 is complete at 2024-12-29T00:00Z.
  const closed = Date.parse('2024-12-29T00:00:00.000Z');
  const WEEK = 7 * DAY;

  it('is fresh up to exactly N weeks after the newest week closed', () => {
    expect(freshnessFinding('2024-12-28', new Date(closed + 2 * WEEK), 2)).toBeUndefined();
  });

  it('is a fleet-level data_stale warning a moment later', () => {
    const finding = freshnessFinding('2024-12-28', new Date(closed + 2 * WEEK + 1), 2);
    expect(finding).toMatchObject({
      kind: 'data_stale',
      severity: 'warning',
      details: { latestWeek: '2024-12-28', freshnessWeeks: 2, ageWeeks: 2 },
    });
    expect(finding!.isbn).toBeUndefined();
  });

  it('is stale when there are no actuals at all', () => {
    expect(freshnessFinding(undefined, NOW, 2)).toMatchObject({
      kind: 'data_stale',
      details: { latestWeek: null },
    });
  });
});

describe('canaryProblem', () => {
  const good: PredictResponse = {
    predictions: [
      { forecast: [1, 2, 3], model_version: '3', weeks: ['2024-12-07', '2024-12-14', '2024-12-21'] },
    ],
    deployedModelId: 'x-v3',
    modelVersionId: '3',
  };
  const expected = { version: '3', steps: 3 };

  it('accepts a well-formed answer from the pinned version', () => {
    expect(canaryProblem(good, expected)).toBeUndefined();
  });

  it.each<[string, PredictResponse, RegExp]>([
    ['no prediction', { ...good, predictions: [] }, /expected 1 prediction, got 0/],
    ['another version', { ...good, modelVersionId: '2' }, /answered by version 2, not the pinned 3/],
    [
      'too few weeks',
      { ...good, predictions: [{ ...good.predictions[0]!, forecast: [1, 2] }] },
      /forecast has 2 values, expected 3/,
    ],
    [
      'missing dates',
      { ...good, predictions: [{ ...good.predictions[0]!, weeks: [] }] },
      /weeks has 0 dates, expected 3/,
    ],
    [
      'a NaN (null)',
      { ...good, predictions: [{ ...good.predictions[0]!, forecast: [1, null, 3] }] },
      /forecast\[1\] is null, not a finite number/,
    ],
  ])('names %s', (_what, response, message) => {
    expect(canaryProblem(response, expected)).toMatch(message);
  });
});

describe('endpointFinding', () => {
  it('is a critical endpoint_unhealthy for the book and version with the problem and latency', () => {
    expect(endpointFinding('9780722532935', '3', 'timeout', 30000.04)).toEqual({
      kind: 'endpoint_unhealthy',
      severity: 'critical',
      isbn: '9780722532935',
      modelVersion: '3',
      summary: 'Endpoint of 9780722532935 (v3) failed its canary prediction: timeout',
      details: { problem: 'timeout', latencyMs: 30000 },
    });
  });
});
