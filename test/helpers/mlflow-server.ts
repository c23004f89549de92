/**
 * A real local HTTP server that speaks the MLflow REST API 2.0 for the model
 * registry endpoints MlflowModelRegistry uses, with its state in memory
 * (mlflow-server-store.ts): the stand-in for `mlflow server` in tests.
 *
 * HTTP as MLflow's Flask app does it: GET reads the query string, every other
 * method a JSON body (DELETE too); POST without `Content-Type: application/json`
 * is refused; errors are `{error_code, message}` with MLflow's status; `/health`
 * is plain text `OK` outside `/api/2.0`; unknown routes are Flask's HTML 404,
 * wrong methods its HTML 405. With `token` set, API calls without
 * `Authorization: Bearer <token>` get 401. `failNext` and `delayNext` make it
 * misbehave on demand.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ERROR_STATUS,
  FakeMlflowStore,
  type FakeStoreOptions,
  MlflowStoreError,
} from './mlflow-server-store';

export interface MlflowServerOptions extends FakeStoreOptions {
  /** Demand `Authorization: Bearer <token>` on API calls. */
  token?: string;
  /** Serve under a path, as `mlflow server --static-prefix /mlflow` does. */
  staticPrefix?: string;
}

export interface MlflowRequest {
  method: string;
  /** Path and query as received. */
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  status: number;
}

export interface MlflowServer {
  /** `http://127.0.0.1:<port>` plus the static prefix: the tracking URI to give a client. */
  url: string;
  /** The registry's state; tests may read it and change it behind the client's back. */
  state: FakeMlflowStore;
  /** Every request so far, in arrival order. */
  requests: MlflowRequest[];
  /** Answer the next `n` requests with `status` (default 503) and MLflow's error body for it. */
  failNext(n: number, status?: number): void;
  /** Hold the answer to the next `n` requests for `ms` first. */
  delayNext(n: number, ms: number): void;
  close(): Promise<void>;
}

const API = '/api/2.0/mlflow/';
const STATUS_CODE: Record<number, string> = Object.fromEntries(
  Object.entries(ERROR_STATUS).map(([code, status]) => [status, code]),
);

/** Starts a fake MLflow server on a free port; close it in afterEach/afterAll. */
export async function startMlflowServer(options: MlflowServerOptions = {}): Promise<MlflowServer> {
  const state = new FakeMlflowStore(options);
  const prefix = (options.staticPrefix ?? '').replace(/\/+$/, '');
  const requests: MlflowRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let failing = { count: 0, status: 503 };
  let delaying = { count: 0, ms: 0 };

  const answer = (
    request: MlflowRequest,
    res: ServerResponse,
    status: number,
    body: string,
    type: string,
  ) => {
    request.status = status;
    const send = () => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (delaying.count > 0) {
      delaying.count -= 1;
      const timer = setTimeout(() => {
        timers.delete(timer);
        send();
      }, delaying.ms);
      timers.add(timer);
    } else send();
  };
  const json = (request: MlflowRequest, res: ServerResponse, status: number, body: unknown) =>
    answer(request, res, status, JSON.stringify(body), 'application/json');
  const error = (request: MlflowRequest, res: ServerResponse, errorCode: string, message: string) =>
    json(request, res, ERROR_STATUS[errorCode] ?? 500, { error_code: errorCode, message });
  const html = (request: MlflowRequest, res: ServerResponse, status: number, title: string) =>
    answer(request, res, status, flaskPage(status, title), 'text/html; charset=utf-8');

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: MlflowRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        rawBody: Buffer.concat(chunks).toString('utf8'),
        status: 0,
      };
      requests.push(request);
      const url = new URL(request.path, 'http://localhost');
      if (failing.count > 0) {
        failing.count -= 1;
        const code = STATUS_CODE[failing.status];
        // A proxy in front (502/504) answers HTML, not MLflow JSON.
        if (code) error(request, res, code, `injected failure ${failing.status}`);
        else html(request, res, failing.status, 'Bad Gateway');
        return;
      }
      if (!url.pathname.startsWith(`${prefix}/`)) return html(request, res, 404, 'Not Found');
      const path = url.pathname.slice(prefix.length);
      if (path === '/health' || path === '/version') {
        if (request.method !== 'GET' && request.method !== 'HEAD')
          return html(request, res, 405, 'Method Not Allowed');
        return answer(request, res, 200, path === '/health' ? 'OK' : '2.12.1', 'text/html; charset=utf-8');
      }
      const endpoint = path.startsWith(API) ? path.slice(API.length) : undefined;
      const known =
        endpoint !== undefined && Object.keys(state.routes).some((r) => r.endsWith(` ${endpoint}`));
      if (!known) return html(request, res, 404, 'Not Found');
      if (!state.routes[`${request.method} ${endpoint}`])
        return html(request, res, 405, 'Method Not Allowed');
      if (options.token && request.headers.authorization !== `Bearer ${options.token}`) {
        // mlflow.server.auth answers a plain-text 401, not MLflow JSON.
        return answer(
          request,
          res,
          401,
          'You are not authenticated. Please see the MLflow auth docs.',
          'text/plain',
        );
      }
      try {
        const message = readMessage(request, url);
        json(request, res, 200, state.handle(request.method, endpoint, message));
      } catch (err) {
        if (err instanceof MlflowStoreError) return error(request, res, err.errorCode, err.message);
        error(request, res, 'INTERNAL_ERROR', String(err));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    state,
    requests,
    failNext(n, status = 503) {
      failing = { count: n, status };
    },
    delayNext(n, ms) {
      delaying = { count: n, ms };
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** handlers._get_request_message: the query string for GET, a JSON body for every other method. */
function readMessage(request: MlflowRequest, url: URL): Record<string, unknown> {
  if (request.method === 'GET') {
    const message: Record<string, unknown> = {};
    for (const key of new Set(url.searchParams.keys())) {
      const values = url.searchParams.getAll(key);
      message[key] = key === 'order_by' ? values : values[values.length - 1];
    }
    return message;
  }
  // _validate_content_type checks POST and PUT only; DELETE bodies are read as JSON regardless.
  const type = request.headers['content-type'];
  if (request.method === 'POST' && !type) {
    throw new MlflowStoreError('INVALID_PARAMETER_VALUE', 'Bad Request. Content-Type header is missing.');
  }
  if (request.method === 'POST' && !/^application\/json\s*(;|$)/i.test(type ?? '')) {
    throw new MlflowStoreError(
      'INVALID_PARAMETER_VALUE',
      "Bad Request. Content-Type must be one of ['application/json'].",
    );
  }
  if (request.rawBody.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(request.rawBody);
  } catch {
    throw new MlflowStoreError('BAD_REQUEST', 'Malformed JSON in request body');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new MlflowStoreError('BAD_REQUEST', 'Request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** The page Flask (werkzeug) sends for its own 404 and 405. */
function flaskPage(status: number, title: string): string {
  const detail =
    status === 405
      ? 'The method is not allowed for the requested URL.'
      : 'The requested URL was not found on the server.';
  return `<!doctype html>\n<html lang=en>\n<title>${status} ${title}</title>\n<h1>${title}</h1>\n<p>${detail}</p>\n`;
}
