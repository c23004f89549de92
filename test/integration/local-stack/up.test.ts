/**
 * `forecast-guard up` as an operator runs it: seeds a fresh state dir,
 * serves the dashboard API, carries a published health-check request from
 * the embedded queue through the functions framework to the health-check
 * function (which writes a HealthReport), answers the HTTP rollback
 * function with the bearer token, and on Ctrl-C leaves no process behind.
 * Killed outright (SIGKILL), its functions still go by themselves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventBus } from '../../../shared/adapters/local/sqlite-event-bus';
import { SqliteStateStore, stateDbPath } from '../../../shared/adapters/local/sqlite-state-store';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import type { HealthReport } from '../../../shared/contracts/documents/health-report';
import { QUEUE_DB_FILE } from '../../../shared/wiring/backend';
import { fleetClock } from '../../../shared/wiring/fleet-clock';
import { main } from '../../../cli/main';
import { PubSub } from '@google-cloud/pubsub';
import { pubsubEmulatorOptions } from '../../../shared/adapters/gcp/emulator-clients';
import { FirestoreStateStore } from '../../../shared/adapters/gcp/firestore-state-store';
import { ackDeadlineFor, functionSpec } from '../../../shared/topology';
import { startLocalStack, type LocalStack } from '../../../shared/local-stack/stack';
import { describeOnEmulators, requireEmulatorHosts, uniqueProjectId } from '../../helpers/emulators';
import { reportFigure } from '../../helpers/figures';
import { alive, startUp, waitGone, type UpProcess } from './helpers/up-process';
import { isLoopback, listeningSockets } from './helpers/listening';

const TOKEN = 'local-stack-test-token-0123456789';

describe('forecast-guard up', () => {
  let stateDir: string;
  let up: UpProcess | undefined;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-up-test-'));
    up = await startUp(['--port', '0', '--only', 'health-check,rollback-http'], {
      FG_STATE_DIR: stateDir,
      FG_ROLLBACK_TOKEN: TOKEN,
      FG_LOG_LEVEL: 'info',
    });
    reportFigure('local-stack', 'up ready (first run: seed + 2 functions)', `${up.info.readyMs} ms`);
  }, 120_000);

  afterAll(() => {
    up?.destroy();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('seeds on first run and says where everything is', () => {
    const info = up!.info;
    expect(info.seeded).toBe(true);
    expect(info.backend).toBe('embedded');
    expect(info.dashboardUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.functions.map((f) => [f.name, f.state])).toEqual([
      ['health-check', 'ready'],
      ['rollback-http', 'ready'],
    ]);
    expect(info.schedules.map((s) => s.name)).toEqual(['hourly-health-check', 'daily-summary']);
  });

  it('listens on loopback only: no function is reachable from another machine', () => {
    for (const f of up!.info.functions) {
      const sockets = listeningSockets(f.pid!);
      expect([f.name, sockets.length]).toEqual([f.name, 1]);
      expect([f.name, sockets.filter((s) => !isLoopback(s.address))]).toEqual([f.name, []]);
    }
  });

  it('serves the dashboard API', async () => {
    const base = up!.info.dashboardUrl;
    const health = (await (await fetch(`${base}/api/health`)).json()) as {
      ok: boolean;
      stack: { functions: unknown[] };
    };
    expect(health.ok).toBe(true);
    expect(health.stack.functions).toHaveLength(2);
    const fleet = (await (await fetch(`${base}/api/fleet`)).json()) as {
      books: Array<{ isbn: string; title: string; serving: string; lastKnownGood: string }>;
    };
    expect(fleet.books).toHaveLength(12);
    expect(fleet.books.find((b) => b.isbn === '9780722532935')).toMatchObject({
      title: 'The Alchemist',
      serving: '3',
      lastKnownGood: '3',
    });
    const chart = (await (await fetch(`${base}/api/books/9780722532935/chart`)).json()) as {
      actuals: unknown[];
      forecast: unknown[];
    };
    expect(chart.actuals.length).toBeGreaterThan(20);
    expect(chart.forecast.length).toBeGreaterThan(4);
    const page = await fetch(base);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<table id="fleet">');
  });

  it('refuses bad input to the dashboard, naming the field and why', async () => {
    const base = up!.info.dashboardUrl;
    const badIsbn = await fetch(`${base}/api/books/9780722532936/chart`);
    expect(badIsbn.status).toBe(400);
    expect(((await badIsbn.json()) as { error: string }).error).toMatch(/9780722532936.*check digit/);
    const noJson = await fetch(`${base}/api/health-check`, { method: 'POST', body: '{}' });
    expect(noJson.status).toBe(415);
    expect(((await noJson.json()) as { error: string }).error).toMatch(/content-type/);
    const badBody = await fetch(`${base}/api/health-check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"isbns": "9780722532935"}',
    });
    expect(badBody.status).toBe(400);
    expect(await badBody.json()).toMatchObject({
      fields: ['isbns'],
      error: expect.stringMatching(/isbns: must be a list/),
    });
  });

  it('carries a published health-check request to the function, which writes a HealthReport', async () => {
    // The embedded backend's clock, as every process on it uses (the queue stores due times by it).
    const clock = fleetClock(stateDir);
    const bus = SqliteEventBus.open(join(stateDir, QUEUE_DB_FILE), { clock });
    const state = new SqliteStateStore(stateDbPath(stateDir), { clock });
    try {
      const correlationId = 'up-test-health-1';
      const published = performance.now();
      await bus.publish('health-check-requests', {
        data: { trigger: 'manual', correlationId },
        attributes: { correlationId },
      });
      let report: HealthReport | undefined;
      const deadline = Date.now() + 30_000;
      while (!report && Date.now() < deadline) {
        const [doc] = await state.query<HealthReport>(COLLECTIONS.healthReports, {
          where: [{ field: 'correlationId', op: '==', value: correlationId }],
        });
        report = doc?.data;
        if (!report) await new Promise((r) => setTimeout(r, 100));
      }
      reportFigure(
        'local-stack',
        'publish → HealthReport written',
        `${Math.round(performance.now() - published)} ms`,
      );
      expect(report).toMatchObject({ trigger: 'manual', correlationId });
      expect(report!.models).toHaveLength(12);
    } finally {
      await bus.close();
      await state.close();
    }
  }, 40_000);

  it('answers the HTTP rollback function with the bearer token, and refuses it without', async () => {
    const url = up!.info.functions.find((f) => f.name === 'rollback-http')!.url;
    const request = {
      requestId: 'up-test-dry-run',
      scope: { all: true },
      target: { kind: 'previous' },
      reason: 'local stack test',
      requestedBy: 'jest',
      dryRun: true,
      correlationId: 'up-test-dry-run',
    };
    const denied = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    expect(denied.status).toBe(401);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(request),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { dryRun: boolean; results: unknown[] };
    expect(body.dryRun).toBe(true);
    expect(body.results).toHaveLength(12);
  });

  it('stops every process it started on Ctrl-C', async () => {
    const pids = up!.info.functions.map((f) => f.pid!).filter(Boolean);
    expect(pids.length).toBe(2);
    expect(pids.every(alive)).toBe(true);
    up!.child.kill('SIGINT');
    const { code } = await up!.exited;
    expect(code).toBe(0);
    expect(await waitGone(pids, 2000)).toEqual([]);
    // Their process groups empty too (nothing they started, such as tsx's esbuild, outlives them).
    expect(
      await waitGone(
        pids.map((p) => -p),
        3000,
      ),
    ).toEqual([]);
    await expect(fetch(`${up!.info.dashboardUrl}/api/health`)).rejects.toThrow();
    expect(up!.stderr()).toContain('stopped');
  }, 30_000);

  it('warm start: a seeded state dir is ready again without seeding', async () => {
    const again = await startUp(['--port', '0', '--only', 'health-check'], {
      FG_STATE_DIR: stateDir,
      FG_LOG_LEVEL: 'error',
    });
    try {
      expect(again.info.seeded).toBe(false);
      reportFigure('local-stack', 'up ready (warm, 1 function)', `${again.info.readyMs} ms`);
      const pids = again.info.functions.map((f) => f.pid!);
      // Killed outright, the stack cannot stop its children: their orphan guard must.
      process.kill(-again.child.pid!, 'SIGKILL');
      await again.exited;
      expect(await waitGone(pids, 5000)).toEqual([]);
    } finally {
      again.destroy();
    }
  }, 90_000);

  it('refuses bad flags with exit 2, naming the flag', async () => {
    const errors: string[] = [];
    const code = await main(['up', '--tick', 'soon'], {
      env: { FG_STATE_DIR: stateDir },
      streams: { stdout: () => undefined, stderr: (s) => errors.push(s) },
    });
    expect(code).toBe(2);
    expect(errors.join('')).toContain('--tick must be a number from 0.5 to 86400 (got "soon")');
    const unknown = await main(['up', '--only', 'health-check,nonsense'], {
      env: { FG_STATE_DIR: stateDir },
      streams: { stdout: () => undefined, stderr: (s) => errors.push(s) },
    });
    expect(unknown).toBe(2);
    expect(errors.join('')).toContain('functions: nonsense is not a function of topology');
  });
});

describeOnEmulators('forecast-guard up --emulators', () => {
  let stateDir: string;
  let stack: LocalStack | undefined;
  const projectId = uniqueProjectId('demo-fg-up');

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-up-emulators-'));
    const hosts = requireEmulatorHosts();
    stack = await startLocalStack({
      env: { ...process.env, FG_STATE_DIR: stateDir, FG_LOG_LEVEL: 'warning' },
      emulators: { ...hosts, projectId },
      only: ['health-check'],
      schedules: false,
      port: 0,
    });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('keeps state in Firestore and lets the Pub/Sub emulator push to the function', async () => {
    expect(stack!.backend.state).toBeInstanceOf(FirestoreStateStore);
    expect(stack!.status().backend).toBe('emulators');
    const published = performance.now();
    const res = await fetch(`${stack!.dashboardUrl}/api/health-check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ isbns: ['9780722532935'] }),
    });
    expect(res.status).toBe(202);
    let fleet:
      | { lastHealthCheck: { trigger: string } | null; books: Array<{ isbn: string; live: unknown }> }
      | undefined;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      fleet = (await (await fetch(`${stack!.dashboardUrl}/api/fleet`)).json()) as typeof fleet;
      if (fleet?.lastHealthCheck) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    reportFigure(
      'local-stack',
      'emulators: dashboard request → HealthReport in Firestore',
      `${Math.round(performance.now() - published)} ms`,
    );
    expect(fleet?.lastHealthCheck).toMatchObject({ trigger: 'manual' });
    expect(fleet!.books.find((b) => b.isbn === '9780722532935')!.live).toMatchObject({ version: '3' });
  }, 40_000);

  it("gives the emulator's push subscription infra's ack deadline, and the push secret the function requires", async () => {
    const pubsub = new PubSub({ projectId, ...pubsubEmulatorOptions(requireEmulatorHosts().pubsub) });
    try {
      const [meta] = await pubsub.subscription('health-check-requests--health-check').getMetadata();
      expect(meta.ackDeadlineSeconds).toBe(ackDeadlineFor(functionSpec('health-check')));
      const endpoint = new URL(meta.pushConfig!.pushEndpoint!);
      expect(endpoint.searchParams.get('token')).toBe(stack!.pushSecret);
      // The same endpoint without the secret is refused.
      endpoint.searchParams.delete('token');
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: { data: 'e30=', messageId: 'x' }, subscription: 's' }),
      });
      expect(res.status).toBe(401);
    } finally {
      await pubsub.close();
    }
  });
});
