/**
 * The local dashboard: a small HTTP server on 127.0.0.1 with a JSON API and
 * one static page (inline script, SVG chart) that polls it. No framework: a
 * handful of read-only routes over the ports, and one action, asking for a
 * health check now, which publishes the same message Cloud Scheduler does.
 *
 * Routes: `GET /` the page; `GET /api/health` liveness and the stack's
 * processes; `GET /api/fleet`; `GET /api/alerts[?all=1]`; `GET /api/history`;
 * `GET /api/books/<isbn>/chart`; each panel's own GET routes (panels/); `POST /api/health-check` (JSON body
 * `{isbns?}`; a JSON content type is required, so another site's page cannot
 * send it through a visitor's browser without a CORS preflight).
 *
 * It answers only to its own names (127.0.0.1, localhost, [::1] on its
 * port: a foreign Host is DNS rebinding), refuses a state-changing request
 * whose Origin is another site, and forbids framing (X-Frame-Options and
 * CSP frame-ancestors).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseIsbn13 } from '../domain/isbn';
import { describeError, ForecastGuardError, NotFoundError, ValidationError } from '../errors';
import { DASHBOARD_PAGE } from './page';
import { PANELS } from './panels';
import type { PanelContext } from './panels/panel';
import { chartView } from './chart-view';
import { alertsView, fleetView, historyView, type ViewPorts } from './views';
import { ViewCache } from './view-cache';
import type { StackStatusView } from './stack-status';

export interface DashboardSource {
  backend: ViewPorts;
  /** The local stack's processes and schedules, when a stack runs. */
  status?(): StackStatusView;
  /** Publishes a manual HealthCheckRequest; resolves to the message id. */
  requestHealthCheck?(isbns?: string[]): Promise<string>;
  /** Base of each alert row's runbook link (FG_RUNBOOK_BASE_URL); `docs/runbooks/` when absent. */
  runbookBaseUrl?: string;
}

export interface DashboardOptions {
  source: DashboardSource;
  /** 0 = any free port; undefined = 8080, or the next free port above it. */
  port?: number;
  host?: string;
}

export interface DashboardServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const DEFAULT_PORT = 8080;
/** How long one reading of a view answers every request for it (the page polls every 3 s). */
const VIEW_CACHE_MS = 1000;
/** Views kept at once: the fleet, history, two alert lists and the charts last asked for. */
const MAX_CACHED_VIEWS = 64;
const PORTS_TRIED = 20;
const MAX_BODY = 64 * 1024;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

function statusOf(err: unknown): number {
  if (err instanceof ValidationError) return 400;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof ForecastGuardError && err.retryable) return 503;
  return 500;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new ValidationError(`body: must be at most ${MAX_BODY} bytes`, ['body']);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError('body: must be JSON, e.g. {"isbns": ["9780722532935"]} or {}', ['body']);
  }
}

function isbnsFrom(body: unknown): string[] | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('body: must be a JSON object, e.g. {} or {"isbns": [...]}', ['body']);
  }
  const isbns = (body as { isbns?: unknown }).isbns;
  if (isbns === undefined) return undefined;
  if (!Array.isArray(isbns) || isbns.some((i) => typeof i !== 'string')) {
    throw new ValidationError('isbns: must be a list of ISBN-13 strings', ['isbns']);
  }
  return isbns as string[];
}

/**
 * Why a request is refused before any route runs, or undefined. The
 * dashboard answers only to its own names on the port it was reached on:
 * a foreign `Host` is a DNS-rebinding page (its own name resolved to
 * 127.0.0.1) reading the API as same-origin. A state-changing request
 * must not come from another origin's page; a client that sends no
 * `Origin` (curl, the CLI) is not a browser page and may.
 */
function refusal(req: IncomingMessage): string | undefined {
  const port = req.socket.localPort;
  const names = ['127.0.0.1', 'localhost', '[::1]'];
  const hosts = new Set(names.map((n) => `${n}:${port}`));
  if (port === 80) for (const n of names) hosts.add(n);
  const host = (req.headers.host ?? '').toLowerCase();
  if (!hosts.has(host)) {
    return `host: the dashboard answers only to ${[...hosts].slice(0, 3).join(', ')}`;
  }
  const safe = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS';
  const origin = req.headers.origin?.toLowerCase();
  const ownOrigin = origin?.startsWith('http://') === true && hosts.has(origin.slice('http://'.length));
  if (!safe && origin !== undefined && !ownOrigin) {
    return 'origin: a request that changes something must come from the dashboard itself';
  }
  return undefined;
}

/** The request handler alone (tests drive it; `startDashboard` serves it). */
export function dashboardHandler(
  source: DashboardSource,
  options: { cacheMs?: number; maxCachedViews?: number } = {},
) {
  const titles = new Map<string, string>();
  const cache = new ViewCache(options.cacheMs ?? VIEW_CACHE_MS, options.maxCachedViews ?? MAX_CACHED_VIEWS);
  const view = <T>(key: string, read: () => Promise<T>) => cache.get(key, read);
  const { backend } = source;
  const context: PanelContext = { ports: backend, titles, runbookBaseUrl: source.runbookBaseUrl };
  const panelRoutes = PANELS.flatMap((p) => p.routes ?? []);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://dashboard.local');
    const path = url.pathname;
    // No page may frame the dashboard (clickjacking its button); the page's own CSP says so too.
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    res.setHeader('x-content-type-options', 'nosniff');
    const refused = refusal(req);
    if (refused) return send(res, 403, { error: refused });
    try {
      if (req.method === 'GET' && (path === '/' || path === '/index.html')) {
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          // Inline script and style only; nothing loads from elsewhere, and nothing frames it.
          'content-security-policy':
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
        });
        res.end(DASHBOARD_PAGE);
        return;
      }
      if (path === '/favicon.ico') {
        res.writeHead(204);
        res.end();
        return;
      }
      if (req.method === 'GET' && path === '/api/health') {
        const status = source.status?.();
        send(res, 200, {
          ok: true,
          environment: backend.config.environment,
          ...(status ? { stack: status } : {}),
        });
        return;
      }
      if (req.method === 'GET' && path === '/api/fleet')
        return send(res, 200, await view('fleet', () => fleetView(backend, titles)));
      if (req.method === 'GET' && path === '/api/alerts') {
        const all = url.searchParams.get('all') === '1';
        return send(res, 200, {
          alerts: await view(`alerts:${all}`, () => alertsView(backend.state, all, source.runbookBaseUrl)),
        });
      }
      if (req.method === 'GET' && path === '/api/history')
        return send(res, 200, await view('history', () => historyView(backend.state)));
      const chart = /^\/api\/books\/([^/]+)\/chart$/.exec(path);
      if (req.method === 'GET' && chart) {
        // One entry per book, however it is spelled (hyphens, spaces).
        const isbn = parseIsbn13(decodeURIComponent(chart[1]!));
        return send(res, 200, await view(`chart:${isbn}`, () => chartView(backend, isbn, titles)));
      }
      if (path === '/api/health-check') {
        if (req.method !== 'POST') {
          res.setHeader('allow', 'POST');
          return send(res, 405, { error: 'use POST with a JSON body ({} or {"isbns": [...]})' });
        }
        if (!source.requestHealthCheck)
          return send(res, 501, { error: 'no stack runs behind this dashboard' });
        if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
          return send(res, 415, { error: 'content-type: must be application/json' });
        }
        const messageId = await source.requestHealthCheck(isbnsFrom(await readJson(req)));
        return send(res, 202, { messageId, topic: 'health-check-requests' });
      }
      if (req.method === 'GET') {
        for (const route of panelRoutes) {
          const match = route.path.exec(path);
          if (match)
            return send(res, 200, await view(route.key(match, url), () => route.read(context, match, url)));
        }
      }
      send(res, 404, { error: `no route ${req.method} ${path}` });
    } catch (err) {
      const status = statusOf(err);
      send(res, status, {
        error: err instanceof Error ? err.message : String(err),
        ...(err instanceof ValidationError ? { fields: err.fields } : {}),
        ...(status >= 500 ? { detail: describeError(err) } : {}),
      });
    }
  };
}

function listen(server: Server, port: number, host: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE') resolve(false);
      else reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(true);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Serves the dashboard on loopback; the port rule is in `DashboardOptions.port`. */
export async function startDashboard(options: DashboardOptions): Promise<DashboardServer> {
  const host = options.host ?? '127.0.0.1';
  const handler = dashboardHandler(options.source);
  const server = createServer((req, res) => void handler(req, res));
  // Answers are small and the page polls: keep-alive sockets must not hold `close()` up.
  server.keepAliveTimeout = 2000;
  const candidates =
    options.port !== undefined
      ? [options.port]
      : Array.from({ length: PORTS_TRIED }, (_, i) => DEFAULT_PORT + i);
  let bound = false;
  for (const port of candidates) {
    if (await listen(server, port, host)) {
      bound = true;
      break;
    }
  }
  if (!bound) {
    throw new ValidationError(
      options.port !== undefined
        ? `port: ${options.port} is in use; pick another with --port N (0 = any free port)`
        : `port: ${DEFAULT_PORT}-${DEFAULT_PORT + PORTS_TRIED - 1} are all in use; pick one with --port N`,
      ['port'],
    );
  }
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
