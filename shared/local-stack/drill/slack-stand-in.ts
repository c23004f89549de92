/**
 * The drill's notification channel: a small HTTP server on 127.0.0.1 that
 * takes Slack incoming-webhook POSTs (JSON `{text, blocks}`), answers `ok`
 * as Slack does, and keeps each one with the time it arrived, so the drill
 * measures "something happened → a person was told" end to end without
 * posting to a real workspace.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedNotification {
  /** performance.now() when the POST arrived. */
  at: number;
  /** Slack's `text` (the phone notification line), or the raw body when it is not JSON. */
  text: string;
  rawBody: string;
}

export interface SlackStandIn {
  /** The webhook URL to give alert-dispatch as SLACK_WEBHOOK_URL. */
  url: string;
  readonly received: ReceivedNotification[];
  /** The first notification after `since` (performance.now()) that `match` accepts; waits up to `timeoutMs`. */
  waitFor(
    match: (n: ReceivedNotification) => boolean,
    since: number,
    timeoutMs: number,
  ): Promise<ReceivedNotification | undefined>;
  close(): Promise<void>;
}

function textOf(raw: string): string {
  try {
    const body = JSON.parse(raw) as { text?: unknown };
    return typeof body.text === 'string' ? body.text : raw;
  } catch {
    return raw;
  }
}

/** Starts the stand-in on a free loopback port. */
export async function startSlackStandIn(now: () => number = () => performance.now()): Promise<SlackStandIn> {
  const received: ReceivedNotification[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      if (req.method === 'POST') {
        received.push({ at: now(), text: textOf(rawBody), rawBody });
        for (const wake of [...waiters]) wake();
      }
      res.writeHead(req.method === 'POST' ? 200 : 405, { 'content-type': 'text/plain' });
      res.end(req.method === 'POST' ? 'ok' : 'POST only');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const waitFor: SlackStandIn['waitFor'] = async (match, since, timeoutMs) => {
    const deadline = now() + timeoutMs;
    for (;;) {
      const hit = received.find((n) => n.at >= since && match(n));
      if (hit) return hit;
      const left = deadline - now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, 1000));
        waiters.add(done);
      });
    }
  };

  return {
    url: `http://127.0.0.1:${port}/services/T0DRILL/B0DRILL/drill`,
    received,
    waitFor,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
