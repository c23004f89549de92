/**
 * A real HTTP server on 127.0.0.1 (a free port) that records every request
 * and answers with a status the test chooses: the stand-in for a push
 * endpoint, a Slack incoming webhook, or any HTTP peer. It answers
 * `defaultStatus` unless told to fail the next N requests (`failNext`) or
 * until a condition holds (`failUntil`).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/projects/p/topics/t?x=1`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON when the body is JSON, else the raw text (undefined when empty). */
  body: unknown;
  rawBody: string;
  /** The status this request was answered with. */
  status: number;
  receivedAt: Date;
}

/** Fail while this returns false for the request being answered; the first `true` ends the failing spell. */
export type FailUntilPredicate = (request: RecordedRequest, index: number) => boolean;

/** What a failed request is answered with besides its status (Slack answers `invalid_payload`, or 429 with `Retry-After`). */
export interface FailureReply {
  /** Response body; default `failed`. */
  body?: string;
  /** Extra response headers, e.g. `{ 'retry-after': '7' }`. */
  headers?: Record<string, string>;
}

export interface Recorder {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  port: number;
  /** Every request so far, in arrival order (failed ones included). */
  requests: RecordedRequest[];
  /** Answer the next `n` requests with `status` (default 500), and `reply`'s body and headers when given. */
  failNext(n: number, status?: number, reply?: FailureReply): void;
  /** Answer `status` (default 500) until `until` returns true, or until that time. */
  failUntil(until: FailUntilPredicate | Date, status?: number, reply?: FailureReply): void;
  /** Resolves with `requests` once at least `count` arrived; rejects after `timeoutMs` saying how many did. */
  waitFor(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Forget recorded requests (failure settings stay). */
  clear(): void;
  close(): Promise<void>;
}

export interface RecorderOptions {
  /** Status for requests that are not failed on purpose (default 200, like Slack). */
  defaultStatus?: number;
  /** Body sent with `defaultStatus` (default `ok`; none for 204). */
  defaultBody?: string;
}

/** Starts a recorder; close it in afterAll/afterEach. */
export async function startRecorder(options: RecorderOptions = {}): Promise<Recorder> {
  const defaultStatus = options.defaultStatus ?? 200;
  const defaultBody = options.defaultBody ?? 'ok';
  const requests: RecordedRequest[] = [];
  let failCount = 0;
  let failCountStatus = 500;
  let failCountReply: FailureReply = {};
  let failCondition: { until: FailUntilPredicate | Date; status: number; reply: FailureReply } | undefined;
  // The reply for the request being answered; set by chooseStatus when it picks a failure.
  let failReply: FailureReply = {};
  const waiters: Array<() => void> = [];

  const chooseStatus = (request: RecordedRequest, index: number): number => {
    failReply = {};
    if (failCount > 0) {
      failCount -= 1;
      failReply = failCountReply;
      return failCountStatus;
    }
    if (failCondition) {
      const { until, status, reply } = failCondition;
      const done = until instanceof Date ? Date.now() >= until.getTime() : until(request, index);
      if (!done) {
        failReply = reply;
        return status;
      }
      failCondition = undefined;
    }
    return defaultStatus;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const request: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: parseBody(rawBody),
        rawBody,
        status: 0,
        receivedAt: new Date(),
      };
      request.status = chooseStatus(request, requests.length);
      requests.push(request);
      const body =
        request.status === 204
          ? undefined
          : request.status === defaultStatus
            ? defaultBody
            : (failReply.body ?? 'failed');
      res.writeHead(request.status, {
        ...(body === undefined ? {} : { 'content-type': 'text/plain' }),
        ...failReply.headers,
      });
      res.end(body);
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    failNext(n, status = 500, reply = {}) {
      failCount = n;
      failCountStatus = status;
      failCountReply = reply;
    },
    failUntil(until, status = 500, reply = {}) {
      failCondition = { until, status, reply };
    },
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new Error(
            `http-recorder: expected ${count} requests within ${timeoutMs} ms, got ${requests.length}`,
          );
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return requests;
    },
    clear() {
      requests.splice(0);
    },
    close() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

function parseBody(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}
