/**
 * Who may call the rollback HTTP function, and who they are. The mode is an
 * explicit setting, never guessed from the environment (`K_SERVICE` is set
 * by anyone who likes, the functions framework included):
 * - `google-id-token` (FG_ROLLBACK_AUDIENCE set; infra sets it on Google
 *   Cloud): Cloud Run's IAM has already checked the caller's identity token
 *   (`run.invoker`); the function verifies it again — Google's signature,
 *   issuer, expiry and one of the expected audiences — with
 *   google-auth-library, and takes the caller's identity from it. The
 *   bearer token is not accepted in this mode.
 * - `bearer` (anywhere else: a laptop, the local stack): `Authorization:
 *   Bearer <FG_ROLLBACK_TOKEN>`, compared in constant time; every call is
 *   refused while that variable is unset. The caller is recorded as
 *   `local-token`: whoever holds the token, not a person.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type * as GoogleAuthLibrary from 'google-auth-library';

/** How rollback-http authenticates; see the module comment. */
export type RollbackAuthMode =
  { kind: 'google-id-token'; audiences: readonly string[] } | { kind: 'bearer'; token?: string };

/** What `verifiedCaller` says for a call that presented FG_ROLLBACK_TOKEN. */
export const LOCAL_TOKEN_CALLER = 'local-token';

/** Let the call through with the verified caller, or the HTTP status and reason to refuse it with. */
export type AuthDecision =
  | { ok: true; via: 'google-id-token' | 'bearer'; caller: string }
  | { ok: false; status: 401 | 403; reason: string };

/** The mode the config asks for: FG_ROLLBACK_AUDIENCE set → identity tokens, else the bearer token. */
export function rollbackAuthMode(config: {
  rollbackAudiences?: readonly string[];
  rollbackToken?: string;
}): RollbackAuthMode {
  if (config.rollbackAudiences && config.rollbackAudiences.length > 0) {
    return { kind: 'google-id-token', audiences: config.rollbackAudiences };
  }
  return { kind: 'bearer', token: config.rollbackToken };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Constant-time equality of two secrets of any lengths (compares their SHA-256 digests). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** The claims the function uses from a verified identity token. */
export interface VerifiedIdentity {
  sub: string;
  email?: string;
  emailVerified: boolean;
}

/** Checks a Google-signed identity token; rejects (with a reason) anything else. */
export interface IdTokenVerifier {
  verify(idToken: string, audiences: readonly string[]): Promise<VerifiedIdentity>;
}

/** kid → PEM public key, as https://www.googleapis.com/oauth2/v1/certs answers. */
export type CertificateSource = () => Promise<Record<string, string>>;

/** The issuers of Google-signed identity tokens (Cloud Run accepts these). */
export const GOOGLE_ISSUERS = ['https://accounts.google.com', 'accounts.google.com'];

/**
 * google-auth-library's verification (signature against the certificates,
 * `iat`/`exp` with its 5-minute skew on the system clock, issuer, audience).
 * `certificates` defaults to Google's published ones (fetched and cached by
 * the library); tests hand it a local key pair's.
 */
export function googleIdTokenVerifier(certificates?: CertificateSource): IdTokenVerifier {
  // Required when a verifier is built, not at import: a function that checks no token never loads it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { OAuth2Client } = require('google-auth-library') as typeof GoogleAuthLibrary;
  const client = new OAuth2Client();
  const certs: CertificateSource =
    certificates ??
    (async () => (await client.getFederatedSignonCertsAsync()).certs as Record<string, string>);
  return {
    async verify(idToken, audiences) {
      const ticket = await client.verifySignedJwtWithCertsAsync(
        idToken,
        await certs(),
        [...audiences],
        GOOGLE_ISSUERS,
      );
      const payload = ticket.getPayload();
      if (!payload?.sub) throw new Error('the token names no subject');
      return {
        sub: payload.sub,
        ...(payload.email ? { email: payload.email } : {}),
        emailVerified: payload.email_verified === true,
      };
    },
  };
}

/**
 * Why a token failed, in a few words. The library's own messages quote the
 * whole token (a credential), so they are never passed on.
 */
function tokenProblem(err: unknown): string {
  const m = err instanceof Error ? err.message : '';
  if (m.startsWith('Wrong recipient')) return 'it is for another audience';
  if (m.startsWith('Token used too late')) return 'it has expired';
  if (m.startsWith('Token used too early') || m.startsWith('Expiration time too far'))
    return 'its times are not valid';
  if (m.startsWith('Invalid issuer')) return 'it was not issued by Google';
  if (m.startsWith('Invalid token signature') || m.startsWith('No pem found'))
    return 'its signature does not verify';
  if (m.startsWith('Failed to retrieve verification certificates'))
    return "Google's certificates could not be fetched";
  return 'it is not a well-formed identity token';
}

/** The caller recorded beside `requestedBy`: the verified email, else the token's subject. */
export function callerOf(identity: VerifiedIdentity): string {
  return identity.email && identity.emailVerified ? identity.email : `google-subject:${identity.sub}`;
}

/**
 * 401 when there is no usable credential (no header, not a bearer token, an
 * identity token that does not verify, no token configured locally); 403
 * when a local bearer token is given but wrong.
 */
export async function authorizeRollbackCall(input: {
  mode: RollbackAuthMode;
  authorization: string | undefined;
  /** Used in `google-id-token` mode; default googleIdTokenVerifier(). */
  verifier?: IdTokenVerifier;
}): Promise<AuthDecision> {
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(input.authorization ?? '')?.[1];
  const { mode } = input;
  if (mode.kind === 'google-id-token') {
    if (presented === undefined) {
      return {
        ok: false,
        status: 401,
        reason: 'missing credentials: send Authorization: Bearer <a Google identity token for this function>',
      };
    }
    try {
      const identity = await (input.verifier ?? googleIdTokenVerifier()).verify(presented, mode.audiences);
      return { ok: true, via: 'google-id-token', caller: callerOf(identity) };
    } catch (err) {
      return { ok: false, status: 401, reason: `the identity token is not accepted: ${tokenProblem(err)}` };
    }
  }
  if (!mode.token) {
    return {
      ok: false,
      status: 401,
      reason:
        'HTTP rollback is disabled here: set FG_ROLLBACK_TOKEN to enable it (or FG_ROLLBACK_AUDIENCE on Google Cloud)',
    };
  }
  if (presented === undefined) {
    return {
      ok: false,
      status: 401,
      reason: 'missing credentials: send Authorization: Bearer <FG_ROLLBACK_TOKEN>',
    };
  }
  if (!sameSecret(presented, mode.token))
    return { ok: false, status: 403, reason: 'the bearer token is not valid' };
  return { ok: true, via: 'bearer', caller: LOCAL_TOKEN_CALLER };
}
