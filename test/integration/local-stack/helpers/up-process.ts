/**
 * Runs `forecast-guard up --json` as an operator would, in its own process
 * (from the TypeScript sources through tsx, so no build is needed), and
 * reads the one JSON document it prints once everything answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '..');

export interface UpInfo {
  dashboardUrl: string;
  readyMs: number;
  seeded: boolean;
  backend: string;
  stateDir: string;
  functions: Array<{ name: string; url: string; pid?: number; state: string; failure?: string }>;
  schedules: Array<{ name: string; topic: string; when: string }>;
}

export interface UpProcess {
  child: ChildProcess;
  info: UpInfo;
  /** Everything it wrote to stderr so far (its console log). */
  stderr(): string;
  /** Resolves with how it ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL to its whole process group: the test's last resort in afterAll. */
  destroy(): void;
}

/** Starts `up --json …args` and resolves once it printed where everything is. */
export async function startUp(
  args: string[],
  env: Record<string, string | undefined>,
  timeoutMs = 90_000,
): Promise<UpProcess> {
  const script = "require('./cli/main').main(process.argv.slice(1)).then((c) => { process.exitCode = c; })";
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script, 'up', '--json', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const destroy = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  const info = await new Promise<UpInfo>((resolve, reject) => {
    const timer = setTimeout(() => {
      destroy();
      reject(new Error(`up was not ready within ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      try {
        const doc = JSON.parse(stdout) as UpInfo;
        clearTimeout(timer);
        resolve(doc);
      } catch {
        /* not the whole document yet */
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`up exited (${signal ?? code}) before it was ready; stderr:\n${stderr}`));
    });
  });
  return { child, info, stderr: () => stderr, exited, destroy };
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits until none of `pids` exists, up to `timeoutMs`; resolves with those still alive. */
export async function waitGone(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = pids.filter(alive);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}
