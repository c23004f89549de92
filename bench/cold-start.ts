/**
 * Cold starts (issue 15, items 1 and 2), each in a fresh `node`, compiled
 * code (dist/, built first when it is older than its sources) as Cloud Run
 * and `npm start` run it:
 * - import: the median of `--runs` requires of each function's module
 *   (dist/functions/<name>/index.js) and of the deploy bundle every function
 *   is served from (dist/functions/index.js), on the embedded backend's
 *   environment, beside the goal;
 * - first request: the functions framework's own CLI serving the bundle
 *   with one function's `--target`, from spawn to the answer of its first
 *   request (a Pub/Sub push of an invalid request, which builds the
 *   function's runtime and dead-letters it; `{}` to rollback-http);
 * - the CLI: wall time of `forecast-guard --help` and `versions --isbn X`;
 * - where the time goes: what each top-level npm package costs to load
 *   (bench/cold-start-preload.cjs), for the bundle and for the CLI.
 * Figures only; nothing passes or fails. Timings share the machine with
 * whatever else runs on it.
 *
 *   npx tsx bench/cold-start.ts [--runs 5]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repositoryRoot } from '../shared/local-stack/launch';
import { ensureBuilt } from './built';
import { FUNCTIONS } from '../shared/topology';
import { fmtMs, median, numberFlag, row } from './stats';

const GOAL_IMPORT_MS = 300;
const GOAL_CLI_MS = 300;
const ROOT = repositoryRoot(__dirname);
const PRELOAD = join(__dirname, 'cold-start-preload.cjs');
const PACKAGES_LINE = 'COLD-START-PACKAGES ';
/** A valid ISBN-13 no fleet has: `versions` looks it up and finds nothing. */
const ISBN = '9780306406157';

function benchEnv(stateDir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    FG_BACKEND: 'local',
    FG_STATE_DIR: stateDir,
    FG_LOG_LEVEL: 'error',
  };
}

/** ms one fresh node takes to require `module` (measured inside it, so node's own start is left out). */
function importMs(module: string, env: NodeJS.ProcessEnv): number {
  const code = `const t=performance.now();require(${JSON.stringify(module)});process.stdout.write(String(performance.now()-t))`;
  const res = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, env, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`require ${module} failed: ${res.stderr}`);
  return Number(res.stdout);
}

/** Wall ms of one fresh node running `args`, and its package totals when `profile` is set. */
function wallMs(args: string[], env: NodeJS.ProcessEnv, profile = false) {
  const started = performance.now();
  const res = spawnSync(process.execPath, [...(profile ? ['--require', PRELOAD] : []), ...args], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
  });
  const ms = performance.now() - started;
  const line = res.stderr.split('\n').find((l) => l.startsWith(PACKAGES_LINE));
  const packages = line ? (JSON.parse(line.slice(PACKAGES_LINE.length)) as Record<string, number>) : {};
  return { ms, status: res.status, packages };
}

function describePackages(packages: Record<string, number>, top = 6): string {
  const rows = Object.entries(packages).sort((a, b) => b[1] - a[1]);
  return (
    rows
      .slice(0, top)
      .map(([name, ms]) => `${name} ${ms.toFixed(0)} ms`)
      .join(', ') || 'none'
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** POSTs `body` once; resolves with the status, or undefined while nothing listens yet. */
function post(port: number, body: string, headers: Record<string, string>): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(undefined));
    req.end(body);
  });
}

/** A Pub/Sub push as a structured CloudEvent, carrying `{}` (which no request schema accepts). */
function pushEvent(): string {
  return JSON.stringify({
    specversion: '1.0',
    id: 'cold-start-1',
    source: '//pubsub.googleapis.com/projects/bench/topics/cold-start',
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    datacontenttype: 'application/json',
    data: {
      message: {
        data: Buffer.from('{}').toString('base64'),
        messageId: 'cold-start-1',
        publishTime: new Date().toISOString(),
      },
      subscription: 'projects/bench/subscriptions/cold-start',
    },
  });
}

/** Spawn → first answer of the framework's CLI serving `target` from the bundle; with the answer's status. */
async function firstRequest(target: string, http: boolean, env: NodeJS.ProcessEnv) {
  const port = await freePort();
  const main = join(ROOT, 'node_modules', '@google-cloud', 'functions-framework', 'build', 'src', 'main.js');
  const args = [main, `--target=${target}`, `--signature-type=${http ? 'http' : 'cloudevent'}`];
  args.push(`--source=${join(ROOT, 'dist', 'functions', 'index.js')}`, `--port=${port}`);
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: 'ignore' });
  const body = http ? '{}' : pushEvent();
  const headers = { 'content-type': http ? 'application/json' : 'application/cloudevents+json' };
  try {
    for (;;) {
      const status = await post(port, body, headers);
      if (status !== undefined) return { ms: performance.now() - started, status };
      if (child.exitCode !== null) throw new Error(`${target} exited ${child.exitCode} before answering`);
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    child.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const runs = numberFlag('runs', 5);
  ensureBuilt(ROOT);
  const stateDir = mkdtempSync(join(tmpdir(), 'fg-cold-start-'));
  const env = benchEnv(stateDir);
  try {
    process.stdout.write(
      `  import, median of ${runs} fresh node processes (goal ≤ ${GOAL_IMPORT_MS} ms each)\n`,
    );
    const modules = [
      ...FUNCTIONS.map((f) => [f.name, join(ROOT, 'dist', 'functions', f.name, 'index.js')] as const),
      ['deploy bundle (functions/index.js)', join(ROOT, 'dist', 'functions', 'index.js')] as const,
    ];
    for (const [name, module] of modules) {
      const med = median(Array.from({ length: runs }, () => importMs(module, env)));
      row(name, fmtMs(med), `goal ≤ ${GOAL_IMPORT_MS} ms`, `ratio ${(med / GOAL_IMPORT_MS).toFixed(2)}`);
    }
    const bundle = wallMs(
      ['-e', `require(${JSON.stringify(join(ROOT, 'dist', 'functions', 'index.js'))})`],
      env,
      true,
    );
    row('bundle: packages that cost most to load', describePackages(bundle.packages));

    process.stdout.write('  first request, framework CLI serving the bundle, spawn → answer\n');
    const targets: Array<readonly [string, boolean]> = FUNCTIONS.map((f) => [f.entryPoint, false] as const);
    for (const f of FUNCTIONS) if (f.http) targets.push([f.http.entryPoint, true]);
    for (const [target, http] of targets) {
      const first = await firstRequest(target, http, env);
      row(`${target}${http ? ' (http)' : ''}`, fmtMs(first.ms), `status ${first.status}`);
    }

    process.stdout.write(`  CLI wall time, median of ${runs} (goal ≤ ${GOAL_CLI_MS} ms)\n`);
    const bin = join(ROOT, 'bin', 'forecast-guard.js');
    for (const args of [['--help'], ['versions', '--isbn', ISBN]]) {
      const times = Array.from({ length: runs }, () => wallMs([bin, ...args], env));
      const med = median(times.map((t) => t.ms));
      const label = `forecast-guard ${args.join(' ')}`;
      row(
        label,
        fmtMs(med),
        `goal ≤ ${GOAL_CLI_MS} ms`,
        `ratio ${(med / GOAL_CLI_MS).toFixed(2)}`,
        `exit ${times[0]?.status}`,
      );
      row(`  packages that cost most`, describePackages(wallMs([bin, ...args], env, true).packages));
    }
    const bare = median(Array.from({ length: runs }, () => wallMs(['-e', '0'], env).ms));
    row('floor: `node -e 0`', fmtMs(bare));
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
