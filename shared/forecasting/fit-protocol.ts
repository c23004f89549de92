/**
 * Messages between FitPool and its workers, and the shapes callers see. Jobs
 * and results cross a thread boundary by structured clone, so they are plain
 * data (no functions, no class instances).
 */
import type { SalesPoint, SalesSeries } from '../contracts/model';
import type { TrainedModel, TrainModelOptions } from './train-model';

/** One model to train; `options.now` is not sent (functions do not cross threads). */
export interface FitJob {
  series: SalesSeries | SalesPoint[];
  options: Omit<TrainModelOptions, 'now'>;
}

/** Why a job produced no model. A crashed worker reports `WorkerCrashed`. */
export interface FitFailure {
  name: string;
  message: string;
  retryable: boolean;
}

/** One job's outcome, in job order; timings are pool-side wall-clock milliseconds. */
export type FitResult = (
  { ok: true; model: TrainedModel; error?: undefined } | { ok: false; error: FitFailure; model?: undefined }
) & {
  index: number;
  /** Which worker ran it (a worker_threads thread id). */
  workerId: number;
  startedAt: number;
  finishedAt: number;
};

export interface WorkerRequest {
  id: number;
  job: FitJob;
}

/** A worker says `ready` once its code has loaded, so job timeouts do not count start-up. */
export type WorkerReply =
  | { ready: true; id?: undefined }
  | { id: number; ok: true; model: TrainedModel }
  | { id: number; ok: false; error: FitFailure };
