/**
 * Worker-thread entry for FitPool: receives fit jobs, runs `trainModel`, and
 * posts back the model or the error (name, message, retryable). Each worker
 * has its own WebAssembly ARIMA instance, so fits in different workers never
 * share state.
 */
import { parentPort } from 'node:worker_threads';
import { ForecastGuardError } from '../errors';
import type { FitJob, WorkerReply, WorkerRequest } from './fit-protocol';
import { trainModel } from './train-model';

function runJob(job: FitJob) {
  return trainModel(job.series, job.options);
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (request: WorkerRequest) => {
    let reply: WorkerReply;
    try {
      reply = { id: request.id, ok: true, model: runJob(request.job) };
    } catch (err) {
      reply = {
        id: request.id,
        ok: false,
        error: {
          name: err instanceof Error ? err.name : 'Error',
          message: err instanceof Error ? err.message : String(err),
          retryable: err instanceof ForecastGuardError ? err.retryable : false,
        },
      };
    }
    port.postMessage(reply);
  });
  const ready: WorkerReply = { ready: true };
  port.postMessage(ready);
}
