/**
 * The Vertex rate limiter on a fake clock: bursts and pacing per quota class
 * and location, the sliding-window bound it promises (no 60 s window sees
 * more than the quota), RESOURCE_EXHAUSTED retried with backoff, counters and
 * the ETA progress lines print.
 */
import { status } from '@grpc/grpc-js';
import {
  describeQuotaProgress,
  DOCUMENTED_VERTEX_QUOTAS,
  formatEta,
  quotaClassOf,
  quotaLocationOf,
  VertexRateLimiter,
} from '../../../../shared/adapters/gcp/vertex-quota';
import { ValidationError } from '../../../../shared/errors';
import type { Clock } from '../../../../shared/ports/clock';

const A = 'projects/demo-a/locations/europe-west2';
const B = 'projects/demo-b/locations/europe-west2';

/** A clock whose sleep moves time forward as soon as everything already runnable has run. */
function fakeClock(start = Date.parse('2026-03-02T10:00:00Z')): Clock & { ms(): number } {
  let now = start;
  return {
    now: () => new Date(now),
    sleep: (ms: number) =>
      new Promise<void>((resolve) =>
        setImmediate(() => {
          now += ms;
          resolve();
        }),
      ),
    ms: () => now - start,
  };
}

/** Admission times (ms since start) of `count` calls of one class. */
async function admissions(limiter: VertexRateLimiter, clock: ReturnType<typeof fakeClock>, count: number) {
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: count }, () =>
      limiter.acquire('lro_submission', A).then(() => times.push(clock.ms())),
    ),
  );
  return times.sort((x, y) => x - y);
}

/** The most calls any 60 s window [t, t + 60 s) holds. */
function busiestMinute(times: number[]): number {
  let most = 0;
  for (let i = 0; i < times.length; i += 1) {
    const start = times[i] as number;
    most = Math.max(most, times.filter((t) => t >= start && t < start + 60_000).length);
  }
  return most;
}

describe('VertexRateLimiter', () => {
  it('starts from the documented quotas and a 0.9 share', () => {
    const limiter = new VertexRateLimiter({ clock: fakeClock() });
    expect(limiter.quotas).toEqual(DOCUMENTED_VERTEX_QUOTAS);
    expect(limiter.stats().lro_submission.perMinute).toBe(54);
    expect(limiter.stats().resource_management.perMinute).toBe(540);
    expect(limiter.stats().online_prediction.perMinute).toBe(27_000);
  });

  it('admits a burst at once, then paces at share × quota, never more than the quota in any minute', async () => {
    const clock = fakeClock();
    const limiter = new VertexRateLimiter({ clock });
    const times = await admissions(limiter, clock, 200);
    // Burst: quota − rate = 60 − 54 = 6 tokens at once.
    expect(times.filter((t) => t === 0)).toHaveLength(6);
    expect(busiestMinute(times)).toBeLessThanOrEqual(60);
    // 194 more at 54 a minute.
    expect(times.at(-1)).toBeGreaterThanOrEqual((194 / 54) * 60_000 - 1000);
    expect(times.at(-1)).toBeLessThanOrEqual((194 / 54) * 60_000 + 1000);
  });

  it('keeps classes and locations apart: a full LRO bucket does not hold back CRUD, nor another project', async () => {
    const clock = fakeClock();
    const limiter = new VertexRateLimiter({ clock, quotas: { lro_submission: 2 }, share: 0.5 });
    await limiter.acquire('lro_submission', A);
    const queued = limiter.acquire('lro_submission', A);
    expect(limiter.stats().lro_submission.queued).toBe(1);
    const before = clock.ms();
    await limiter.acquire('resource_management', A);
    await limiter.acquire('lro_submission', B);
    expect(clock.ms()).toBe(before);
    await queued;
    expect(limiter.stats().lro_submission).toMatchObject({ admitted: 3, queued: 0 });
    expect(limiter.stats().lro_submission.waitedMs).toBeGreaterThan(0);
  });

  it('retries RESOURCE_EXHAUSTED after a doubling backoff and returns the answer', async () => {
    const clock = fakeClock();
    const limiter = new VertexRateLimiter({ clock });
    let calls = 0;
    const answer = await limiter.run(
      'online_explain',
      async () => {
        calls += 1;
        if (calls <= 3) throw Object.assign(new Error('8 RESOURCE_EXHAUSTED: Quota exceeded'), { code: 8 });
        return 'ok';
      },
      A,
    );
    expect(answer).toBe('ok');
    expect(calls).toBe(4);
    // 1 s + 2 s + 4 s of backoff, plus the bucket refilling after it was emptied.
    expect(clock.ms()).toBeGreaterThanOrEqual(7_000);
    expect(limiter.stats().online_explain).toMatchObject({ retried: 3, exhausted: 0 });
  });

  it('gives up after maxRetries with the RESOURCE_EXHAUSTED error itself, backing off at most a window', async () => {
    const clock = fakeClock();
    const limiter = new VertexRateLimiter({ clock, maxRetries: 8 });
    const refused = Object.assign(new Error('Quota exceeded'), { code: status.RESOURCE_EXHAUSTED });
    await expect(limiter.run('resource_management', () => Promise.reject(refused), A)).rejects.toBe(refused);
    // 1+2+4+8+16+32+60+60 s: the backoff stops growing at the 60 s window.
    expect(clock.ms()).toBeGreaterThanOrEqual(183_000);
    expect(clock.ms()).toBeLessThan(190_000);
    expect(limiter.stats().resource_management).toMatchObject({ retried: 8, exhausted: 1 });
  });

  it('passes other errors straight through, untried again', async () => {
    const limiter = new VertexRateLimiter({ clock: fakeClock() });
    let calls = 0;
    const notFound = Object.assign(new Error('not found'), { code: status.NOT_FOUND });
    await expect(
      limiter.run('resource_management', async () => {
        calls += 1;
        throw notFound;
      }),
    ).rejects.toBe(notFound);
    expect(calls).toBe(1);
  });

  it('estimates the time left from the remaining calls of the slowest class', () => {
    const limiter = new VertexRateLimiter({ clock: fakeClock() });
    // LRO: 6 tokens in hand, then 54 a minute; CRUD: 60 in hand, then 540 a minute.
    expect(limiter.eta({ lro_submission: 6 }, A)).toBe(0);
    expect(limiter.eta({ lro_submission: 60 }, A)).toBe(60_000);
    expect(limiter.eta({ lro_submission: 60, resource_management: 600 }, A)).toBe(60_000);
    expect(limiter.eta({ resource_management: 1140 }, A)).toBe(120_000);
  });

  it('prints counters and an ETA in one progress line', async () => {
    const clock = fakeClock();
    const limiter = new VertexRateLimiter({ clock });
    for (let i = 0; i < 3; i += 1) await limiter.acquire('resource_management', A);
    await limiter.acquire('lro_submission', A);
    expect(describeQuotaProgress(limiter, { lro_submission: 113 })).toBe(
      'CRUD 3 done, 0 queued · LRO 1 done, 0 queued · ETA 2 min 0 s',
    );
    expect(formatEta(0)).toBe('0 s');
    expect(formatEta(59_001)).toBe('1 min 0 s');
    expect(formatEta(3_725_000)).toBe('1 h 2 min');
  });

  it('names a bad setting', () => {
    expect(() => new VertexRateLimiter({ share: 0 })).toThrow(ValidationError);
    expect(() => new VertexRateLimiter({ share: 1.5 })).toThrow(
      /share: must be a fraction 0 < share ≤ 1 \(got 1.5\)/,
    );
    expect(() => new VertexRateLimiter({ quotas: { online_explain: -1 } })).toThrow(/quotas\.online_explain/);
    expect(() => new VertexRateLimiter({ maxRetries: 1.5 })).toThrow(/maxRetries/);
  });
});

describe('quota classes and locations of client calls', () => {
  it('charges LRO-starting calls to LRO submission, predict and explain to their own, the rest to CRUD', () => {
    expect(quotaClassOf('deployModel')).toBe('lro_submission');
    expect(quotaClassOf('undeployModel')).toBe('lro_submission');
    expect(quotaClassOf('uploadModel')).toBe('lro_submission');
    expect(quotaClassOf('createEndpoint')).toBe('lro_submission');
    expect(quotaClassOf('predict')).toBe('online_prediction');
    expect(quotaClassOf('explain')).toBe('online_explain');
    expect(quotaClassOf('getEndpoint')).toBe('resource_management');
    expect(quotaClassOf('listModels')).toBe('resource_management');
    expect(quotaClassOf('getOperation')).toBe('resource_management');
    expect(quotaClassOf('someFutureMethod')).toBe('resource_management');
  });

  it('finds the project and region a request names', () => {
    expect(quotaLocationOf({ parent: A })).toBe(A);
    expect(quotaLocationOf({ name: `${A}/models/1@2` })).toBe(A);
    expect(quotaLocationOf({ endpoint: `${B}/endpoints/7`, instances: [] })).toBe(B);
    expect(quotaLocationOf({ model: { name: `${A}/models/3` } })).toBe(A);
    expect(quotaLocationOf({ instances: [] })).toBeUndefined();
  });
});
