/**
 * The dashboard answers only to itself: a foreign `Host` (DNS rebinding) is
 * refused, a state-changing request from a foreign `Origin` is refused, no
 * page can frame it, and its cache of views is bounded however many
 * different books (or spellings of one) are asked for.
 */
import { request } from 'node:http';
import { startDashboard, type DashboardServer, dashboardHandler } from '../../../shared/dashboard/server';
import type { ViewPorts } from '../../../shared/dashboard/views';
import { isbn13CheckDigit } from '../../../shared/domain/isbn';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ViewCache } from '../../../shared/dashboard/view-cache';

/** Ports enough for `/api/health` and a book's chart; counts the chart's sales reads per ISBN. */
function fakePorts(reads: Map<string, number>): ViewPorts {
  return {
    config: { environment: 'development', thresholds: {} },
    state: { get: async () => undefined },
    registry: { getAlias: async () => undefined, getVersion: async () => undefined },
    serving: { getServing: async () => undefined },
    sales: {
      listIsbns: async () => [],
      getSeries: async (isbn: string) => {
        reads.set(isbn, (reads.get(isbn) ?? 0) + 1);
        return { isbn, title: `Book ${isbn}`, points: [{ weekEnding: '2026-01-03', volume: 5 }] };
      },
    },
  } as unknown as ViewPorts;
}

/** Raw request, so Host and Origin are exactly what a browser on another site would send. */
function send(
  port: number,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

function isbnNumber(n: number): string {
  const first12 = `978${String(n).padStart(9, '0')}`;
  return `${first12}${isbn13CheckDigit(first12)}`;
}

describe('dashboard server', () => {
  let dashboard: DashboardServer;
  let port: number;
  const requested: Array<string[] | undefined> = [];

  beforeAll(async () => {
    dashboard = await startDashboard({
      port: 0,
      source: {
        backend: fakePorts(new Map()),
        requestHealthCheck: async (isbns) => {
          requested.push(isbns);
          return 'message-1';
        },
      },
    });
    port = dashboard.port;
  });

  afterAll(() => dashboard.close());

  it('answers its own names: 127.0.0.1, localhost and [::1] on its port', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      const res = await send(port, { path: '/api/health', headers: { host } });
      expect([host, res.status]).toEqual([host, 200]);
    }
  });

  it('refuses a foreign Host (DNS rebinding), on the page and the API alike', async () => {
    for (const host of [
      'attacker.example',
      `attacker.example:${port}`,
      `localhost:${port + 1}`,
      '127.0.0.1',
    ]) {
      for (const path of ['/', '/api/health', '/api/fleet']) {
        const res = await send(port, { path, headers: { host } });
        expect([host, path, res.status]).toEqual([host, path, 403]);
        expect(res.body).not.toContain('<table');
      }
    }
  });

  it('refuses a state-changing request from a foreign Origin, and nothing is published', async () => {
    const before = requested.length;
    for (const origin of [
      'http://attacker.example',
      'null',
      `http://localhost:${port + 1}`,
      `https://127.0.0.1:${port}`,
    ]) {
      const res = await send(port, {
        method: 'POST',
        path: '/api/health-check',
        headers: { host: `127.0.0.1:${port}`, origin, 'content-type': 'application/json' },
        body: '{}',
      });
      expect([origin, res.status]).toEqual([origin, 403]);
    }
    expect(requested.length).toBe(before);
    // Its own page (and a client that sends no Origin, such as curl) may.
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`, undefined]) {
      const res = await send(port, {
        method: 'POST',
        path: '/api/health-check',
        headers: {
          host: `127.0.0.1:${port}`,
          'content-type': 'application/json',
          ...(origin ? { origin } : {}),
        },
        body: '{}',
      });
      expect([origin, res.status]).toEqual([origin, 202]);
    }
  });

  it('cannot be framed', async () => {
    for (const path of ['/', '/api/health']) {
      const res = await send(port, { path, headers: { host: `127.0.0.1:${port}` } });
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    }
  });
});

describe('dashboard view cache', () => {
  let server: Server;
  let port: number;
  const reads = new Map<string, number>();

  beforeAll(async () => {
    // A long cache time, so only eviction can make the dashboard read a book again.
    const options = { cacheMs: 3_600_000, maxCachedViews: 8 };
    const handler = dashboardHandler({ backend: fakePorts(reads) }, options);
    server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const chart = (isbn: string) =>
    send(port, {
      path: `/api/books/${encodeURIComponent(isbn)}/chart`,
      headers: { host: `127.0.0.1:${port}` },
    });

  it('keeps at most its bound of views, evicting the least recently used', async () => {
    const first = isbnNumber(1);
    expect((await chart(first)).status).toBe(200);
    expect((await chart(first)).status).toBe(200);
    // Within the cache time: one reading answers both (the sales series is read once for the chart, once for the title).
    const afterFirst = reads.get(first);
    for (let n = 2; n <= 40; n++) expect((await chart(isbnNumber(n))).status).toBe(200);
    // 40 books asked for, a bound of 8: the first was evicted and is read again.
    expect((await chart(first)).status).toBe(200);
    expect(reads.get(first)).toBeGreaterThan(afterFirst!);
  });

  it('one book spelled many ways is one entry, not one per spelling', async () => {
    const isbn = isbnNumber(100);
    expect((await chart(isbn)).status).toBe(200);
    const once = reads.get(isbn);
    for (let i = 1; i <= 30; i++) {
      const spelled = `${isbn.slice(0, 3)}${'-'.repeat(i)}${isbn.slice(3)}`;
      expect((await chart(spelled)).status).toBe(200);
    }
    expect(reads.get(isbn)).toBe(once);
  });
});

describe('ViewCache', () => {
  it('never holds more than its bound, evicts the least recently used, and keeps no failure', async () => {
    let now = 0;
    const cache = new ViewCache(1000, 3, () => now);
    const reads: string[] = [];
    const read = (key: string) => () => {
      reads.push(key);
      return Promise.resolve(key);
    };
    for (const key of ['a', 'b', 'c']) await cache.get(key, read(key));
    await cache.get('a', read('a')); // a is now the most recently used
    await cache.get('d', read('d')); // evicts b
    expect(cache.size).toBe(3);
    for (let i = 0; i < 1000; i++) await cache.get(`k${i}`, read(`k${i}`));
    expect(cache.size).toBe(3);
    reads.length = 0;
    for (const key of ['k999', 'k998', 'k997']) await cache.get(key, read(key));
    expect(reads).toEqual([]);
    await cache.get('a', read('a'));
    expect(reads).toEqual(['a']);
    // Past the cache time a view is read again.
    now += 1000;
    await cache.get('a', read('a'));
    expect(reads).toEqual(['a', 'a']);
    // A failed reading is not kept.
    await expect(cache.get('bad', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await cache.get('bad', read('bad'));
    expect(reads).toEqual(['a', 'a', 'bad']);
  });
});
