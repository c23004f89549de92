/**
 * What stands in front of a Pub/Sub-triggered function of the local stack,
 * as Cloud Run's front end stands in front of the deployed one. In
 * production a push subscription carries an OIDC token and Cloud Run checks
 * it before the function runs; locally, `forecast-guard up` makes a random
 * secret per run, and a push must present it. Without this, anyone who
 * could reach the port (or any web page, through a visitor's browser) could
 * POST a push envelope to `rollback` and roll a book back.
 *
 * Checked in this order, before the body is read:
 * - POST only (405): the framework routes nothing else to the function.
 * - A JSON content type only (415): `application/json` (what Pub/Sub push,
 *   the emulator and the embedded push dispatcher send) or
 *   `application/cloudevents+json` (a structured CloudEvent). A form
 *   (`application/x-www-form-urlencoded`, `multipart/form-data`) or
 *   `text/plain` is what a web page can send cross-origin without a CORS
 *   preflight, and the framework would parse a urlencoded form back into a
 *   push envelope.
 * - The secret (401): `Authorization: Bearer <secret>`, as the embedded
 *   push dispatcher sends it (a push subscription with authentication sends
 *   its OIDC token in that header:
 *   https://cloud.google.com/pubsub/docs/authenticate-push-subscriptions),
 *   or `?token=<secret>` in the URL: Pub/Sub's emulator accepts an
 *   `oidcToken` push config but sends no Authorization header (seen on
 *   emulator 0.8.20), while it keeps the endpoint's query, so its push
 *   endpoints carry the secret there, the verification-token pattern of
 *   push endpoints from before push authentication existed.
 *   Compared in constant time; the query token is removed from the URL and
 *   the Authorization header from the request before the framework sees
 *   them, so neither reaches the function or its log.
 *
 * A refusal throws the body away unparsed and unlogged (up to 1 MiB, then
 * drops the connection), answers, and closes the connection.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The variable that gives each function process the stack's push secret. */
export const PUSH_SECRET_ENV = 'FG_LOCAL_PUSH_SECRET';

/** The query parameter an emulator push endpoint carries the secret in. */
export const PUSH_TOKEN_PARAM = 'token';

/** Media types a push or a CloudEvent is sent with. */
export const PUSH_CONTENT_TYPES: ReadonlySet<string> = new Set([
  'application/json',
  'application/cloudevents+json',
]);

/** The most of a refused request's body read (and thrown away) before its answer. */
const DISCARD_LIMIT = 1024 * 1024;

/** Why a request was refused (for the process's log line; never the body). */
export interface PushRefusal {
  status: 401 | 405 | 415;
  reason: string;
}

/** `application/json` from `Application/JSON; charset=utf-8`; '' when absent. */
export function mediaTypeOf(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function bearerOf(header: string | undefined): string | undefined {
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

/**
 * A check for one function process. It answers a refused request itself and
 * returns the refusal; it returns undefined for a request the function may
 * handle (with the secret taken out of it).
 */
export function pushGuard(
  secret: string,
): (req: IncomingMessage, res: ServerResponse) => PushRefusal | undefined {
  if (secret.length < 16) throw new Error(`${PUSH_SECRET_ENV} must be at least 16 characters`);
  const expected = digest(secret);
  const refuse = (
    req: IncomingMessage,
    res: ServerResponse,
    refusal: PushRefusal,
    headers: Record<string, string> = {},
  ): PushRefusal => {
    const body = JSON.stringify({ error: refusal.reason });
    const answer = () => {
      res.writeHead(refusal.status, {
        ...headers,
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        connection: 'close',
      });
      res.end(body);
    };
    // The body is discarded unread (a client still sending would otherwise see the socket reset
    // instead of the answer), up to DISCARD_LIMIT; beyond it the connection is dropped.
    let discarded = 0;
    req.on('data', (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > DISCARD_LIMIT) req.destroy();
    });
    req.on('error', () => undefined);
    if (req.complete) answer();
    else req.once('end', answer);
    return refusal;
  };
  return (req, res) => {
    if (req.method !== 'POST') {
      return refuse(req, res, { status: 405, reason: 'a push is a POST' }, { allow: 'POST' });
    }
    const type = mediaTypeOf(req.headers['content-type']);
    if (!PUSH_CONTENT_TYPES.has(type)) {
      return refuse(req, res, {
        status: 415,
        reason: `content-type: must be ${[...PUSH_CONTENT_TYPES].join(' or ')} (got ${JSON.stringify(type || 'none').slice(0, 80)})`,
      });
    }
    const url = new URL(req.url ?? '/', 'http://function.local');
    const presented = bearerOf(req.headers.authorization) ?? url.searchParams.get(PUSH_TOKEN_PARAM) ?? '';
    if (!timingSafeEqual(digest(presented), expected)) {
      return refuse(
        req,
        res,
        { status: 401, reason: "a push must carry this stack's push secret" },
        { 'www-authenticate': 'Bearer' },
      );
    }
    if (url.searchParams.has(PUSH_TOKEN_PARAM)) {
      url.searchParams.delete(PUSH_TOKEN_PARAM);
      req.url = `${url.pathname}${url.search}`;
    }
    delete req.headers.authorization;
    return undefined;
  };
}
