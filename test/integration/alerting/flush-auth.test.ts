/**
 * The flush entry (`alertDispatchFlush`) sends every pending notification
 * now, so it answers only to its scheduler. Through the real functions
 * framework on the embedded backend: no credentials is 401 and does
 * nothing, a wrong token 403, no token configured refuses every call; the
 * right bearer token (what the local stack sends) is 200. With
 * FG_FLUSH_AUTH=iam (how infra deploys it, behind Cloud Run IAM) the code
 * does not ask for our token.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../../functions/alert-dispatch';
import { closeFunctionRuntimes } from '../../../shared/wiring/function-runtime';
import { useFunctionEnv, type FunctionEnv } from '../../helpers/function-env';
import { startFunctionServer, type FunctionServer } from '../../helpers/function-server';

const TOKEN = 'flush-token-0123456789abcdef';

describe('alertDispatchFlush refuses unauthenticated calls (functions framework, embedded)', () => {
  let stateDir: string;
  let server: FunctionServer;
  let fnEnv: FunctionEnv | undefined;

  const start = async (env: Record<string, string>) => {
    await server?.close();
    await closeFunctionRuntimes();
    fnEnv?.restore();
    fnEnv = useFunctionEnv({
      FG_STATE_DIR: stateDir,
      FG_LOG_LEVEL: 'error',
      FG_FLUSH_TOKEN: undefined,
      FG_FLUSH_AUTH: undefined,
      ...env,
    });
    server = await startFunctionServer('alertDispatchFlush');
  };

  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-flush-auth-'));
  });

  afterAll(async () => {
    await server?.close();
    await closeFunctionRuntimes();
    rmSync(stateDir, { recursive: true, force: true });
    fnEnv?.restore();
  });

  const flush = (headers: Record<string, string> = {}) =>
    fetch(`${server.url}/`, { method: 'POST', headers });

  it('answers 401 without credentials, 403 with a wrong token, 200 with the right one', async () => {
    await start({ FG_FLUSH_TOKEN: TOKEN });
    const none = await flush();
    expect(none.status).toBe(401);
    expect(JSON.stringify(await none.json())).not.toContain('jobs');
    expect((await flush({ authorization: 'Bearer not-the-token-at-all' })).status).toBe(403);
    expect((await flush({ authorization: `Basic ${TOKEN}` })).status).toBe(401);
    const ok = await flush({ authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ jobs: 0, delivered: 0 });
  });

  it('refuses every call while no token is configured', async () => {
    await start({});
    const res = await flush({ authorization: 'Bearer anything-at-all-0123456' });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: expect.stringContaining('FG_FLUSH_TOKEN') });
  });

  it('leaves the check to Cloud Run IAM when deployed with FG_FLUSH_AUTH=iam', async () => {
    await start({ FG_FLUSH_AUTH: 'iam' });
    expect((await flush({ authorization: 'Bearer eyJ.an-oidc-token.from-cloud-scheduler' })).status).toBe(
      200,
    );
  });

  it('does not take K_SERVICE as proof that IAM checked the caller', async () => {
    await start({ K_SERVICE: 'alert-dispatch-flush', FG_FLUSH_TOKEN: TOKEN });
    expect((await flush()).status).toBe(401);
  });
});
