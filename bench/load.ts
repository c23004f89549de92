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
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { row } from './stats';

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
  );
  return result;
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
    ['--require', 'tsx/cjs', '-e', script, 'up', '--json', '--port', '0', '--only', 'rollback-http'],
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
    let n = 0;
    const runTag = Date.now().toString(36);
    await measure('rollback-http POST dry run, all models', {
      url: rollback!,
      amount: 500,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token ?? ''}` },
      requests: [
        {
          setupRequest: (req) => {
            const id = `bench-${runTag}-${++n}`;
            const request = {
              requestId: id,
              scope: { all: true },
              target: { kind: 'previous' },
              reason: 'load benchmark',
              requestedBy: 'bench',
              dryRun: true,
              correlationId: id,
            };
            return { ...req, body: JSON.stringify(request) };
          },
        },
      ],
    });
  } finally {
    if (child) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGINT');
      await exited;
    }
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/load: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
