/**
 * Load on the local stack's HTTP surface (issue: Local stack): 100
 * concurrent connections against the dashboard's health and fleet API and
 * against the HTTP rollback function (dry runs of the whole fleet, with the
 * bearer token, each with its own requestId), through autocannon. Prints
 * errors (failed requests, timeouts, non-2xx answers), throughput and p50 /
 * p99 latency. Figures only.
 *
 *   npx tsx bench/load.ts                       # starts its own stack in a temp dir
 *   npx tsx bench/load.ts --dashboard URL --rollback URL   # a running `forecast-guard up`
 *                                               # (FG_ROLLBACK_TOKEN must be its token)
 *   npx tsx bench/load.ts --profile DIR         # the supervisor (dashboard) writes a CPU profile to DIR
 *   npx tsx bench/load.ts --no-serving          # without the predict load (bench/serving-load.ts)
 *
 * Then 100 concurrent predict calls through the ServingTarget port, embedded
 * and on the local Vertex server via the real client (bench/serving-load.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  embeddedPredictLoad,
  PREDICT_CONCURRENCY,
  vertexPredictLoad,
  type PredictLoad,
} from './serving-load';
import { repositoryRoot } from '../shared/local-stack/launch';
import { ensureBuilt } from './built';
import { fmtMs, goal, row } from './stats';

interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  duration: number;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  amount: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeout?: number;
  requests?: Array<{ setupRequest?: (req: { body?: string }) => { body?: string } }>;
}
type Autocannon = (options: AutocannonOptions) => Promise<AutocannonResult>;

// autocannon ships no type declarations; the few fields used here are typed above.
const autocannon = createRequire(__filename)('autocannon') as Autocannon;

const CONNECTIONS = 100;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function measure(
  label: string,
  options: Omit<AutocannonOptions, 'connections'>,
): Promise<AutocannonResult> {
  const result = await autocannon({ connections: CONNECTIONS, timeout: 30, ...options });
  const errors = result.errors + result.timeouts + result.non2xx;
  row(
    label,
    `${result.requests.total} requests`,
    `errors ${errors}`,
    `${Math.round(result.requests.average)} req/s`,
    `p50 ${result.latency.p50} ms`,
    `p99 ${result.latency.p99} ms`,
    `burst ${result.duration.toFixed(2)} s`,
  );
  return result;
}

/** A dry run of every model with its own requestId. */
function dryRunBody(id: string): string {
  return JSON.stringify({
    requestId: id,
    scope: { all: true },
    target: { kind: 'previous' },
    reason: 'load benchmark',
    requestedBy: 'bench',
    dryRun: true,
    correlationId: id,
  });
}

/**
 * One dry run first, alone: the function loads its backend on its first
 * call, and under load that cold start is what the first 100 callers wait
 * for (20 % of a 500-request burst, so it would be the p99). It is printed
 * as a figure of its own; the burst then measures the warm function.
 */
async function rollbackLoad(url: string, token: string): Promise<void> {
  const runTag = Date.now().toString(36);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const t = performance.now();
  const first = await fetch(url, { method: 'POST', headers, body: dryRunBody(`bench-${runTag}-0`) });
  await first.arrayBuffer();
  row(
    'rollback-http first dry run (cold runtime)',
    `status ${first.status}`,
    `${Math.round(performance.now() - t)} ms`,
  );
  let n = 0;
  const result = await measure('rollback-http POST dry run, all models', {
    url,
    amount: 500,
    method: 'POST',
    headers,
    requests: [{ setupRequest: (req) => ({ ...req, body: dryRunBody(`bench-${runTag}-${++n}`) }) }],
  });
  const errors = result.errors + result.timeouts + result.non2xx;
  // The floor: the same burst of calls the function refuses at once (400: no requestId) after
  // the framework, the token and the body parse, so without the fleet read, the plan or the answer.
  const floor = await autocannon({
    connections: CONNECTIONS,
    timeout: 30,
    url,
    amount: 500,
    method: 'POST',
    headers,
    body: JSON.stringify({ scope: { all: true }, target: { kind: 'previous' }, dryRun: true }),
  });
  row(
    'rollback-http floor: the same burst refused (400) after framework, token and body parse',
    `${floor.requests.total} requests`,
    `${Math.round(floor.requests.average)} req/s`,
    `p50 ${floor.latency.p50} ms`,
    `p99 ${floor.latency.p99} ms`,
    `(400s: ${floor.non2xx}, other errors: ${floor.errors + floor.timeouts})`,
  );
  goal(
    `rollback-http, ${CONNECTIONS} concurrent dry runs: p99, errors`,
    `p99 ${fmtMs(result.latency.p99)}, ${errors} errors`,
    '≤ 1 s, 0 errors',
    result.latency.p99 <= 1000 && errors === 0,
  );
}

/**
 * What Node's HTTP server itself does under this burst: a bare `node:http`
 * server in its own process, doing 1 ms of work per request (a third of what
 * rollback-http's dry run costs, docs/performance.md) and answering 4.7 KB
 * as a dry run does, under the same 100 connections and 500 requests. Most
 * callers are answered in milliseconds while a few connections wait for
 * most of the burst, so the p99 follows the burst's length, not one
 * request's cost.
 */
async function bareServerFloor(): Promise<void> {
  const script = `
    const http = require('node:http');
    const answer = JSON.stringify({ x: 'y'.repeat(4700) });
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const t = performance.now();
        while (performance.now() - t < 1);
        res.setHeader('content-type', 'application/json');
        res.end(answer);
      });
    });
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<string>((resolve, reject) => {
      child.stdout!.setEncoding('utf8').once('data', (s: string) => resolve(s.trim()));
      child.once('exit', (code) => reject(new Error(`the bare server exited (${code})`)));
    });
    const r = await autocannon({
      connections: CONNECTIONS,
      timeout: 30,
      url: `http://127.0.0.1:${port}`,
      amount: 500,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    row(
      'floor: bare node:http server, 1 ms of work a request, same burst',
      `${r.requests.total} requests`,
      `p50 ${r.latency.p50} ms`,
      `p99 ${r.latency.p99} ms`,
      `burst ${r.duration.toFixed(2)} s`,
    );
  } finally {
    child.kill();
  }
}

/**
 * The goal for predictions, which the issue gives only as "handles 100
 * concurrent requests": no errors, and p99 ≤ 1 s, the bound the issue sets
 * for the other HTTP surface under the same 100-way load (rollback-http's
 * dry run of the whole fleet); a prediction of one book is lighter work, so
 * this is a ceiling, not a target.
 */
const PREDICT_P99_GOAL_MS = 1000;

function predictGoal(what: string, load: PredictLoad): void {
  row(
    what,
    `${load.requests} requests`,
    `errors ${load.errors}`,
    `${Math.round(load.perSecond)} req/s`,
    `p50 ${fmtMs(load.p50Ms)}`,
    `p99 ${fmtMs(load.p99Ms)}`,
  );
  if (load.firstError !== undefined) process.stdout.write(`    first error: ${load.firstError}\n`);
  goal(
    `${what}: p99, errors`,
    `p99 ${fmtMs(load.p99Ms)}, ${load.errors} errors`,
    `≤ ${fmtMs(PREDICT_P99_GOAL_MS)}, 0 errors`,
    load.p99Ms <= PREDICT_P99_GOAL_MS && load.errors === 0,
  );
}

/** Item 6 of issue 15: predictions through the ServingTarget, embedded and on the local Vertex server. */
async function servingLoad(): Promise<void> {
  const books = 12;
  const total = 1000;
  process.stdout.write(
    `predict through the ServingTarget: ${total} calls, ${PREDICT_CONCURRENCY} in flight, ${books} books, 13 weeks with intervals each\n`,
  );
  predictGoal('predict, embedded serving target', await embeddedPredictLoad(books, total));
  const vertex = await vertexPredictLoad(books, total);
  predictGoal('predict, local Vertex server (real client)', vertex);
  process.stdout.write(
    `    server calls admitted ${JSON.stringify(vertex.admitted)}, refused RESOURCE_EXHAUSTED ${JSON.stringify(vertex.refused)}; online prediction quota ${vertex.quotaPerMinute}/min, so ${total} predictions use ${((100 * total) / vertex.quotaPerMinute).toFixed(1)} % of a minute's\n`,
  );
}

interface UpInfo {
  dashboardUrl: string;
  readyMs: number;
  functionsFrom: string;
  functions: Array<{ name: string; url: string }>;
}

/**
 * `forecast-guard up --json` in its own process (as an operator runs it, so
 * autocannon does not share an event loop with the dashboard), resolved
 * once it printed where everything is.
 */
function startStack(stateDir: string, token: string): Promise<{ child: ChildProcess; info: UpInfo }> {
  const script = "require('./cli/main').main(process.argv.slice(1)).then((c) => { process.exitCode = c; })";
  const child = spawn(
    process.execPath,
    [
      // `--profile DIR`: the stack writes a V8 CPU profile there when it exits (where the time goes).
      ...(arg('profile') ? ['--cpu-prof', '--cpu-prof-dir', arg('profile') as string] : []),
      '--require',
      'tsx/cjs',
      '-e',
      script,
      'up',
      '--json',
      '--port',
      '0',
      '--only',
      'rollback-http',
    ],
    {
      cwd: join(__dirname, '..'),
      env: { ...process.env, FG_STATE_DIR: stateDir, FG_LOG_LEVEL: 'error', FG_ROLLBACK_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (log += s));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      try {
        resolve({ child, info: JSON.parse(out) as UpInfo });
      } catch {
        /* not the whole document yet */
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`forecast-guard up exited (${code}) before it was ready:\n${log}`)),
    );
  });
}

async function main(): Promise<void> {
  let child: ChildProcess | undefined;
  let stateDir: string | undefined;
  let dashboard = arg('dashboard');
  let rollback = arg('rollback');
  let token = process.env.FG_ROLLBACK_TOKEN;
  if (!dashboard || !rollback) {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-bench-load-'));
    token = `bench-${Date.now()}-token`;
    // The functions as deployed: compiled (the stack launches dist/ when it is fresh).
    ensureBuilt(repositoryRoot(__dirname));
    const up = await startStack(stateDir, token);
    child = up.child;
    dashboard = up.info.dashboardUrl;
    rollback = up.info.functions.find((f) => f.name === 'rollback-http')!.url;
    process.stdout.write(
      `forecast-guard up (embedded, 12 books, seeded; functions from ${up.info.functionsFrom}) ready in ${up.info.readyMs} ms\n`,
    );
  }
  process.stdout.write(`${CONNECTIONS} concurrent connections\n`);
  try {
    await measure('dashboard GET /api/health', { url: `${dashboard}/api/health`, amount: 2000 });
    await measure('dashboard GET /api/fleet (12 books)', { url: `${dashboard}/api/fleet`, amount: 1000 });
    await rollbackLoad(rollback as string, token ?? '');
    await bareServerFloor();
  } finally {
    if (child) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGINT');
      await exited;
    }
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  }
  if (!process.argv.includes('--no-serving')) await servingLoad();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/load: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
