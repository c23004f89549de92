import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { DEFAULT_BOOKS } from '../../../shared/fleet/catalogue';
import { generateSales } from '../../../shared/fleet/sales-generator';
import type { FitJob, FitProgress, FitResult } from '../../../shared/forecasting/fit-pool';
import type * as FitPoolModule from '../../../shared/forecasting/fit-pool';
import { FIT_WORKER_FILE, FitPool, fitMany } from '../../../shared/forecasting/fit-pool';

const repoRoot = resolve(__dirname, '../../..');
const standIn = join(__dirname, 'fixtures', 'stand-in-fit-worker.ts');
const cutoff = '2024-06-29';
const realJob = (i: number, options: Partial<FitJob['options']> = {}): FitJob => ({
  series: generateSales(DEFAULT_BOOKS[i]!, { seed: 42 }),
  options: { cutoff, horizon: 26, ...options },
});
const sleepJob = (isbn: string, ms: number): FitJob => ({
  series: [],
  options: { isbn, cutoff, horizon: ms },
});

/** Most jobs in flight at once, from the pool-side start and finish times. */
function maxOverlap(results: FitResult[]): number {
  const events = results.flatMap((r) => [
    { t: r.startedAt, d: 1 },
    { t: r.finishedAt, d: -1 },
  ]);
  events.sort((a, b) => a.t - b.t || a.d - b.d);
  let open = 0;
  let max = 0;
  for (const e of events) max = Math.max(max, (open += e.d));
  return max;
}

describe('fitMany on worker threads', () => {
  it('trains real jobs on the TypeScript worker and returns results in job order; a bad job fails alone', async () => {
    expect(FIT_WORKER_FILE.endsWith('fit-worker.ts')).toBe(true);
    const jobs = [realJob(0), realJob(1), realJob(2, { cutoff: '2024-06-28' }), realJob(3)];
    const progress: FitProgress[] = [];
    const results = await fitMany(jobs, { concurrency: 2, onProgress: (p) => progress.push(p) });
    expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    expect(results.map((r) => r.ok)).toEqual([true, true, false, true]);
    expect(results.map((r) => r.model?.isbn)).toEqual([
      DEFAULT_BOOKS[0]!.isbn,
      DEFAULT_BOOKS[1]!.isbn,
      undefined,
      DEFAULT_BOOKS[3]!.isbn,
    ]);
    expect(results[2]!.error).toEqual({
      name: 'ValidationError',
      message: 'cutoff must be a Saturday (week ending) ISO date, got "2024-06-28"',
      retryable: false,
    });
    for (const r of results.filter((x) => x.ok)) {
      expect(r.model!.forecast.mean).toHaveLength(26);
      expect(r.model!.trainedThrough).toBe(cutoff);
    }
    expect(progress.map((p) => p.done)).toEqual([1, 2, 3, 4]);
    expect(progress.every((p) => p.total === 4)).toBe(true);
    expect(new Set(results.map((r) => r.workerId)).size).toBeLessThanOrEqual(2);
  });

  it('never runs more than `concurrency` jobs at once', async () => {
    const jobs = Array.from({ length: 9 }, (_, i) => sleepJob(`job-${i}`, 40));
    const results = await fitMany(jobs, { concurrency: 3, workerFile: standIn });
    expect(results.map((r) => r.model?.isbn)).toEqual(jobs.map((j) => j.options.isbn));
    expect(maxOverlap(results)).toBe(3);
    expect(new Set(results.map((r) => r.workerId)).size).toBe(3);
  });

  it('turns a worker crash into that job’s error result and carries on with a fresh worker', async () => {
    const jobs = [
      sleepJob('a', 5),
      sleepJob('crash', 0),
      sleepJob('b', 5),
      sleepJob('throw-later', 0),
      sleepJob('c', 5),
    ];
    const results = await fitMany(jobs, { concurrency: 1, workerFile: standIn });
    expect(results.map((r) => r.ok)).toEqual([true, false, true, false, true]);
    expect(results[1]!.error).toMatchObject({ name: 'WorkerCrashed', retryable: true });
    expect(results[1]!.error!.message).toMatch(/exit code 7/);
    expect(results[3]!.error!.message).toMatch(/stand-in blew up/);
    expect(new Set(results.map((r) => r.workerId)).size).toBe(3); // two replacements
  });

  it('stops a job that runs past the timeout and fails it as FitTimeout; a job that cannot be sent fails alone', async () => {
    const unsendable = {
      ...sleepJob('fn', 0),
      options: { ...sleepJob('fn', 0).options, now: () => 1 },
    } as FitJob;
    const results = await fitMany([sleepJob('hung', 5_000), unsendable, sleepJob('next', 0)], {
      concurrency: 1,
      workerFile: standIn,
      // Well under the hung job's 5 s, and long enough that 'next' (an instant answer) is not
      // timed out when a loaded machine starves its worker thread (seen once in CI at 200 ms).
      jobTimeoutMs: 1_000,
    });
    expect(results[0]!.error).toMatchObject({ name: 'FitTimeout', retryable: true });
    expect(results[0]!.error!.message).toBe('the fit took longer than 1000 ms and its worker was stopped');
    expect(results[1]!.error).toMatchObject({ name: 'ValidationError', retryable: false });
    expect(results[1]!.error!.message).toMatch(/cannot be sent to a worker/);
    expect(results[2]!.model?.isbn).toBe('next');
  });

  it('fails queued jobs as PoolClosed when closed early, and rejects a bad concurrency', async () => {
    const pool = new FitPool({ concurrency: 1, workerFile: standIn });
    const running = pool.run([sleepJob('slow', 2_000), sleepJob('queued', 0)]);
    await pool.close();
    const results = await running;
    expect(results.map((r) => r.error?.name)).toEqual(['PoolClosed', 'PoolClosed']);
    await expect(pool.run([sleepJob('late', 0)])).rejects.toThrow('the fit pool is closed');
    expect(() => new FitPool({ concurrency: 0 })).toThrow('concurrency must be a positive integer, got 0');
    expect(await fitMany([], { workerFile: standIn })).toEqual([]);
  });
});

/** Transpiles `entry` and every relative import it reaches to plain CommonJS under `outDir`, like `tsc` into dist/. */
function transpileClosure(entry: string, outDir: string): void {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/from '(\.{1,2}\/[^']+)'/g))
      queue.push(resolve(dirname(file), `${m[1]}.ts`));
    const out = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
    });
    const target = join(outDir, relative(repoRoot, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, out.outputText);
  }
}

describe('fitMany compiled to JavaScript', () => {
  // Inside node_modules so the compiled files resolve zod and arima like dist/ would.
  const outDir = join(repoRoot, 'node_modules', '.cache', `fg-fit-pool-${process.pid}`);
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('starts the .js worker without tsx and trains', async () => {
    transpileClosure(join(repoRoot, 'shared/forecasting/fit-pool.ts'), outDir);
    transpileClosure(join(repoRoot, 'shared/forecasting/fit-worker.ts'), outDir);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const compiled = require(join(outDir, 'shared/forecasting/fit-pool.js')) as typeof FitPoolModule;
    expect(compiled.FIT_WORKER_FILE).toBe(join(outDir, 'shared/forecasting/fit-worker.js'));
    const results = await compiled.fitMany([realJob(0), realJob(1, { cutoff: 'soon' })], { concurrency: 2 });
    expect(results[0]!.ok).toBe(true);
    expect(results[0]!.model!.forecast.mean).toHaveLength(26);
    expect(results[1]!.error?.name).toBe('ValidationError');
  });
});
