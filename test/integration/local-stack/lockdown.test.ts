/**
 * The local stack answers only to itself. Every function process listens on
 * loopback alone (read from the kernel's socket table, as `ss -ltnp` does),
 * so another machine cannot even connect; and a push to a Pub/Sub-triggered
 * function must carry the stack's secret, as a production push carries its
 * OIDC token: without it the answer is 401, a form post (which any web page
 * can send cross-origin without a preflight) is 415, and in both cases the
 * book stays as it was and the body is not logged.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPushBody } from '../../../shared/adapters/local/push-dispatcher';
import type { SqliteEventBus } from '../../../shared/adapters/local/sqlite-event-bus';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import { startLocalStack, type LocalStack } from '../../../shared/local-stack/stack';
import { LOCAL_PROJECT_ID, plannedFunctions } from '../../../shared/local-stack/stack-plan';
import { ackDeadlineFor, FUNCTIONS, SUBSCRIPTIONS } from '../../../shared/topology';
import { isLoopback, listeningSockets } from './helpers/listening';

/** The first address of this machine that is not loopback, if it has one. */
function externalAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') return a.address;
  }
  return undefined;
}

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

describe('forecast-guard up answers only to itself', () => {
  let stateDir: string;
  let stack: LocalStack | undefined;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-lockdown-'));
    stack = await startLocalStack({
      env: { ...process.env, FG_STATE_DIR: stateDir, FG_LOG_LEVEL: 'info' },
      schedules: false,
      dashboard: false,
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('serves every function of topology on 127.0.0.1 only', async () => {
    const functions = stack!.status().functions;
    expect(functions.map((f) => [f.name, f.state])).toEqual(plannedFunctions().map((f) => [f.name, 'ready']));
    const external = externalAddress();
    for (const f of functions) {
      const port = Number(new URL(f.url).port);
      const sockets = listeningSockets(f.pid!);
      expect([f.name, sockets.map((s) => s.port)]).toEqual([f.name, [port]]);
      expect([f.name, sockets.filter((s) => !isLoopback(s.address))]).toEqual([f.name, []]);
      if (external)
        expect([f.name, external, await connects(external, port)]).toEqual([f.name, external, false]);
    }
  });

  describe('a push to rollback', () => {
    const topicPath = () =>
      `${stack!.functions.find((f) => f.spec.name === 'rollback')!.url}/projects/${LOCAL_PROJECT_ID}/topics/rollback-requests`;

    /** The book's serving version, and another version it could be rolled back to. */
    async function book(index: number): Promise<{ isbn: string; serving: string; other: string }> {
      const isbn = (await stack!.backend.registry.listModels()).sort()[index]!;
      const state = await stack!.backend.serving.getServing(isbn);
      const serving = state!.deployments.find((d) => d.trafficPercent === 100)!.version;
      const versions = await stack!.backend.registry.listVersions(isbn);
      return { isbn, serving, other: versions.find((v) => v.version !== serving)!.version };
    }

    async function servingOf(isbn: string): Promise<string | undefined> {
      const state = await stack!.backend.serving.getServing(isbn);
      return state?.deployments.find((d) => d.trafficPercent === 100)?.version;
    }

    function envelope(id: string, isbn: string, version: string) {
      const request = {
        requestId: id,
        scope: { isbns: [isbn] },
        target: { kind: 'version', version },
        reason: `marker ${id}`,
        requestedBy: 'lockdown-test',
        force: true,
        correlationId: id,
      };
      return buildPushBody(
        {
          ackId: 'a',
          id,
          data: Buffer.from(JSON.stringify(request)),
          attributes: {},
          publishTime: new Date().toISOString(),
          deliveryAttempt: 1,
        },
        LOCAL_PROJECT_ID,
        'rollback-requests--rollback',
      );
    }

    async function records(): Promise<number> {
      return (await stack!.backend.state.query(COLLECTIONS.rollbackRecords, {})).length;
    }

    const rollbackLog = () => readFileSync(join(stateDir, 'logs', 'rollback.log'), 'utf8');

    it('without the stack secret: 401, and the book stays as it was', async () => {
      const { isbn, serving, other } = await book(0);
      const body = envelope('lockdown-no-secret', isbn, other);
      const res = await fetch(topicPath(), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(401);
      const wrong = await fetch(topicPath(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer not-the-secret' },
        body: JSON.stringify(body),
      });
      expect(wrong.status).toBe(401);
      const inQuery = await fetch(`${topicPath()}?token=not-the-secret`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(inQuery.status).toBe(401);
      expect(await servingOf(isbn)).toBe(serving);
      expect(await records()).toBe(0);
      expect(rollbackLog()).not.toContain('marker lockdown-no-secret');
    });

    it('a form post, multipart or plain text: 415, and the book stays as it was', async () => {
      const { isbn, serving, other } = await book(1);
      const body = envelope('lockdown-form', isbn, other);
      // What an HTML form on any web page could send: the framework's urlencoded parser
      // (extended) would turn these fields back into the push envelope.
      const form = new URLSearchParams({
        subscription: body.subscription,
        'message[data]': body.message.data!,
        'message[messageId]': body.message.messageId,
        'message[publishTime]': body.message.publishTime,
      });
      const urlencoded = await fetch(topicPath(), { method: 'POST', body: form });
      expect(urlencoded.status).toBe(415);
      const multipart = new FormData();
      for (const [k, v] of form) multipart.append(k, v);
      expect((await fetch(topicPath(), { method: 'POST', body: multipart })).status).toBe(415);
      const text = await fetch(topicPath(), {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify(body),
      });
      expect(text.status).toBe(415);
      expect(await servingOf(isbn)).toBe(serving);
      expect(await records()).toBe(0);
      expect(rollbackLog()).not.toContain('marker lockdown-form');
    });

    it('with the secret (as the embedded queue sends it): handled, the book rolled back', async () => {
      const { isbn, serving, other } = await book(2);
      expect(other).not.toBe(serving);
      const res = await fetch(topicPath(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${stack!.pushSecret}` },
        body: JSON.stringify(envelope('lockdown-with-secret', isbn, other)),
      });
      expect(res.status).toBe(204);
      expect(await servingOf(isbn)).toBe(other);
      expect(await records()).toBe(1);
    });

    it("the embedded queue's pushes carry the secret: a published request is handled", async () => {
      const { isbn, other } = await book(3);
      await stack!.backend.bus.publish('rollback-requests', {
        data: JSON.parse(
          Buffer.from(envelope('lockdown-queued', isbn, other).message.data!, 'base64').toString(),
        ),
      });
      const deadline = Date.now() + 30_000;
      while ((await servingOf(isbn)) !== other && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(await servingOf(isbn)).toBe(other);
    }, 40_000);

    it('the secret is in no log and in no status the stack reports', () => {
      const logs = plannedFunctions().map((f) => {
        try {
          return readFileSync(join(stateDir, 'logs', `${f.name}.log`), 'utf8');
        } catch {
          return '';
        }
      });
      expect(logs.join('\n')).not.toContain(stack!.pushSecret);
      expect(JSON.stringify(stack!.status())).not.toContain(stack!.pushSecret);
    });
  });

  it("gives the embedded queue's subscriptions infra's ack deadlines (each consumer's timeout)", () => {
    const bus = stack!.backend.bus as SqliteEventBus;
    for (const sub of SUBSCRIPTIONS) {
      const fn = FUNCTIONS.find((f) => f.name === sub.consumer)!;
      expect([sub.name, bus.subscription(sub.name)!.ackDeadlineSeconds]).toEqual([
        sub.name,
        ackDeadlineFor(fn),
      ]);
    }
  });
});
