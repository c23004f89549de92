/**
 * rollback: rolls books back to another version (DESIGN §4, §5), from two
 * entry points sharing one service:
 * - `rollback` — Pub/Sub on `rollback-requests` (what post-deploy validation,
 *   `gcloud pubsub topics publish` and scripts send). A refused request is
 *   dead-lettered with the reason; one still in progress is retried.
 * - `rollbackHttp` — HTTP POST of a JSON RollbackRequest
 *   (`gcloud functions call rollback …`), answering every book's outcome and
 *   timing: 200 all done, 207 some books failed, 400 bad body (fields named),
 *   401 no credentials, 403 wrong token, 404 unknown ISBN/version, 405 not
 *   POST, 409 in progress or refused, 503 a backend is down.
 *
 * Authentication: on Google Cloud the HTTP function is deployed without a
 * public invoker (no `allUsers`), so IAM checks the caller's identity token
 * (`roles/cloudfunctions.invoker` / `run.invoker`) before this code runs; it
 * recognises Google Cloud by `K_SERVICE`. Anywhere else it requires
 * `Authorization: Bearer <FG_ROLLBACK_TOKEN>` (constant-time compare) and
 * refuses every call while that variable is unset.
 */
import * as functions from '@google-cloud/functions-framework';
import { hostname } from 'node:os';
import { RollbackRequest } from '../../shared/contracts/messages/rollback-request';
import { parseWith } from '../../shared/contracts/parse';
import {
  BackendUnavailableError,
  ConflictError,
  describeError,
  NotFoundError,
  ValidationError,
} from '../../shared/errors';
import { isValidCorrelationId, newCorrelationId } from '../../shared/logging/correlation';
import type { Logger } from '../../shared/logging/logger';
import { handlePubSubDelivery } from '../../shared/runtime/pubsub-function';
import { applyRollback, succeeded, type RollbackDeps } from '../../shared/services/rollback';
import { authorizeRollbackCall } from '../../shared/services/rollback/http-auth';
import { functionRuntime, type FunctionRuntime } from '../../shared/wiring/function-runtime';

/** Pub/Sub entry point (`--entry-point`), consuming `rollback-requests`. */
export const ENTRY_POINT = 'rollback';
/** HTTP entry point, deployed as `rollback-http` (infra/). */
export const HTTP_ENTRY_POINT = 'rollbackHttp';

function depsFor(rt: FunctionRuntime, logger: Logger): RollbackDeps {
  const { state, registry, serving, bus, clock } = rt.backend;
  return {
    state,
    registry,
    serving,
    bus,
    clock,
    logger,
    holder: `rollback@${hostname()}:${process.pid}`,
    environment: rt.config.environment,
  };
}

functions.cloudEvent(ENTRY_POINT, async (event: functions.CloudEvent<unknown>) => {
  const rt = await functionRuntime('rollback');
  await handlePubSubDelivery(
    {
      consumer: 'rollback',
      topic: 'rollback-requests',
      schema: RollbackRequest,
      what: 'RollbackRequest',
      handle: async (request, ctx) => {
        const result = await applyRollback(request, depsFor(rt, ctx.logger));
        const failed =
          'dryRun' in result
            ? []
            : result.results.filter((r) => r.status === 'failed' || r.status === 'restored');
        ctx.logger.info(`rollback request ${request.requestId} handled`, {
          rollbackId: result.rollbackId,
          books: result.results.length,
          failed: failed.map((r) => r.isbn),
          durationMs: result.durationMs,
        });
      },
    },
    event,
    { ...rt.backend, logger: rt.logger, ids: rt.ids },
  );
});

function statusFor(err: unknown): number {
  if (err instanceof ValidationError) return 400;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof ConflictError) return 409;
  if (err instanceof BackendUnavailableError) return 503;
  return 500;
}

/** The JSON body, whatever the content type said (gcloud sends application/json; curl may not). */
function bodyOf(req: functions.Request): unknown {
  const body: unknown = req.body;
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : undefined;
  if (text === undefined) return body;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`body: must be a JSON RollbackRequest (${(err as Error).message})`, ['body']);
  }
}

functions.http(HTTP_ENTRY_POINT, async (req: functions.Request, res: functions.Response) => {
  let rt: FunctionRuntime;
  try {
    rt = await functionRuntime('rollback');
  } catch (err) {
    res.status(500).json({ error: `the rollback function cannot start: ${describeError(err)}` });
    return;
  }
  const auth = authorizeRollbackCall({
    onGoogleCloud: Boolean(process.env.K_SERVICE),
    authorization: req.get('authorization'),
    token: rt.config.rollbackToken,
  });
  if (!auth.ok) {
    rt.logger.warning(`rollback call refused: ${auth.reason}`, { status: auth.status, ip: req.ip });
    res.status(auth.status).set('WWW-Authenticate', 'Bearer').json({ error: auth.reason });
    return;
  }
  if (req.method !== 'POST') {
    res.status(405).set('Allow', 'POST').json({ error: 'use POST with a JSON RollbackRequest body' });
    return;
  }
  const header = req.get('x-correlation-id');
  const fallback = isValidCorrelationId(header) ? header : newCorrelationId(rt.ids);
  const log = rt.logger.child({ correlationId: fallback });
  try {
    const body = bodyOf(req);
    const withCorrelation =
      typeof body === 'object' && body !== null && !Array.isArray(body) && !('correlationId' in body)
        ? { ...body, correlationId: fallback }
        : body;
    const request = parseWith(RollbackRequest, withCorrelation, 'RollbackRequest');
    const result = await applyRollback(
      request,
      depsFor(rt, log.child({ correlationId: request.correlationId })),
    );
    const ok = 'dryRun' in result || succeeded(result);
    res.status(ok ? 200 : 207).json(result);
  } catch (err) {
    const status = statusFor(err);
    log[status >= 500 ? 'error' : 'warning'](`rollback call failed: ${describeError(err)}`, {
      status,
      error: err,
    });
    const fields = err instanceof ValidationError ? err.fields : undefined;
    res.status(status).json({ error: (err as Error).message ?? String(err), ...(fields ? { fields } : {}) });
  }
});
