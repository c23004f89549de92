/**
 * rollback: rolls books back to another version, from two
 * entry points sharing one service:
 * - `rollback` — Pub/Sub on `rollback-requests` (what post-deploy validation,
 *   `gcloud pubsub topics publish` and scripts send). A refused request is
 *   dead-lettered with the reason; one still in progress is retried.
 * - `rollbackHttp` — HTTP POST of a JSON RollbackRequest
 *   (`gcloud functions call rollback …`), answering every book's outcome and
 *   timing; its checks, in order, and its status codes:
 *   shared/wiring/rollback-http.ts.
 *
 * Pub/Sub requests carry no caller identity: Pub/Sub does not tell a
 * subscriber who published, and the push's own token (which the framework
 * does not hand to the handler anyway) names the subscription's service
 * account, not the publisher. Their records say so (PUBSUB_CALLER).
 */
import { applyRollback } from '../../shared/services/rollback';
import { httpFunction, pubsubFunction } from '../../shared/wiring/entry-points';
import {
  handleRollbackCall,
  rollbackFunctionSettings,
  rollbackPortsFor,
} from '../../shared/wiring/rollback-http';

export { ROLLBACK_BODY_LIMIT_BYTES, rollbackHttpTestHooks } from '../../shared/wiring/rollback-http';

/** What `verifiedCaller` says for a request that came through Pub/Sub: nobody was verified (see above). */
export const PUBSUB_CALLER = 'pubsub:publisher-not-identified';

/** Pub/Sub entry point (`--entry-point`), consuming `rollback-requests`. */
export const ENTRY_POINT = pubsubFunction('rollback', async (request, ctx, rt) => {
  const result = await applyRollback(
    request,
    rollbackPortsFor(rt, ctx.logger),
    rollbackFunctionSettings(rt, PUBSUB_CALLER),
  );
  const failed =
    'dryRun' in result ? [] : result.results.filter((r) => r.status === 'failed' || r.status === 'restored');
  ctx.logger.info(`rollback request ${request.requestId} handled`, {
    rollbackId: result.rollbackId,
    books: result.results.length,
    failed: failed.map((r) => r.isbn),
    durationMs: result.durationMs,
  });
});

/** HTTP entry point, deployed as `rollback-http` (infra/). */
export const HTTP_ENTRY_POINT = httpFunction('rollback', handleRollbackCall);
