/**
 * Trains many models on worker threads with bounded concurrency. ARIMA fits
 * are CPU-bound WebAssembly, so running them on the main thread would stall
 * the event loop (the dashboard, Pub/Sub acks) for the whole seed; workers
 * keep it responsive and use every core. A job that throws, or whose worker
 * dies, becomes that job's error result; the other jobs carry on and a fresh
 * worker takes the dead one's place.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ValidationError } from '../errors';
import type { FitFailure, FitJob, FitResult, WorkerReply, WorkerRequest } from './fit-protocol';

export type { FitFailure, FitJob, FitResult } from './fit-protocol';

/**
 * The worker entry beside this file: TypeScript under jest/tsx, JavaScript
 * once compiled to `dist/`.
 */
export const FIT_WORKER_FILE = join(
  __dirname,
  __filename.endsWith('.ts') ? 'fit-worker.ts' : 'fit-worker.js',
);

export interface FitPoolOptions {
  /** Most fits at once; default `os.availableParallelism()`. */
  concurrency?: number;
  /** Worker entry speaking the fit protocol; default FIT_WORKER_FILE. */
  workerFile?: string;
  /** Wall clock for result timings; default `Date.now`. */
  now?: () => number;
  /** A job running longer than this has its worker stopped and fails as `FitTimeout`; default 120 000. */
  jobTimeoutMs?: number;
}

/** Long enough for a full-window seasonal ARIMA (seconds), short enough to notice a hung fit. */
export const DEFAULT_JOB_TIMEOUT_MS = 120_000;

/** Called after each job finishes, in completion order. */
export interface FitProgress {
  done: number;
  total: number;
  result: FitResult;
}

interface Task {
  index: number;
  job: FitJob;
  settle: (result: FitResult) => void;
}

interface Slot {
  worker: Worker;
  /** Captured at spawn: `worker.threadId` reads -1 once the thread has gone. */
  workerId: number;
  task?: { id: number; task: Task; startedAt: number; timer?: NodeJS.Timeout };
  lastError?: unknown;
  ready?: boolean;
  timedOut?: boolean;
}

/**
 * A `.ts` worker needs tsx. `--require tsx/cjs`, not `--import tsx`: on Node
 * 20.20 a worker's `--import` hooks do not reach its entry file ("Unknown file
 * extension .ts", measured), while the CommonJS hook does. Resolved to a path
 * so it works from any working directory.
 */
function workerExecArgv(file: string): string[] | undefined {
  if (!file.endsWith('.ts')) return undefined;
  return ['--require', require.resolve('tsx/cjs')];
}

/** A long-lived set of fit workers; `close()` when done. `fitMany` wraps one run. */
export class FitPool {
  readonly concurrency: number;
  private readonly workerFile: string;
  private readonly now: () => number;
  private readonly jobTimeoutMs: number;
  private readonly slots = new Set<Slot>();
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: FitPoolOptions = {}) {
    const concurrency = options.concurrency ?? availableParallelism();
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new ValidationError(`concurrency must be a positive integer, got ${concurrency}`, [
        'concurrency',
      ]);
    }
    this.concurrency = concurrency;
    this.workerFile = options.workerFile ?? FIT_WORKER_FILE;
    this.now = options.now ?? Date.now;
    this.jobTimeoutMs = options.jobTimeoutMs ?? DEFAULT_JOB_TIMEOUT_MS;
  }

  /** Runs `jobs` and resolves with one result per job, in job order; never rejects for a job's failure. */
  run(jobs: readonly FitJob[], onProgress?: (progress: FitProgress) => void): Promise<FitResult[]> {
    if (this.closed) return Promise.reject(new ValidationError('the fit pool is closed', ['pool']));
    const results: FitResult[] = new Array<FitResult>(jobs.length);
    if (jobs.length === 0) return Promise.resolve(results);
    let done = 0;
    return new Promise((resolve) => {
      jobs.forEach((job, index) => {
        this.queue.push({
          index,
          job,
          settle: (result) => {
            results[index] = result;
            done++;
            try {
              onProgress?.({ done, total: jobs.length, result });
            } catch {
              // A broken progress callback must not lose the results.
            }
            if (done === jobs.length) resolve(results);
          },
        });
      });
      this.dispatch();
    });
  }

  /** Stops every worker; jobs still queued or running are failed as `PoolClosed`. */
  async close(): Promise<void> {
    this.closed = true;
    const failure = {
      name: 'PoolClosed',
      message: 'the fit pool was closed before this job ran',
      retryable: true,
    };
    for (const task of this.queue.splice(0)) task.settle(this.failed(task.index, -1, this.now(), failure));
    const slots = [...this.slots];
    this.slots.clear();
    for (const slot of slots) {
      if (!slot.task) continue;
      clearTimeout(slot.task.timer);
      slot.task.task.settle(this.failed(slot.task.task.index, slot.workerId, slot.task.startedAt, failure));
      slot.task = undefined;
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private failed(index: number, workerId: number, startedAt: number, error: FitFailure): FitResult {
    return { ok: false, error, index, workerId, startedAt, finishedAt: this.now() };
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = [...this.slots].find((s) => !s.task);
      if (!slot) {
        if (this.slots.size >= this.concurrency) return;
        slot = this.spawn();
      }
      const task = this.queue.shift() as Task;
      const id = this.nextId++;
      const startedAt = this.now();
      const request: WorkerRequest = { id, job: task.job };
      try {
        slot.worker.postMessage(request);
      } catch (err) {
        // A job that cannot be cloned (a function in it) fails alone; the worker stays free.
        const message = (err as { message?: unknown }).message;
        task.settle(
          this.failed(task.index, slot.workerId, startedAt, {
            name: 'ValidationError',
            message: `the job cannot be sent to a worker: ${String(message)}`,
            retryable: false,
          }),
        );
        continue;
      }
      slot.task = { id, task, startedAt };
      this.armTimeout(slot);
    }
  }

  /** Starts the job clock once the worker has loaded, so a slow start-up is not charged to the fit. */
  private armTimeout(slot: Slot): void {
    if (!slot.ready || !slot.task || slot.task.timer) return;
    slot.task.timer = setTimeout(() => {
      slot.timedOut = true;
      void slot.worker.terminate();
    }, this.jobTimeoutMs);
  }

  private spawn(): Slot {
    const execArgv = workerExecArgv(this.workerFile);
    const worker = new Worker(this.workerFile, execArgv ? { execArgv } : {});
    const slot: Slot = { worker, workerId: worker.threadId };
    this.slots.add(slot);
    worker.on('message', (reply: WorkerReply) => {
      if ('ready' in reply) {
        slot.ready = true;
        this.armTimeout(slot);
        return;
      }
      const current = slot.task;
      if (!current || current.id !== reply.id) return;
      clearTimeout(current.timer);
      slot.task = undefined;
      const base = { index: current.task.index, workerId: slot.workerId, startedAt: current.startedAt };
      current.task.settle(
        reply.ok
          ? { ok: true, model: reply.model, ...base, finishedAt: this.now() }
          : { ok: false, error: reply.error, ...base, finishedAt: this.now() },
      );
      this.dispatch();
    });
    worker.on('error', (err) => {
      slot.lastError = err;
    });
    worker.on('exit', (code) => {
      if (!this.slots.delete(slot)) return;
      const current = slot.task;
      slot.task = undefined;
      if (current) {
        clearTimeout(current.timer);
        // Duck-typed: the worker's Error may come from another realm (jest's vm), failing instanceof.
        const message = (slot.lastError as { message?: unknown } | undefined)?.message;
        const cause = typeof message === 'string' ? message : `exit code ${code}`;
        current.task.settle(
          this.failed(
            current.task.index,
            slot.workerId,
            current.startedAt,
            slot.timedOut
              ? {
                  name: 'FitTimeout',
                  message: `the fit took longer than ${this.jobTimeoutMs} ms and its worker was stopped`,
                  retryable: true,
                }
              : {
                  name: 'WorkerCrashed',
                  message: `the fit worker died while training this job (${cause})`,
                  // The same data in a fresh worker might fit (out of memory under load), or crash again.
                  retryable: true,
                },
          ),
        );
      }
      if (!this.closed) this.dispatch();
    });
    return slot;
  }
}

/**
 * Trains every job on worker threads, at most `concurrency` at once, and
 * returns one result per job in job order. A failed or crashed job is an
 * `{ok: false, error}` result, never a rejection.
 */
export async function fitMany(
  jobs: readonly FitJob[],
  options: FitPoolOptions & { onProgress?: (progress: FitProgress) => void } = {},
): Promise<FitResult[]> {
  const pool = new FitPool(options);
  try {
    return await pool.run(jobs, options.onProgress);
  } finally {
    await pool.close();
  }
}
