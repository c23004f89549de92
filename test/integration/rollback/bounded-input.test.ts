/**
 * An oversized ISBN list is refused at every door before anything is read:
 * the rollback service (no registry or StateStore call), the Pub/Sub
 * function (dead-lettered with the reason), rollbackHttp (400) and the CLI
 * (`rollback`, `health run`: exit 2, the backend never opened). The answer
 * names the count and the limit, never the list.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../../functions/rollback';
import { applyRollback, type RollbackDeps } from '../../../shared/services/rollback';
import { ValidationError } from '../../../shared/errors';
import { deadLetterSubscriptionOf } from '../../../shared/topology';
import { closeFunctionRuntimes } from '../../../shared/wiring/function-runtime';
import { runCli } from '../../helpers/cli';
import { useFunctionEnv, type FunctionEnv } from '../../helpers/function-env';
import { startFunctionServer, type FunctionServer } from '../../helpers/function-server';
import { isbnFor } from '../../builders/model';
import { openWorld, type TestWorld } from './helpers/fleet';
import { aRequest } from './helpers/scenarios';
import { portsAndSettings } from '../../builders/rollback';

const TOKEN = 'bounded-input-test-token-0123456789';
const MANY = 5_001;
const many = Array.from({ length: MANY }, (_, i) => isbnFor(100_000 + i));

/** A port whose every method fails the test: proves nothing was read. */
function untouchable<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get: (_t, key) => () => {
      throw new Error(`${name}.${String(key)} was called`);
    },
  });
}

describe('oversized ISBN lists are refused before anything is read', () => {
  it('the rollback service refuses without touching the registry, serving or StateStore', async () => {
    const deps = {
      state: untouchable('state'),
      registry: untouchable('registry'),
      serving: untouchable('serving'),
      bus: untouchable('bus'),
      clock: untouchable('clock'),
      logger: untouchable('logger'),
      holder: 'test',
    } as unknown as RollbackDeps;
    const refused = applyRollback(aRequest({ scope: { isbns: many } }), ...portsAndSettings(deps));
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toThrow(
      'scope.isbns: at most 5000 ISBNs per request (got 5001); use scope {all: true} for the whole fleet',
    );
  });

  describe('CLI', () => {
    let parent: string;
    let stateDir: string;
    beforeEach(() => {
      parent = mkdtempSync(join(tmpdir(), 'fg-bounded-'));
      stateDir = join(parent, 'state');
    });
    afterEach(() => rmSync(parent, { recursive: true, force: true }));
    const flags = many.flatMap((isbn) => ['--isbn', isbn]);

    it('rollback with too many --isbn exits 2 with a short message, opening no backend', async () => {
      const run = await runCli(
        { FG_STATE_DIR: stateDir, USER: 'alice' },
        'rollback',
        ...flags,
        '--to-version',
        'previous',
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        '--isbn: at most 5000 ISBNs per request (got 5001); use --all-models for the whole fleet',
      );
      expect(run.stderr).not.toContain(many[1]);
      expect(run.stderr.length).toBeLessThan(1000);
      expect(existsSync(stateDir)).toBe(false);
    });

    it('health run with too many --isbn exits 2 the same way', async () => {
      const run = await runCli({ FG_STATE_DIR: stateDir }, 'health', 'run', ...flags);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        '--isbn: at most 5000 ISBNs per request (got 5001); leave out --isbn to check the whole fleet',
      );
      expect(run.stderr).not.toContain(many[1]);
      expect(existsSync(stateDir)).toBe(false);
    });
  });

  describe('the rollback function', () => {
    let world: TestWorld;
    let http: FunctionServer;
    let pubsub: FunctionServer;
    let fnEnv: FunctionEnv | undefined;
    beforeAll(async () => {
      world = await openWorld();
      fnEnv = useFunctionEnv({ FG_STATE_DIR: world.dir, FG_LOG_LEVEL: 'error', FG_ROLLBACK_TOKEN: TOKEN });
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

    it('rollbackHttp answers 400 naming the count, not the list', async () => {
      const res = await fetch(http.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(aRequest({ scope: { isbns: many } })),
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: string; fields: string[] };
      expect(body.fields).toEqual(['scope.isbns']);
      expect(body.error).toBe(
        'RollbackRequest is invalid: scope.isbns: at most 5000 ISBNs per request (got 5001); use scope {all: true} for the whole fleet',
      );
    });

    it('the Pub/Sub entry dead-letters it with that reason', async () => {
      const inspect = deadLetterSubscriptionOf('rollback-requests');
      const res = await fetch(`${pubsub.url}/projects/demo/topics/rollback-requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          message: {
            data: Buffer.from(JSON.stringify(aRequest({ scope: { isbns: many } }))).toString('base64'),
            attributes: {},
            messageId: randomUUID(),
            publishTime: '2024-05-01T10:00:00.000Z',
          },
          subscription: 'projects/demo/subscriptions/rollback-requests--rollback',
        }),
      });
      expect(res.ok).toBe(true);
      const dead = await world.backend.bus.pull(inspect, 10, 500);
      await world.backend.bus.ack(
        inspect,
        dead.map((m) => m.ackId),
      );
      expect(dead.map((m) => m.attributes.deadLetterReason)).toEqual([
        expect.stringContaining(
          'RollbackRequest is invalid: scope.isbns: at most 5000 ISBNs per request (got 5001); use scope {all: true} for the whole fleet',
        ),
      ]);
      expect(dead[0]!.attributes.deadLetterReason).not.toContain(many[1]);
    });
  });
});
