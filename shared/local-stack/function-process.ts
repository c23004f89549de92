/**
 * One function served by the real functions framework in a child process on
 * a loopback port, as Cloud Run serves it, through function-server.ts (the
 * framework's app on 127.0.0.1 only, behind the push secret for a
 * Pub/Sub-triggered function), with the framework CLI's flags:
 * `node …/function-server.js --target=<entryPoint>
 * --signature-type=cloudevent|http --source=dist/functions/index.js --port=N`.
 *
 * Each child gets its own process group, so stopping it (SIGTERM, then
 * SIGKILL after a grace period) also stops anything it started; a preloaded
 * orphan guard ends it if the supervisor dies without stopping it. Its
 * stdout and stderr go, line by line, to a rotating log file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { BackendUnavailableError } from '../errors';
import { createRotatingFileWriter, type RotatingFileWriter } from '../logging/rotating-file';
import type { FunctionLaunch } from './launch';

export interface FunctionProcessSpec {
  /** Component name: log file, banner, dashboard (`health-check`, `rollback-http`). */
  name: string;
  entryPoint: string;
  signatureType: 'cloudevent' | 'http';
  port: number;
  env: Record<string, string | undefined>;
  logFile: string;
  launch: FunctionLaunch;
  /** Node flags of this function, as it runs on Google Cloud (topology `nodeFlagsOf`: the heap cap). */
  nodeFlags?: readonly string[];
  cwd: string;
  /** Every output line, after it was written to the log file. */
  onLine?(name: string, line: string): void;
  /** The process ended while it was meant to run. */
  onExit?(name: string, code: number | null, signal: string | null): void;
}

export type FunctionProcessState = 'starting' | 'ready' | 'failed' | 'exited' | 'stopped';

const TAIL_LINES = 15;

/** One running function; see the file comment. */
export class FunctionProcess {
  state: FunctionProcessState = 'starting';
  /** Why it is `failed` or `exited`. */
  failure?: string;
  readonly url: string;
  private child: ChildProcess | undefined;
  private log: RotatingFileWriter | undefined;
  private readonly tail: string[] = [];
  private exited: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(readonly spec: FunctionProcessSpec) {
    this.url = `http://127.0.0.1:${spec.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Spawns the child and resolves once its HTTP server answers; rejects saying why it did not. */
  async start(timeoutMs = 60_000): Promise<void> {
    const { spec } = this;
    this.log = createRotatingFileWriter({ file: spec.logFile });
    const args = [
      ...(spec.nodeFlags ?? []),
      ...spec.launch.nodeArgs,
      '--require',
      spec.launch.orphanGuard,
      spec.launch.functionServer,
      `--target=${spec.entryPoint}`,
      `--signature-type=${spec.signatureType}`,
      `--source=${spec.launch.source}`,
      `--port=${spec.port}`,
    ];
    const child = spawn(spec.launch.node, args, {
      cwd: spec.cwd,
      env: spec.env as NodeJS.ProcessEnv,
      detached: true, // its own process group: stopping it stops all it started
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('exit', (code, signal) => this.onExit(code, signal));
    child.once('error', (err) => {
      this.fail(`could not start: ${err.message}`);
    });
    for (const stream of [child.stdout, child.stderr]) this.pipeLines(stream);

    const deadline = Date.now() + timeoutMs;
    while (this.state === 'starting') {
      if (await this.answers()) {
        this.state = 'ready';
        return;
      }
      if (Date.now() > deadline) {
        this.fail(`did not answer on ${this.url} within ${timeoutMs} ms`);
        await this.stop();
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new BackendUnavailableError(
      `${spec.name} (${spec.entryPoint}) ${this.failure ?? 'did not start'}; see ${spec.logFile}`,
      spec.name,
    );
  }

  /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves when the child is gone. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopping = true;
    const pid = this.child?.pid;
    if (pid !== undefined && this.child?.exitCode === null && this.child.signalCode === null) {
      signalGroup(pid, 'SIGTERM');
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
      if ((await Promise.race([this.exited.then(() => 'exited' as const), timer])) === 'timeout') {
        signalGroup(pid, 'SIGKILL');
        await this.exited;
      }
    }
    // Whatever it left in its group (tsx's esbuild service, say) goes too, and is waited for.
    if (pid !== undefined) {
      signalGroup(pid, 'SIGKILL');
      const deadline = Date.now() + 2000;
      while (groupExists(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    }
    if (this.state !== 'failed') this.state = 'stopped';
    this.log?.close();
    this.log = undefined;
  }

  /** The last lines it wrote, for error messages. */
  lastLines(): string[] {
    return [...this.tail];
  }

  /**
   * The framework loads the function before it listens, so an accepted
   * connection means ready. No HTTP request: any path would reach the
   * function (or, for a CloudEvent function, fail noisily in the framework's
   * middleware on a body-less GET).
   */
  private answers(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: this.spec.port });
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(1000, () => done(false));
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
    });
  }

  private pipeLines(stream: NodeJS.ReadableStream | null): void {
    if (!stream) return;
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.line(line);
    });
    stream.on('end', () => {
      if (partial) this.line(partial);
      partial = '';
    });
  }

  private line(line: string): void {
    if (line.trim() === '') return;
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    try {
      this.log?.write(line);
    } catch {
      /* a full disk must not take the function down; the line still reaches onLine */
    }
    this.spec.onLine?.(this.spec.name, line);
  }

  private onExit(code: number | null, signal: string | null): void {
    if (this.stopping) return;
    const notDefined = this.tail.find((l) => l.includes('is not defined in the provided module'));
    const why = notDefined
      ? `is not in ${this.spec.launch.source} (not built yet?)`
      : `exited (${signal ?? `code ${code}`}): ${this.tail.slice(-3).join(' | ')}`;
    if (this.state === 'starting') this.fail(why);
    else {
      this.state = 'exited';
      this.failure = why;
      this.spec.onExit?.(this.spec.name, code, signal);
    }
  }

  private fail(why: string): void {
    this.state = 'failed';
    this.failure ??= why;
  }
}

function groupExists(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* the group is gone already */
  }
}
