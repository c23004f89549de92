/**
 * The rollback function through the real functions framework, embedded
 * backend: the HTTP entry (bearer token locally: 401 without, 403 wrong;
 * per-book outcomes and timings) and the Pub/Sub entry on rollback-requests
 * (duplicates skipped, refused requests dead-lettered with the reason).
 */
import { randomUUID } from 'node:crypto';
// Registers both entry points, as loading the bundle does; the runtime reads the env at the first call.
import '../../../functions/rollback';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import type { RollbackRecord } from '../../../shared/contracts/documents/rollback';
import { deadLetterSubscriptionOf } from '../../../shared/topology';
import { closeFunctionRuntimes } from '../../../shared/wiring/function-runtime';
import { startFunctionServer, type FunctionServer } from '../../helpers/function-server';
import { reportFigure } from '../../helpers/figures';
import { useFunctionEnv, type FunctionEnv } from '../../helpers/function-env';
import { consistent, openWorld, seedBook, seedFleet, servingOf, type TestWorld } from './helpers/fleet';
import { aRequest } from './helpers/scenarios';

const TOKEN = 'rollback-test-token-0123456789';

describe('rollback function', () => {
  let world: TestWorld;
  let http: FunctionServer;
  let pubsub: FunctionServer;
  let fnEnv: FunctionEnv | undefined;

  beforeAll(async () => {
    world = await openWorld();
    fnEnv = useFunctionEnv({
      FG_STATE_DIR: world.dir,
      FG_LOG_LEVEL: 'error',
      FG_ROLLBACK_TOKEN: TOKEN,
      K_SERVICE: undefined,
    });
    http = await startFunctionServer('rollbackHttp');
    pubsub = await startFunctionServer('rollback');
  });

  afterAll(async () => {
    await http?.close();
    await pubsub?.close();
    await closeFunctionRuntimes();
    await world.close();
    fnEnv?.restore();
  });

  function call(
    body: unknown,
    headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
    method = 'POST',
  ) {
    return fetch(http.url, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
    });
  }

  it('rejects a call without credentials (401) and with the wrong token (403), changing nothing', async () => {
    const book = await seedBook(world, { versions: 3 });
    const request = aRequest({ scope: { isbns: [book.isbn] }, target: { kind: 'version', version: '1' } });
    const none = await call(request, {});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(((await none.json()) as { error: string }).error).toContain('missing credentials');
    const wrong = await call(request, { authorization: 'Bearer not-the-token-at-all' });
    expect(wrong.status).toBe(403);
    const basic = await call(request, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` });
    expect(basic.status).toBe(401);
    expect((await servingOf(world, book.isbn)).alias).toBe('3');
  });

  it('rolls one book back and answers its outcome and timing', async () => {
    const book = await seedBook(world, { versions: 3 });
    const started = Date.now();
    const res = await call(
      aRequest({ scope: { isbns: [book.isbn] }, target: { kind: 'version', version: '1' } }),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      rollbackId: string;
      backupId: string;
      durationMs: number;
      results: unknown[];
    };
    expect(body.results).toEqual([
      expect.objectContaining({
        isbn: book.isbn,
        from: '3',
        to: '1',
        status: 'succeeded',
        verified: true,
        durationMs: expect.any(Number),
      }),
    ]);
    expect(body.backupId).toMatch(/^bk-/);
    expect(await servingOf(world, book.isbn)).toEqual({ alias: '1', traffic: { '1': 100, '2': 0, '3': 0 } });
    reportFigure(
      'rollback[function]',
      'http-one-book',
      `${Date.now() - started} ms round trip, ${body.durationMs} ms in the service`,
    );
  });

  it('emergency and all-models requests over HTTP; a refused book makes a 207 naming it', async () => {
    const drifted = await seedBook(world, { versions: 3, lastKnownGood: '2' });
    const emergency = await call(
      aRequest({ scope: { emergency: true }, target: { kind: 'last-known-good' } }),
    );
    expect(emergency.status).toBe(200);
    expect((await servingOf(world, drifted.isbn)).alias).toBe('2');

    const fleet = await seedFleet(world, 3);
    const all = await call(aRequest({ scope: { all: true }, target: { kind: 'previous' } }));
    expect(all.status).toBe(200);
    for (const b of fleet) expect(consistent(await servingOf(world, b.isbn))).toBe(true);

    const poisoned = await seedBook(world, { versions: 3, lastKnownGood: '1' });
    await world.backend.registry.setQuarantine(poisoned.isbn, '1', {
      reason: 'bad',
      at: '2024-05-01T00:00:00.000Z',
      by: 'test',
    });
    const partial = await call(aRequest({ scope: { emergency: true }, target: { kind: 'last-known-good' } }));
    expect(partial.status).toBe(207);
    const body = (await partial.json()) as {
      results: Array<{ isbn: string; status: string; error?: string }>;
    };
    expect(body.results.find((r) => r.isbn === poisoned.isbn)).toEqual(
      expect.objectContaining({ status: 'failed', error: expect.stringContaining('quarantined') }),
    );
  });

  it('records the bearer caller as local-token beside the claimed requestedBy', async () => {
    const book = await seedBook(world, { versions: 3 });
    const res = await call(
      aRequest({
        scope: { isbns: [book.isbn] },
        target: { kind: 'version', version: '2' },
        requestedBy: 'mallory',
      }),
    );
    expect(res.status).toBe(200);
    const records = await world.state.query<RollbackRecord>(COLLECTIONS.rollbackRecords, {
      where: [{ field: 'isbn', op: '==', value: book.isbn }],
    });
    expect(records.map((r) => [r.data.requestedBy, r.data.verifiedCaller])).toEqual([
      ['mallory', 'local-token'],
    ]);
  });

  it('answers 400 naming the field, 404 listing versions, 405 for GET', async () => {
    const book = await seedBook(world, { versions: 2 });
    const bad = await call({ ...aRequest(), scope: { isbns: ['9780722532936'] } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual(
      expect.objectContaining({ fields: ['scope.isbns.0'], error: expect.stringContaining('check digit') }),
    );
    const unknown = await call(
      aRequest({ scope: { isbns: [book.isbn] }, target: { kind: 'version', version: '7' } }),
    );
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toContain('(versions: 1, 2)');
    expect((await call(undefined, undefined, 'GET')).status).toBe(405);
  });

  describe('Pub/Sub entry', () => {
    function push(messageId: string, data: unknown) {
      const body = {
        message: {
          data: Buffer.from(JSON.stringify(data)).toString('base64'),
          attributes: { correlationId: `corr-${messageId}` },
          messageId,
          publishTime: new Date().toISOString(),
        },
        subscription: 'projects/demo/subscriptions/rollback-requests--rollback',
      };
      return fetch(`${pubsub.url}/projects/demo/topics/rollback-requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    }

    it('rolls back from a rollback-requests message once, even when it is delivered twice', async () => {
      const book = await seedBook(world, { versions: 3 });
      const request = aRequest({ scope: { isbns: [book.isbn] }, target: { kind: 'version', version: '2' } });
      const id = randomUUID();
      expect((await push(id, request)).ok).toBe(true);
      expect((await push(id, request)).ok).toBe(true);
      expect((await servingOf(world, book.isbn)).alias).toBe('2');
      const records = await world.state.query<RollbackRecord>(COLLECTIONS.rollbackRecords, {
        where: [{ field: 'isbn', op: '==', value: book.isbn }],
      });
      expect(records.map((r) => r.data.status)).toEqual(['succeeded']);
      // Pub/Sub does not say who published: the record says so rather than trusting requestedBy.
      expect(records.map((r) => r.data.verifiedCaller)).toEqual(['pubsub:publisher-not-identified']);
    });

    it('dead-letters a refused request with the reason instead of retrying it', async () => {
      const book = await seedBook(world, { versions: 2 });
      const inspect = deadLetterSubscriptionOf('rollback-requests');
      const res = await push(
        randomUUID(),
        aRequest({ scope: { isbns: [book.isbn] }, target: { kind: 'version', version: '9' } }),
      );
      expect(res.ok).toBe(true);
      const dead = await world.backend.bus.pull(inspect, 10, 500);
      await world.backend.bus.ack(
        inspect,
        dead.map((m) => m.ackId),
      );
      expect(dead.map((m) => m.attributes.deadLetterReason)).toEqual([
        expect.stringContaining('has no version "9"'),
      ]);
      expect((await servingOf(world, book.isbn)).alias).toBe('2');
    });
  });
});
