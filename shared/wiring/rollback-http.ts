/**
 * rollbackHttp's HTTP handling, in order: the body size
 * (ROLLBACK_BODY_LIMIT_BYTES, see shared/runtime/bounded-body.ts for what the
 * functions framework has read by then), then the caller
 * (shared/services/rollback/http-auth.ts): with FG_ROLLBACK_AUDIENCE set
 * (infra sets it on Google Cloud) a Google-signed identity token for that
 * audience, verified again after IAM's check; otherwise
 * `Authorization: Bearer <FG_ROLLBACK_TOKEN>`, every call refused while that
 * is unset. `K_SERVICE` decides nothing. Then the method, then the body. The
 * verified caller (the token's email, or `local-token`) is recorded beside
 * the claimed `requestedBy`.
 *
 * Answers: 200 all done, 207 some books failed, 400 bad body (fields named),
 * 401 no or unverifiable credentials, 403 wrong token, 404 unknown
 * ISBN/version, 405 not POST, 409 in progress or refused, 413 body over
 * 256 KiB, 503 a backend is down.
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import { RollbackRequest } from '../contracts/messages/rollback-request';
import { parseWith } from '../contracts/parse';
import {
  BackendUnavailableError,
  ConflictError,
  describeError,
  NotFoundError,
  ValidationError,
} from '../errors';
import { isValidCorrelationId, newCorrelationId } from '../logging/correlation';
import type { Logger } from '../logging/logger';
import { checkBodySize } from '../runtime/bounded-body';
import { applyRollback, succeeded, type RollbackPorts, type RollbackSettings } from '../services/rollback';
import {
  authorizeRollbackCall,
  googleIdTokenVerifier,
  rollbackAuthMode,
  type CertificateSource,
  type IdTokenVerifier,
} from '../services/rollback/http-auth';
import { functionRuntime, type FunctionRuntime } from './function-runtime';
import { processHolder, rollbackSettings } from './rollback-settings';

/**
 * The largest body rollbackHttp reads: 256 KiB. The largest valid
 * RollbackRequest (5,000 ISBNs, a 1,000-character reason) is about 90 KB,
 * 115 KB pretty-printed; anything bigger is not a request.
 */
export const ROLLBACK_BODY_LIMIT_BYTES = 256 * 1024;

/** For tests only: where the identity-token verifier gets its certificates (default: Google's). */
export const rollbackHttpTestHooks: { certificates?: CertificateSource } = {};

let verifier: { source?: CertificateSource; verifier: IdTokenVerifier } | undefined;
function idTokenVerifier(): IdTokenVerifier {
  const source = rollbackHttpTestHooks.certificates;
  if (!verifier || verifier.source !== source) verifier = { source, verifier: googleIdTokenVerifier(source) };
  return verifier.verifier;
}

/** The rollback service's ports for one call, logging to `logger`. */
export function rollbackPortsFor(rt: FunctionRuntime, logger: Logger): RollbackPorts {
  const { state, registry, serving, bus, clock } = rt.backend;
  return { state, registry, serving, bus, clock, logger };
}

/** The rollback function's settings for one call by `verifiedCaller`. */
export function rollbackFunctionSettings(rt: FunctionRuntime, verifiedCaller: string): RollbackSettings {
  return rollbackSettings(rt.config, { holder: processHolder('rollback'), verifiedCaller });
}

function statusFor(err: unknown): number {
  if (err instanceof ValidationError) return 400;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof ConflictError) return 409;
  if (err instanceof BackendUnavailableError) return 503;
  return 500;
}

/**
 * The JSON body, whatever the content type said (gcloud sends
 * application/json; curl may send none, or a form type): the framework's
 * parse of a JSON body, else the raw bytes parsed here.
 */
function bodyOf(req: Request, raw: Buffer | undefined): unknown {
  const parsed: unknown = req.body;
  if (
    req.is('application/json') &&
    typeof parsed === 'object' &&
    parsed !== null &&
    !Buffer.isBuffer(parsed)
  ) {
    return parsed;
  }
  if (raw === undefined) return parsed;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new ValidationError(`body: must be a JSON RollbackRequest (${(err as Error).message})`, ['body']);
  }
}

/** Answers one rollbackHttp call (see the file comment). */
export async function handleRollbackCall(req: Request, res: Response): Promise<void> {
  // First of all, before the token is looked at or a byte of the body is parsed here.
  const size = await checkBodySize(req, ROLLBACK_BODY_LIMIT_BYTES, 'a RollbackRequest is far smaller');
  if (!size.ok) {
    res.status(size.status).set('Connection', 'close').json({ error: size.reason });
    return;
  }
  let rt: FunctionRuntime;
  try {
    rt = await functionRuntime('rollback');
  } catch (err) {
    res.status(500).json({ error: `the rollback function cannot start: ${describeError(err)}` });
    return;
  }
  const mode = rollbackAuthMode(rt.config);
  const auth = await authorizeRollbackCall({
    mode,
    authorization: req.get('authorization'),
    ...(mode.kind === 'google-id-token' ? { verifier: idTokenVerifier() } : {}),
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
  const log = rt.logger.child({ correlationId: fallback, verifiedCaller: auth.caller });
  try {
    const body = bodyOf(req, size.raw);
    const withCorrelation =
      typeof body === 'object' && body !== null && !Array.isArray(body) && !('correlationId' in body)
        ? { ...body, correlationId: fallback }
        : body;
    const request = parseWith(RollbackRequest, withCorrelation, 'RollbackRequest');
    const result = await applyRollback(
      request,
      rollbackPortsFor(rt, log.child({ correlationId: request.correlationId })),
      rollbackFunctionSettings(rt, auth.caller),
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
}
