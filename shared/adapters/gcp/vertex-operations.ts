/**
 * Long-running operations with a bound, and the DeployedModel ids that make
 * DeployModel idempotent.
 *
 * A redelivered deployment must never start a second one. Vertex lets the
 * caller choose `DeployedModel.id` (1–10 digits, unique on the Endpoint; its
 * own generated ids are longer), so forecast-guard derives the id from the
 * Model version it deploys: the same version gets the same id on every
 * attempt, and a second DeployModel is refused with ALREADY_EXISTS, which the
 * serving target reads as "already deployed (or deploying)" and waits for.
 * This was chosen over saving the operation name because it needs no storage
 * and holds across processes and restarts.
 */
import { createHash } from 'node:crypto';
import { BackendUnavailableError } from '../../errors';
import { VERTEX_BACKEND } from './vertex-errors';
import { modelIdOf } from './vertex-names';

/**
 * The DeployedModel id for one Model version: 10 decimal digits from a hash
 * of the Model id and versionId, no leading zero. Model ids are compared,
 * not full names, because Vertex answers with the project number.
 */
export function deployedModelIdFor(model: string, versionId: string): string {
  const digest = createHash('sha256')
    .update(`${modelIdOf(model) ?? model}@${versionId}`)
    .digest();
  const n = digest.readBigUInt64BE(0) % 9_000_000_000n;
  return String(1_000_000_000n + n);
}

/** What `operation.promise()` gives; only the shape used here. */
interface Awaitable<T> {
  name?: string | null;
  promise(): Promise<T>;
}

/**
 * Waits for a long-running operation, at most `timeoutMs` (the serving target
 * passes FG_VERTEX_LRO_DEADLINE, the bound gax's polling has too). On timeout the
 * error is retryable and names the operation: the work may still finish, and
 * a retry finds it (by its DeployedModel id) instead of starting another.
 */
export async function awaitOperation<T>(
  operation: Awaitable<T>,
  what: string,
  timeoutMs: number,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new BackendUnavailableError(
          `Vertex AI: ${what} did not finish within ${Math.round(timeoutMs / 1000)} s (operation ${operation.name ?? 'unnamed'}); it may still complete, and a retry will find it`,
          VERTEX_BACKEND,
          { retryable: true },
        ),
      );
    }, timeoutMs);
    timer.unref?.();
  });
  try {
    return await Promise.race([operation.promise(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
