/**
 * The push guard in front of a local Pub/Sub-triggered function: which
 * requests reach the function, and that what is refused is answered
 * without the body being read into anything, with the secret taken out of
 * what the function sees.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mediaTypeOf, pushGuard } from '../../../shared/local-stack/push-guard';

const SECRET = 'push-guard-test-secret-0123456789';

describe('push guard', () => {
  let server: Server;
  let url: string;
  const reached: Array<{ url: string; authorization?: string; body: string }> = [];

  beforeAll(async () => {
    const guard = pushGuard(SECRET);
    server = createServer((req: IncomingMessage, res) => {
      if (guard(req, res)) return;
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        reached.push({ url: req.url!, authorization: req.headers.authorization, body });
        res.writeHead(204);
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/projects/p/topics/rollback-requests`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => (reached.length = 0));

  const post = (headers: Record<string, string>, target = url, body = '{"message":{}}') =>
    fetch(target, { method: 'POST', headers, body });

  it('lets a JSON push with the secret through, as a bearer token or in the query, and strips it', async () => {
    for (const type of [
      'application/json',
      'application/json; charset=utf-8',
      'Application/CloudEvents+JSON',
    ]) {
      const res = await post({ 'content-type': type, authorization: `Bearer ${SECRET}` });
      expect([type, res.status]).toEqual([type, 204]);
    }
    const res = await post({ 'content-type': 'application/json' }, `${url}?token=${SECRET}&other=1`);
    expect(res.status).toBe(204);
    expect(reached.map((r) => r.authorization)).toEqual([undefined, undefined, undefined, undefined]);
    expect(reached.at(-1)!.url).toBe('/projects/p/topics/rollback-requests?other=1');
  });

  it('answers 401 without the right secret, 415 for anything but JSON, 405 for anything but POST', async () => {
    expect((await post({ 'content-type': 'application/json' })).status).toBe(401);
    expect(
      (await post({ 'content-type': 'application/json', authorization: `Bearer ${SECRET}x` })).status,
    ).toBe(401);
    expect((await post({ 'content-type': 'application/json', authorization: SECRET })).status).toBe(401);
    const unauthorized = await post({ 'content-type': 'application/json' });
    expect(unauthorized.headers.get('www-authenticate')).toBe('Bearer');
    for (const type of [
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'text/plain',
      '',
    ]) {
      const res = await post({ 'content-type': type, authorization: `Bearer ${SECRET}` });
      expect([type, res.status]).toEqual([type, 415]);
    }
    expect((await fetch(url, { headers: { authorization: `Bearer ${SECRET}` } })).status).toBe(405);
    // A large refused body is thrown away, and the client still gets its answer.
    const big = await post({ 'content-type': 'text/plain' }, url, 'x'.repeat(512 * 1024));
    expect(big.status).toBe(415);
    expect(reached).toEqual([]);
  });

  it('refuses a secret too short to be one', () => {
    expect(() => pushGuard('short')).toThrow(/at least 16/);
  });

  it('reads the media type the way the framework does: case and parameters aside', () => {
    expect(mediaTypeOf(' Application/JSON ; charset=UTF-8')).toBe('application/json');
    expect(mediaTypeOf(undefined)).toBe('');
  });
});
