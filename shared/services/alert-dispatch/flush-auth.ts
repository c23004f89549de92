/**
 * Who may call the flush entry (`alertDispatchFlush`), which sends every
 * pending notification now. On Google Cloud it is deployed without a public
 * invoker and with FG_FLUSH_AUTH=iam: Cloud Run IAM admits only the Cloud
 * Scheduler job's identity token (its own service account holds
 * `run.invoker` on that function alone) before this code runs. Everywhere
 * else (a laptop, the local stack) the caller must send
 * `Authorization: Bearer <FG_FLUSH_TOKEN>`, compared in constant time, and
 * every call is refused while no token is set. The mode is configured, not
 * guessed from the environment Cloud Run sets. Pure; the wiring maps the
 * config to these settings (`flushAuthSettings` in shared/wiring/alerting.ts).
 */
import { sameSecret } from '../rollback/http-auth';

/** `token`: a bearer token is required (refused while none is set); `iam`: Cloud Run IAM already admitted the caller. */
export interface FlushAuthSettings {
  readonly auth: 'token' | 'iam';
  /** Secret. */
  readonly token?: string;
}

/** Let the call through (and on what grounds), or the status and reason to refuse it with. */
export type FlushAuthDecision =
  { ok: true; via: 'iam' | 'bearer' } | { ok: false; status: 401 | 403; reason: string };

/** 401 without a usable credential (or no token configured), 403 for a wrong bearer token. */
export function authorizeFlushCall(
  authorization: string | undefined,
  auth: FlushAuthSettings,
): FlushAuthDecision {
  if (auth.auth === 'iam') return { ok: true, via: 'iam' };
  if (!auth.token) {
    return {
      ok: false,
      status: 401,
      reason: 'the flush entry is disabled here: set FG_FLUSH_TOKEN to enable it',
    };
  }
  const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (token === undefined) {
    return {
      ok: false,
      status: 401,
      reason: 'missing credentials: send Authorization: Bearer <FG_FLUSH_TOKEN>',
    };
  }
  if (!sameSecret(token, auth.token))
    return { ok: false, status: 403, reason: 'the bearer token is not valid' };
  return { ok: true, via: 'bearer' };
}
