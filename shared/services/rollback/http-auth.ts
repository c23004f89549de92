/**
 * Who may call the rollback HTTP function. On Google Cloud the function has
 * no public invoker: IAM checks the caller's identity token before our code
 * runs, and the Authorization header then carries that token, not ours. Off
 * Google Cloud (a laptop, the local stack) nothing does that, so the function
 * demands `Authorization: Bearer <FG_ROLLBACK_TOKEN>` itself, compared in
 * constant time. Pure: the caller says where it runs.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Let the call through (and say on what grounds), or the HTTP status and reason to refuse it with. */
export type AuthDecision =
  { ok: true; via: 'iam' | 'bearer' } | { ok: false; status: 401 | 403; reason: string };

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Constant-time equality of two secrets of any lengths (compares their SHA-256 digests). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * 401 when there is no usable credential (no header, not a bearer token, or
 * no token configured locally); 403 when a bearer token is given but wrong.
 */
export function authorizeRollbackCall(input: {
  /** Running on Google Cloud (Cloud Functions / Cloud Run set K_SERVICE): IAM already checked the caller. */
  onGoogleCloud: boolean;
  authorization: string | undefined;
  /** FG_ROLLBACK_TOKEN; unset refuses every local call. */
  token: string | undefined;
}): AuthDecision {
  if (input.onGoogleCloud) return { ok: true, via: 'iam' };
  if (!input.token) {
    return {
      ok: false,
      status: 401,
      reason: 'HTTP rollback is disabled here: set FG_ROLLBACK_TOKEN to enable it',
    };
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(input.authorization ?? '');
  if (!match) {
    return {
      ok: false,
      status: 401,
      reason: 'missing credentials: send Authorization: Bearer <FG_ROLLBACK_TOKEN>',
    };
  }
  if (!sameSecret(match[1]!, input.token))
    return { ok: false, status: 403, reason: 'the bearer token is not valid' };
  return { ok: true, via: 'bearer' };
}
