/**
 * Seeding a local Vertex AI server for a bench: quotas lifted and operations
 * instant while the world is built, so only the measured part runs at the
 * documented quotas (the bench restores them with `server.world.resetQuotas`).
 */
import { createVertexClients, type VertexClients } from '../shared/adapters/gcp/vertex-clients';
import { VertexRateLimiter } from '../shared/adapters/gcp/vertex-quota';
import type { LocalVertexServer } from '../test/helpers/vertex-server';

/** Quotas no seeding reaches. */
export const LIFTED = {
  online_prediction: 1e9,
  online_explain: 1e9,
  resource_management: 1e9,
  lro_submission: 1e9,
};

/** Lifts the server's quotas and returns clients for seeding it (close them when done). */
export function liftedSeedingClients(
  server: LocalVertexServer,
  where: { projectId: string; location: string },
): VertexClients {
  server.world.resetQuotas(LIFTED);
  server.world.operationDelayMs = 0;
  return createVertexClients({
    ...where,
    apiEndpoint: server.apiEndpoint,
    lroFirstPollMs: 5,
    limiter: new VertexRateLimiter({ quotas: LIFTED }),
  });
}

/** A version for a bench book: a straight-line forecast of `weeks` weeks with its interval, fixed metrics and data. */
export function benchVersion(isbn: string, weeks: number) {
  const mean = Array.from({ length: weeks }, (_, w) => 100 - w);
  return {
    isbn,
    metrics: { rmse: 40, mape: 12 },
    dataHash: 'sha256:bench',
    trainedThrough: '2024-04-27',
    forecast: { mean, lower: mean.map((m) => m - 10), upper: mean.map((m) => m + 10) },
  };
}
