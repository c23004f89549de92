/**
 * rollbackHttp's guards through the real functions framework:
 * - the body is capped before the token is checked or the body parsed
 *   (413): declared by Content-Length, read by the framework, or streamed
 *   to the handler unread;
 * - `K_SERVICE` (which anyone may set) switches nothing off: without
 *   FG_ROLLBACK_AUDIENCE the bearer token is still required;
 * - with FG_ROLLBACK_AUDIENCE (what infra sets on Google Cloud) only a
 *   Google-signed identity token for that audience passes, and the rollback
 *   record names the verified caller beside the claimed `requestedBy`.
 */
import { request as httpRequest } from 'node:http';
import { ROLLBACK_BODY_LIMIT_BYTES, rollbackHttpTestHooks } from '../../../functions/rollback';
import { RollbackRequest } from '../../../shared/contracts/messages/rollback-request';
import { MAX_ISBNS_PER_REQUEST } from '../../../shared/contracts/primitives';
import { isbnFor } from '../../builders/model';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import type { RollbackBackup, RollbackRecord } from '../../../shared/contracts/documents/rollback';
import { closeFunctionRuntimes } from '../../../shared/wiring/function-runtime';
import { startFunctionServer, type FunctionServer } from '../../helpers/function-server';
import { localIssuer } from '../../helpers/id-tokens';
import { useFunctionEnv, type FunctionEnv } from '../../helpers/function-env';
import { openWorld, seedBook, servingOf, type TestWorld } from './helpers/fleet';
import { aRequest } from './helpers/scenarios';

const TOKEN = 'http-guard-test-token-0123456789';
const CAP = 256 * 1024;

/** A raw POST, so the test chooses the headers (no Content-Length: chunked). */
function rawPost(
  url: string,
  headers: Record<string, string>,
  chunks: Buffer[],
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    // The server may answer and close before every chunk is written.
    req.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err),
    );
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('rollbackHttp guards', () => {
  let world: TestWorld;
  let http: FunctionServer | undefined;
  let fnEnv: FunctionEnv | undefined;

  async function serve(env: Record<string, string | undefined>): Promise<string> {
    await http?.close();
    await closeFunctionRuntimes();
    fnEnv?.restore();
    fnEnv = useFunctionEnv({
      FG_STATE_DIR: world.dir,
      FG_LOG_LEVEL: 'error',
      K_SERVICE: undefined,
      FG_ROLLBACK_TOKEN: undefined,
      FG_ROLLBACK_AUDIENCE: undefined,
      ...env,
    });
    http = await startFunctionServer('rollbackHttp');
    return http.url;
  }

  beforeAll(async () => {
    world = await openWorld();
  });
  afterAll(async () => {
    await http?.close();
    await closeFunctionRuntimes();
    await world.close();
    fnEnv?.restore();
  });

  describe('K_SERVICE switches nothing off', () => {
    it('K_SERVICE set, no FG_ROLLBACK_AUDIENCE, no token configured: 401, nothing changed', async () => {
      const url = await serve({ K_SERVICE: 'rollback-http' });
      const book = await seedBook(world, { versions: 3 });
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(
          aRequest({ scope: { isbns: [book.isbn] }, target: { kind: 'version', version: '1' } }),
        ),
      });
      expect(res.status).toBe(401);
      expect((await servingOf(world, book.isbn)).alias).toBe('3');
    });

    it('K_SERVICE set with FG_ROLLBACK_TOKEN: a call without the token is 401, with it 200', async () => {
      const url = await serve({ K_SERVICE: 'rollback-http', FG_ROLLBACK_TOKEN: TOKEN });
      const book = await seedBook(world, { versions: 3 });
      const body = JSON.stringify(
        aRequest({ scope: { isbns: [book.isbn] }, target: { kind: 'version', version: '1' } }),
      );
      const none = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(none.status).toBe(401);
      expect((await servingOf(world, book.isbn)).alias).toBe('3');
      const ok = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body,
      });
      expect(ok.status).toBe(200);
      expect((await servingOf(world, book.isbn)).alias).toBe('1');
    });
  });

  describe('the body is capped before the token is checked or the body parsed', () => {
    let url: string;
    beforeAll(async () => {
      url = await serve({ FG_ROLLBACK_TOKEN: TOKEN });
    });
    const big = () => Buffer.from(JSON.stringify({ ...aRequest(), reason: 'x'.repeat(CAP) }));

    it('the largest valid RollbackRequest, pretty-printed, fits well within the cap', () => {
      expect(ROLLBACK_BODY_LIMIT_BYTES).toBe(CAP);
      const largest = aRequest({
        scope: { isbns: Array.from({ length: MAX_ISBNS_PER_REQUEST }, (_, i) => isbnFor(i)) },
        reason: '\u00e9'.repeat(1000),
        requestedBy: 'r'.repeat(320),
        requestId: 'q'.repeat(200),
        correlationId: 'c'.repeat(256),
        dryRun: false,
        force: false,
      });
      expect(RollbackRequest.safeParse(largest).success).toBe(true);
      expect(Buffer.byteLength(JSON.stringify(largest, null, 2))).toBeLessThan(CAP / 2);
    });

    it('a declared Content-Length over the cap: 413 even without credentials', async () => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: big(),
      });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: string }).error).toBe(
        'request body too large: at most 262144 bytes (a RollbackRequest is far smaller)',
      );
    });

    it('a chunked JSON body (no Content-Length) that the framework read: 413', async () => {
      const body = big();
      const res = await rawPost(
        url,
        { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        [body.subarray(0, 1000), body.subarray(1000)],
      );
      expect(res.status).toBe(413);
    });

    it('a chunked body with no Content-Type (left unread by the framework) is read only up to the cap: 413', async () => {
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const res = await rawPost(
        url,
        {},
        Array.from({ length: 64 }, () => chunk),
      );
      expect(res.status).toBe(413);
    });

    it('a body within the cap, with no Content-Type, is read and parsed as JSON', async () => {
      const book = await seedBook(world, { versions: 3 });
      const body = Buffer.from(
        JSON.stringify(
          aRequest({ scope: { isbns: [book.isbn] }, target: { kind: 'version', version: '2' } }),
        ),
      );
      const res = await rawPost(url, { authorization: `Bearer ${TOKEN}` }, [body]);
      expect(res.status).toBe(200);
      expect((await servingOf(world, book.isbn)).alias).toBe('2');
    });
  });

  describe('FG_ROLLBACK_AUDIENCE: Google-signed identity tokens only', () => {
    const AUDIENCE = 'https://europe-west2-fg-test.cloudfunctions.net/rollback-http';
    const issuer = localIssuer();
    let url: string;
    beforeAll(async () => {
      rollbackHttpTestHooks.certificates = async () => issuer.certs;
      url = await serve({ FG_ROLLBACK_AUDIENCE: AUDIENCE, FG_ROLLBACK_TOKEN: TOKEN });
    });
    afterAll(() => {
      rollbackHttpTestHooks.certificates = undefined;
    });

    const post = (authorization: string | undefined, body: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify(body),
      });

    it('refuses the local bearer token, a token for another audience and an expired one (401)', async () => {
      const book = await seedBook(world, { versions: 3 });
      const request = aRequest({ scope: { isbns: [book.isbn] }, target: { kind: 'version', version: '1' } });
      expect((await post(undefined, request)).status).toBe(401);
      expect((await post(`Bearer ${TOKEN}`, request)).status).toBe(401);
      expect((await post(`Bearer ${issuer.sign('https://elsewhere.example.com')}`, request)).status).toBe(
        401,
      );
      const now = Math.floor(Date.now() / 1000);
      const expired = issuer.sign(AUDIENCE, { iat: now - 7200, exp: now - 3600 });
      expect((await post(`Bearer ${expired}`, request)).status).toBe(401);
      expect((await servingOf(world, book.isbn)).alias).toBe('3');
    });

    it('accepts a valid token and records its email beside the claimed requestedBy', async () => {
      const book = await seedBook(world, { versions: 3 });
      const request = aRequest({
        scope: { isbns: [book.isbn] },
        target: { kind: 'version', version: '1' },
        requestedBy: 'somebody-else',
      });
      const res = await post(`Bearer ${issuer.sign(AUDIENCE, { email: 'carol@example.com' })}`, request);
      expect(res.status).toBe(200);
      const records = await world.state.query<RollbackRecord>(COLLECTIONS.rollbackRecords, {
        where: [{ field: 'isbn', op: '==', value: book.isbn }],
      });
      expect(records.map((r) => [r.data.requestedBy, r.data.verifiedCaller])).toEqual([
        ['somebody-else', 'carol@example.com'],
      ]);
      const heads = await world.state.query<RollbackBackup>(COLLECTIONS.rollbackBackups, {
        where: [{ field: 'requestId', op: '==', value: request.requestId }],
      });
      expect(heads.map((h) => h.data.verifiedCaller)).toEqual(['carol@example.com']);
    });
  });
});
