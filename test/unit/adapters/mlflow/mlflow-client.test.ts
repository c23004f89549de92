import { createServer } from 'node:net';
import { MlflowClient } from '../../../../shared/adapters/mlflow/mlflow-client';
import { mlflowErrorCode } from '../../../../shared/adapters/mlflow/mlflow-errors';
import {
  BackendUnavailableError,
  ConfigError,
  NotFoundError,
  ValidationError,
} from '../../../../shared/errors';
import { type MlflowServer, startMlflowServer } from '../../../helpers/mlflow-server';

const TOKEN = 'tok-5ecret-do-not-print';

/** A port nothing listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** A fetch that answers every request with one fixed response. */
function fixedFetch(status: number, body: string, contentType = 'application/json'): typeof fetch {
  return async () => new Response(body, { status, headers: { 'content-type': contentType } });
}

describe('MlflowClient', () => {
  let server: MlflowServer;
  let client: MlflowClient;

  beforeEach(async () => {
    server = await startMlflowServer({ token: TOKEN });
    client = new MlflowClient({ trackingUri: server.url, token: TOKEN, timeoutMs: 2000 });
  });
  afterEach(() => server.close());

  it('sends the token as a bearer header, GET parameters in the query and DELETE parameters in a JSON body', async () => {
    await client.createRegisteredModel('arima_book_9780722532935');
    await client.getRegisteredModel('arima_book_9780722532935');
    await client.deleteRegisteredModelAlias('arima_book_9780722532935', 'production');

    const [create, get, del] = server.requests;
    expect(create?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(create?.headers['content-type']).toBe('application/json');
    expect(get?.method).toBe('GET');
    expect(get?.path).toBe('/api/2.0/mlflow/registered-models/get?name=arima_book_9780722532935');
    expect(get?.rawBody).toBe('');
    expect(del?.method).toBe('DELETE');
    expect(del?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(del?.rawBody ?? '')).toEqual({ name: 'arima_book_9780722532935', alias: 'production' });
  });

  it('reads /health as plain text beside the API, under the static prefix', async () => {
    const prefixed = await startMlflowServer({ staticPrefix: '/mlflow' });
    try {
      expect(await new MlflowClient({ trackingUri: `${prefixed.url}/` }).health()).toBe('OK');
      expect(prefixed.requests[0]?.path).toBe('/mlflow/health');
    } finally {
      await prefixed.close();
    }
  });

  it.each([
    [500, true],
    [503, true],
    [429, true],
    [502, true],
    [401, false],
    [403, false],
  ])('maps HTTP %i to BackendUnavailableError (retryable: %s)', async (status, retryable) => {
    server.failNext(1, status);
    const err = await client.getRegisteredModel('arima_book_9780722532935').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as BackendUnavailableError).retryable).toBe(retryable);
    expect((err as BackendUnavailableError).backend).toBe('mlflow');
    expect((err as Error).message).toContain(`answered ${status}`);
    if (status === 401 || status === 403) expect((err as Error).message).toMatch(/authentication refused/);
  });

  it('maps RESOURCE_DOES_NOT_EXIST to NotFoundError and keeps the error code as the cause', async () => {
    const err = await client.getRegisteredModel('arima_book_9780722532935').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(mlflowErrorCode(err)).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((err as Error).message).toContain('Registered Model with name=arima_book_9780722532935 not found');
  });

  it('maps 400 to ValidationError naming the parameter, and RESOURCE_ALREADY_EXISTS keeps its code', async () => {
    const missing = await client.getModelVersion('', '1').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ValidationError);
    expect((missing as ValidationError).fields).toEqual(['name']);
    expect((missing as Error).message).toContain("Missing value for required parameter 'name'");

    await client.createRegisteredModel('arima_book_9780722532935');
    const twice = await client.createRegisteredModel('arima_book_9780722532935').catch((e: unknown) => e);
    expect(twice).toBeInstanceOf(ValidationError);
    expect(mlflowErrorCode(twice)).toBe('RESOURCE_ALREADY_EXISTS');
  });

  it('treats an HTML 404 as a wrong tracking URI, not as a missing model', async () => {
    const wrong = new MlflowClient({ trackingUri: `${server.url}/not-mlflow`, token: TOKEN });
    const err = await wrong.getRegisteredModel('arima_book_9780722532935').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(err).not.toBeInstanceOf(NotFoundError);
    expect((err as BackendUnavailableError).retryable).toBe(false);
    expect((err as Error).message).toMatch(/404 .*Not Found.*MLFLOW_TRACKING_URI/);
  });

  it('names an unreachable server and a timeout as retryable BackendUnavailableErrors', async () => {
    const port = await closedPort();
    const down = new MlflowClient({ trackingUri: `http://127.0.0.1:${port}`, token: TOKEN });
    const refused = await down.health().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BackendUnavailableError);
    expect((refused as BackendUnavailableError).retryable).toBe(true);
    expect((refused as Error).message).toContain(`could not reach http://127.0.0.1:${port}: ECONNREFUSED`);

    server.delayNext(1, 1500);
    const slow = new MlflowClient({ trackingUri: server.url, token: TOKEN, timeoutMs: 100 });
    const timedOut = await slow.searchRegisteredModels({ maxResults: 1 }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(BackendUnavailableError);
    expect((timedOut as BackendUnavailableError).retryable).toBe(true);
    expect((timedOut as Error).message).toContain('GET registered-models/search timed out after 100 ms');
  });

  it('never puts the token or a URL password in an error message, even when the server echoes them', async () => {
    const wrongToken = new MlflowClient({ trackingUri: server.url, token: 'wrong-token-value' });
    const refused = await wrongToken.getRegisteredModel('m').catch((e: unknown) => e);
    expect((refused as Error).message).not.toContain('wrong-token-value');

    const echo = new MlflowClient({
      trackingUri: 'http://ops:p%40ss-w0rd@mlflow.invalid:5000',
      fetch: fixedFetch(
        400,
        JSON.stringify({ error_code: 'BAD_REQUEST', message: `bad header Basic ops:p@ss-w0rd` }),
      ),
    });
    const echoed = await echo.getRegisteredModel('m').catch((e: unknown) => e);
    expect((echoed as Error).message).toContain('bad header Basic ops:[redacted]');
    expect(echo.baseUrl).toBe('http://mlflow.invalid:5000');

    const tokenEcho = new MlflowClient({
      trackingUri: 'http://mlflow.invalid',
      token: TOKEN,
      fetch: fixedFetch(
        500,
        JSON.stringify({ error_code: 'INTERNAL_ERROR', message: `token ${TOKEN} rejected` }),
      ),
    });
    const leaked = await tokenEcho.getRegisteredModel('m').catch((e: unknown) => e);
    expect((leaked as Error).message).not.toContain(TOKEN);
    expect(String((leaked as Error).cause)).not.toContain(TOKEN);
  });

  it('refuses a tracking URI that is not http(s), naming the variable but not echoing the value', () => {
    for (const trackingUri of ['file:///mlruns', 'mlflow.internal:5000', 'ftp://u:pw-123@host']) {
      const err = (() => {
        try {
          return new MlflowClient({ trackingUri });
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).variable).toBe('MLFLOW_TRACKING_URI');
      expect((err as Error).message).not.toContain('pw-123');
    }
  });

  it('sends URL credentials as basic auth when there is no token', async () => {
    const seen: Array<string | null> = [];
    const basic = new MlflowClient({
      trackingUri: 'http://ops:s3cret@mlflow.invalid',
      fetch: async (_url, init) => {
        seen.push(new Headers(init?.headers).get('authorization'));
        return new Response('OK');
      },
    });
    await basic.health();
    expect(seen).toEqual([`Basic ${Buffer.from('ops:s3cret').toString('base64')}`]);
  });

  it('reads int64 timestamps sent as strings (older servers) or numbers (newer ones)', async () => {
    for (const int64As of ['string', 'number'] as const) {
      const mlflow = await startMlflowServer({ int64As, now: () => 1714557600000 });
      try {
        const c = new MlflowClient({ trackingUri: mlflow.url });
        await c.createRegisteredModel('arima_book_9780722532935');
        await c.createModelVersion({ name: 'arima_book_9780722532935', source: 's', tags: [] });
        expect(JSON.parse(mlflow.requests[1]?.rawBody ?? '{}')).not.toHaveProperty('run_id');
        const mv = await c.getModelVersion('arima_book_9780722532935', '1');
        expect(mv.creation_timestamp).toBe(1714557600000);
        expect(mv.version).toBe('1');
      } finally {
        await mlflow.close();
      }
    }
  });

  it('follows next_page_token until the last page', async () => {
    await client.createRegisteredModel('arima_book_9780722532935');
    for (let i = 0; i < 7; i++) {
      await client.createModelVersion({ name: 'arima_book_9780722532935', source: 's', tags: [] });
    }
    server.requests.length = 0;
    const all = await client.searchAllModelVersions("name='arima_book_9780722532935'", 3);
    expect(all.map((v) => v.version).sort()).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(server.requests.map((r) => new URL(r.path, 'http://x').searchParams.get('page_token'))).toEqual([
      null,
      expect.any(String),
      expect.any(String),
    ]);
  });

  it('refuses a server that hands back the same page token twice, and a body that is not the API shape', async () => {
    const looping = new MlflowClient({
      trackingUri: 'http://mlflow.invalid',
      fetch: fixedFetch(200, JSON.stringify({ model_versions: [], next_page_token: 'same' })),
    });
    await expect(looping.searchAllModelVersions('', 10)).rejects.toThrow(
      /next_page_token same came back twice/,
    );

    const html = new MlflowClient({
      trackingUri: 'http://mlflow.invalid',
      fetch: fixedFetch(200, '<html>', 'text/html'),
    });
    const err = await html.getRegisteredModel('m').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as BackendUnavailableError).retryable).toBe(false);
    expect((err as Error).message).toContain('unexpected body: not JSON');

    const shape = new MlflowClient({
      trackingUri: 'http://mlflow.invalid',
      fetch: fixedFetch(200, JSON.stringify({ model_version: { name: 'm', version: 'three' } })),
    });
    await expect(shape.getModelVersion('m', '3')).rejects.toThrow(/model_version\.version/);
  });
});
