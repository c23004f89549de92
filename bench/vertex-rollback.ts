/**
 * A 500-book emergency rollback on Vertex AI at the real default quotas
 * (issue 12): the local Vertex server enforces the documented per-region
 * request quotas (https://cloud.google.com/vertex-ai/docs/quotas; 600 CRUD,
 * 60 LRO submissions, 600 explains, 30,000 predictions a minute), and the
 * rollback runs through the production wiring (FG_REGISTRY=vertex), whose
 * clients wait on the process's rate limiter. Every book has versions 1 and 2
 * deployed, traffic on 2; the rollback moves every book back to 1.
 *
 * Printed: wall time; calls per quota class (counted by the server) and per
 * book, per RPC; the quota floor — calls ÷ quota per minute for each class,
 * the largest of them being the least time any client could take — and the
 * ratio time / floor. The bench fails if a RESOURCE_EXHAUSTED reached the
 * caller (a book that did not roll back, or the limiter giving up).
 *
 * Seeding is the pipeline's past, not the measurement: it runs with the
 * server's quotas lifted and its own unthrottled clients, then the server's
 * quota windows start afresh at the documented values. The deployments carry
 * no explanation spec: verification predicts and checks which deployed model
 * answered, and the server refuses Explain without one, as Vertex does.
 *
 *   npx tsx bench/vertex-rollback.ts [--books 500] [--concurrency 16] [--operation-ms 300]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VertexModelRegistry } from '../shared/adapters/gcp/vertex-model-registry';
import {
  currentVertexLimiter,
  DOCUMENTED_VERTEX_QUOTAS,
  VERTEX_QUOTA_CLASSES,
  type VertexQuotaClass,
} from '../shared/adapters/gcp/vertex-quota';
import { VertexServingTarget } from '../shared/adapters/gcp/vertex-serving-target';
import { loadConfig } from '../shared/config';
import { COLLECTIONS } from '../shared/contracts/collections';
import type { LastKnownGood } from '../shared/contracts/documents/last-known-good';
import { isbn13CheckDigit } from '../shared/domain/isbn';
import { createSilentLogger } from '../shared/logging/capture';
import { PRODUCTION_ALIAS } from '../shared/ports/model-registry';
import type { DocData } from '../shared/ports/state-store';
import { applyRollback, type RollbackResult } from '../shared/services/rollback';
import { openBackend } from '../shared/wiring/backend';
import { ensureTopology } from '../shared/wiring/topology-setup';
import { startVertexServer, type LocalVertexServer } from '../test/helpers/vertex-server';
import { fmtMs, numberFlag, row } from './stats';
import { benchVersion, liftedSeedingClients } from './vertex-seeding';

const BOOKS = numberFlag('books', 500);
const CONCURRENCY = numberFlag('concurrency', 16);
const OPERATION_MS = numberFlag('operation-ms', 300);
const WHERE = { projectId: 'demo-bench-vertex', location: 'europe-west2' };
const PREFIX = 'forecast-';

function isbnAt(n: number): string {
  const first12 = `978${String(100_000_000 + n).padStart(9, '0')}`;
  return first12 + String(isbn13CheckDigit(first12));
}

/** Runs `fn` over `items`, `limit` at a time. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

/** Versions 1 and 2 of every book, both deployed, all traffic on 2, production alias on 2. */
async function seed(server: LocalVertexServer, isbns: string[]): Promise<void> {
  const clients = liftedSeedingClients(server, WHERE);
  try {
    const registry = new VertexModelRegistry({ ...WHERE, clients });
    const serving = new VertexServingTarget({ ...WHERE, clients, endpointPrefix: PREFIX });
    await pool(isbns, 16, async (isbn) => {
      for (let v = 0; v < 2; v++) await registry.registerVersion(benchVersion(isbn, 8));
      await serving.setTraffic(isbn, { '1': 100 });
      await serving.setTraffic(isbn, { '2': 100 });
      await registry.setAlias(isbn, PRODUCTION_ALIAS, '2');
    });
  } finally {
    await clients.close();
  }
  server.world.operationDelayMs = OPERATION_MS;
  server.world.resetQuotas();
}

async function main(): Promise<void> {
  const server = await startVertexServer();
  const dir = mkdtempSync(join(tmpdir(), 'fg-bench-vertex-rollback-'));
  const isbns = Array.from({ length: BOOKS }, (_, i) => isbnAt(i));
  process.stdout.write(
    `vertex rollback bench: ${BOOKS} books, concurrency ${CONCURRENCY}, operations take ${OPERATION_MS} ms, documented quotas per minute ${JSON.stringify(DOCUMENTED_VERTEX_QUOTAS)}\n`,
  );
  const seeding = performance.now();
  await seed(server, isbns);
  process.stdout.write(`  (seeded ${BOOKS} books in ${fmtMs(performance.now() - seeding)}, quotas lifted)\n`);

  const backend = openBackend(
    loadConfig({
      FG_STATE_DIR: dir,
      FG_LOG_LEVEL: 'error',
      FG_REGISTRY: 'vertex',
      GOOGLE_CLOUD_PROJECT: WHERE.projectId,
      FG_REGION: WHERE.location,
      FG_VERTEX_API_ENDPOINT: server.apiEndpoint,
      FG_VERTEX_ENDPOINT_PREFIX: PREFIX,
    }),
  );
  try {
    await ensureTopology(backend.bus);
    await backend.state.batchSet(
      isbns.map((isbn) => {
        const data: LastKnownGood = {
          isbn,
          version: '2',
          validatedAt: '2024-05-01T00:00:00.000Z',
          setBy: 'bench',
        };
        return { collection: COLLECTIONS.lastKnownGood, id: isbn, data: data as unknown as DocData };
      }),
    );
    let finished = 0;
    const started = performance.now();
    const ticker = setInterval(() => {
      const limiter = currentVertexLimiter();
      if (limiter)
        process.stdout.write(
          `  … ${finished}/${BOOKS} books, ${fmtMs(performance.now() - started)}, server calls ${JSON.stringify(server.world.quota.admitted)}\n`,
        );
    }, 30_000);
    let result: RollbackResult;
    try {
      result = (await applyRollback(
        {
          requestId: `bench-vertex-${Date.now()}`,
          reason: 'bench: emergency rollback of the fleet',
          requestedBy: 'bench',
          correlationId: 'bench-vertex',
          scope: { all: true },
          target: { kind: 'previous' },
        },
        {
          state: backend.state,
          registry: backend.registry,
          serving: backend.serving,
          bus: backend.bus,
          clock: backend.clock,
          logger: createSilentLogger(),
          onProgress: (p) => {
            if (p.phase === 'finished') finished = p.done;
          },
        },
        { holder: `bench@local:${process.pid}`, options: { concurrency: CONCURRENCY } },
      )) as RollbackResult;
    } finally {
      clearInterval(ticker);
    }
    const wallMs = performance.now() - started;
    report(server, wallMs, result);
  } finally {
    await backend.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(server: LocalVertexServer, wallMs: number, result: RollbackResult): void {
  const calls = server.world.quota.admitted as Record<VertexQuotaClass, number>;
  const refused = server.world.quota.refused as Record<VertexQuotaClass, number>;
  const floors = VERTEX_QUOTA_CLASSES.map((cls) => ({
    cls,
    floorMs: (calls[cls] / DOCUMENTED_VERTEX_QUOTAS[cls]) * 60_000,
  }));
  const floor = Math.max(...floors.map((f) => f.floorMs));
  const limiterStats = currentVertexLimiter()?.stats();
  for (const { cls, floorMs } of floors) {
    row(
      `  ${cls}`,
      `${String(calls[cls]).padStart(6)} calls (${(calls[cls] / BOOKS).toFixed(2)}/book)`,
      `quota ${String(DOCUMENTED_VERTEX_QUOTAS[cls]).padStart(6)}/min`,
      `floor ${fmtMs(floorMs).padStart(9)}`,
      `429s absorbed ${refused[cls]}${limiterStats ? `, waits summed over calls ${fmtMs(limiterStats[cls].waitedMs)}` : ''}`,
    );
  }
  const perBook = [...server.world.quota.byMethod.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([method, n]) => `${method} ${(n / BOOKS).toFixed(2)}`)
    .join(', ');
  process.stdout.write(`  calls per book: ${perBook}\n`);
  const failed = result.results.filter((r) => r.status !== 'succeeded');
  row(
    `${BOOKS}-book emergency rollback`,
    `time ${fmtMs(wallMs).padStart(9)}`,
    `quota floor ${fmtMs(floor).padStart(9)}`,
    `ratio ${(wallMs / Math.max(floor, 1)).toFixed(2)}×`,
    `books rolled back ${result.results.length - failed.length}/${result.results.length}`,
  );
  const gaveUp = limiterStats
    ? VERTEX_QUOTA_CLASSES.reduce((n, cls) => n + limiterStats[cls].exhausted, 0)
    : 0;
  if (failed.length > 0 || gaveUp > 0) {
    throw new Error(
      `the rollback did not stay within quota: ${failed.length} books failed (first: ${JSON.stringify(failed[0])}), ${gaveUp} calls reached the caller as RESOURCE_EXHAUSTED`,
    );
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
