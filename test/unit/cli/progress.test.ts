/**
 * Progress output of fleet-wide jobs: the bar carries a detail (the Vertex
 * quota counters and ETA) when given one, and the activity line redraws what
 * its detail says until stopped; both are silent when disabled.
 */
import { createProgress, startActivityLine } from '../../../cli/progress';
import {
  VertexRateLimiter,
  describeQuotaProgress,
  projectedCalls,
} from '../../../shared/adapters/gcp/vertex-quota';

describe('createProgress', () => {
  it('appends the detail for the current count to the bar', () => {
    const written: string[] = [];
    const progress = createProgress(
      true,
      (s) => written.push(s),
      (done, total) => `ETA for ${total - done} left`,
    );
    progress.update(3, 10, '9780000000002');
    expect(written.at(-1)).toBe('\r[#########.....................] 3/10 9780000000002 · ETA for 7 left');
  });

  it('writes nothing when disabled', () => {
    const written: string[] = [];
    const progress = createProgress(
      false,
      (s) => written.push(s),
      () => 'x',
    );
    progress.update(1, 2);
    progress.done('finished');
    expect(written).toEqual([]);
  });
});

describe('startActivityLine', () => {
  it('redraws the detail while a job runs and clears it when stopped', async () => {
    const written: string[] = [];
    let calls = 0;
    const line = startActivityLine(
      true,
      () => `CRUD ${++calls} done`,
      (s) => written.push(s),
      5,
    );
    await new Promise((resolve) => setTimeout(resolve, 40));
    line.stop();
    expect(written.length).toBeGreaterThanOrEqual(2);
    expect(written[0]).toBe('\rCRUD 1 done');
    expect(written.at(-1)).toMatch(/^\r +\r$/);
  });

  it('does nothing when disabled', async () => {
    const written: string[] = [];
    const line = startActivityLine(
      false,
      () => 'x',
      (s) => written.push(s),
      5,
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    line.stop();
    expect(written).toEqual([]);
  });
});

describe('quota ETA projected from finished items', () => {
  it('projects the calls still to come from the calls each finished book took', async () => {
    const limiter = new VertexRateLimiter();
    const where = 'projects/p/locations/europe-west2';
    // Two books done: 3 CRUD calls and 1 LRO submission each.
    for (let i = 0; i < 6; i += 1) await limiter.acquire('resource_management', where);
    for (let i = 0; i < 2; i += 1) await limiter.acquire('lro_submission', where);
    expect(projectedCalls(limiter, 2, 100)).toMatchObject({ resource_management: 294, lro_submission: 98 });
    // 98 LRO submissions with 4 tokens left at 54 a minute: 94 / 54 min ≈ 1 min 45 s.
    expect(describeQuotaProgress(limiter, projectedCalls(limiter, 2, 100))).toBe(
      'CRUD 6 done, 0 queued · LRO 2 done, 0 queued · ETA 1 min 45 s',
    );
  });
});
