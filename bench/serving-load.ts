/**
 * Predictions under 100 concurrent requests through the ServingTarget port
 * (issue 15, item 6), for bench/load.ts: the embedded serving target on a
 * fleet seeded as `forecast-guard seed` seeds it, and the local Vertex AI
 * server through the real client (VertexServingTarget over the generated
 * gRPC clients, with the process's rate limiter, as production wires it).
 *
 * The Vertex server enforces the documented request quotas
 * (https://cloud.google.com/vertex-ai/docs/quotas: 30,000 online prediction
 * requests a minute per region, 600 resource-management requests); seeding
 * runs with them lifted, then the windows start afresh at the documented
 * values before the load. A RESOURCE_EXHAUSTED that reaches the caller is
 * counted as an error; ones the server refused and the limiter absorbed are
 * printed beside it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVertexClients } from '../shared/adapters/gcp/vertex-clients';
import { VertexModelRegistry } from '../shared/adapters/gcp/vertex-model-registry';
import { DOCUMENTED_VERTEX_QUOTAS, VertexRateLimiter } from '../shared/adapters/gcp/vertex-quota';
import { VertexServingTarget } from '../shared/adapters/gcp/vertex-serving-target';
import { loadConfig } from '../shared/config';
import { isbn13CheckDigit } from '../shared/domain/isbn';
import type { ServingTarget } from '../shared/ports/serving-target';
import { openBackend, SALES_CSV_FILE } from '../shared/wiring/backend';
import { seedEmbeddedFleet } from '../shared/wiring/seed';
import { startVertexServer } from '../test/helpers/vertex-server';
import { quantile } from './stats';
import { benchVersion, liftedSeedingClients } from './vertex-seeding';

export const PREDICT_CONCURRENCY = 100;
const WHERE = { projectId: 'demo-bench-load', location: 'europe-west2' };
const PREFIX = 'forecast-';
/** What one caller asks: a quarter's forecast with its interval, as the dashboard's serving check does. */
const INSTANCES = [{ steps: 13, return_confidence_intervals: true }];

export interface PredictLoad {
  requests: number;
  errors: number;
  firstError?: string;
  p50Ms: number;
  p99Ms: number;
  perSecond: number;
}

/** `total` predict calls, `PREDICT_CONCURRENCY` in flight at every moment, spread over `isbns`. */
export async function predictLoad(
  serving: ServingTarget,
  isbns: string[],
  total: number,
): Promise<PredictLoad> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: PREDICT_CONCURRENCY }, async () => {
      while (next < total) {
        const isbn = isbns[next++ % isbns.length] as string;
        const t = performance.now();
        try {
          await serving.predict(isbn, INSTANCES);
        } catch (err) {
          errors++;
          firstError ??= err instanceof Error ? err.message : String(err);
        }
        latencies.push(performance.now() - t);
      }
    }),
  );
  const wallMs = performance.now() - started;
  return {
    requests: total,
    errors,
    ...(firstError !== undefined ? { firstError } : {}),
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    perSecond: total / (wallMs / 1000),
  };
}

/** The embedded serving target of a freshly seeded fleet of `books` books. */
export async function embeddedPredictLoad(books: number, total: number): Promise<PredictLoad> {
  const stateDir = mkdtempSync(join(tmpdir(), 'fg-bench-predict-'));
  const backend = openBackend(loadConfig({ FG_STATE_DIR: stateDir, FG_LOG_LEVEL: 'error' }));
  try {
    await seedEmbeddedFleet({ stateDir, salesCsv: join(stateDir, SALES_CSV_FILE), books, seed: 42 }, backend);
    const isbns = (await backend.serving.listServing()).map((s) => s.isbn);
    return await predictLoad(backend.serving, isbns, total);
  } finally {
    await backend.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

function isbnAt(n: number): string {
  const first12 = `978${String(200_000_000 + n).padStart(9, '0')}`;
  return first12 + String(isbn13CheckDigit(first12));
}

export interface VertexPredictLoad extends PredictLoad {
  /** Calls the server admitted and refused (RESOURCE_EXHAUSTED) per quota class during the load. */
  admitted: Record<string, number>;
  refused: Record<string, number>;
  quotaPerMinute: number;
}

/** `books` endpoints on the local Vertex server, each serving one version, then the load through the real client. */
export async function vertexPredictLoad(books: number, total: number): Promise<VertexPredictLoad> {
  const server = await startVertexServer();
  const isbns = Array.from({ length: books }, (_, i) => isbnAt(i));
  try {
    const seeding = liftedSeedingClients(server, WHERE);
    try {
      const registry = new VertexModelRegistry({ ...WHERE, clients: seeding });
      const serving = new VertexServingTarget({ ...WHERE, clients: seeding, endpointPrefix: PREFIX });
      for (const isbn of isbns) {
        await registry.registerVersion(benchVersion(isbn, 26));
        await serving.setTraffic(isbn, { '1': 100 });
      }
    } finally {
      await seeding.close();
    }
    // The load: documented quotas, fresh windows, a client as production builds it.
    server.world.resetQuotas();
    const clients = createVertexClients({
      ...WHERE,
      apiEndpoint: server.apiEndpoint,
      limiter: new VertexRateLimiter({}),
    });
    try {
      const serving = new VertexServingTarget({ ...WHERE, clients, endpointPrefix: PREFIX });
      const load = await predictLoad(serving, isbns, total);
      return {
        ...load,
        admitted: { ...server.world.quota.admitted },
        refused: { ...server.world.quota.refused },
        quotaPerMinute: DOCUMENTED_VERTEX_QUOTAS.online_prediction,
      };
    } finally {
      await clients.close();
    }
  } finally {
    await server.stop();
  }
}
