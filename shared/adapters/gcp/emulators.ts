/**
 * Starts and stops Google's Pub/Sub and Firestore emulators on free loopback
 * ports (tests, `forecast-guard up --emulators`). Facts behind the choices:
 * the direct emulator scripts answer in ~1.5 s (the gcloud wrapper adds a
 * Python process and 2–3 s); each runs in its own process group so the Java
 * child dies with it; ready means the API answers, not that the port is open.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type EmulatorKind = 'pubsub' | 'firestore';

export interface RunningEmulator {
  kind: EmulatorKind;
  /** host:port, for PUBSUB_EMULATOR_HOST / FIRESTORE_EMULATOR_HOST. */
  host: string;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

export interface EmulatorSupport {
  available: boolean;
  /** Why not, in one line, when unavailable. */
  reason?: string;
  sdkRoot?: string;
}

/** Whether gcloud with both emulator components and Java are present. */
export function detectEmulatorSupport(): EmulatorSupport {
  let sdkRoot: string;
  try {
    sdkRoot = execFileSync('gcloud', ['info', '--format=value(installation.sdk_root)'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 20_000,
    }).trim();
  } catch {
    return { available: false, reason: 'gcloud is not installed (Google Cloud CLI not on PATH)' };
  }
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    return { available: false, reason: 'Java is not installed (the emulators need a JRE 11+)' };
  }
  for (const kind of ['pubsub', 'firestore'] as const) {
    if (!existsSync(emulatorScript(sdkRoot, kind))) {
      return { available: false, reason: `the ${kind} emulator component is not installed in ${sdkRoot}` };
    }
  }
  return { available: true, sdkRoot };
}

function emulatorScript(sdkRoot: string, kind: EmulatorKind): string {
  return kind === 'pubsub'
    ? join(sdkRoot, 'platform/pubsub-emulator/bin/cloud-pubsub-emulator')
    : join(sdkRoot, 'platform/cloud-firestore-emulator/cloud_firestore_emulator');
}

/** A loopback port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function answers(kind: EmulatorKind, host: string): Promise<boolean> {
  const url = kind === 'pubsub' ? `http://${host}/v1/projects/readiness-probe/topics` : `http://${host}/`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    return res.status < 500;
  } catch {
    return false;
  }
}

/**
 * The environment an emulator runs with: ours, less libfaketime's preload and
 * settings. Under libfaketime the JVM's own timed waits return at once, so
 * its housekeeping threads (VM Periodic Task, G1 Service, Monitor Deflation)
 * spin: measured here, the two emulators took ~90 % of a core each and the
 * load average reached ~100 on 2 cores. The emulators therefore always keep
 * the real clock; `npm run test:future` shifts only our own processes.
 * The browser test launches Chromium with it too: its first page load
 * stalled past 30 s under the preload.
 */
export function realClockEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (name === 'LD_PRELOAD' && value?.includes('faketime')) continue;
    if (name.startsWith('FAKETIME')) continue;
    out[name] = value;
  }
  return out;
}

/** Starts one emulator and resolves once its API answers (throws after `timeoutMs`). */
export async function startEmulator(
  kind: EmulatorKind,
  options: {
    sdkRoot: string;
    timeoutMs?: number;
    dataDir?: string;
    /** A fixed port (a restart where clients reconnect to the same address); default: a free one. */
    port?: number;
    /** Extra flags for the emulator, e.g. Firestore's `--import-data=<export metadata file>`. */
    extraArgs?: readonly string[];
  },
): Promise<RunningEmulator> {
  const port = options.port ?? (await freePort());
  const host = `127.0.0.1:${port}`;
  const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), `fg-${kind}-`));
  const logFile = join(dir, `${kind}.log`);
  const out = openSync(logFile, 'a');
  const args =
    kind === 'pubsub'
      ? [`--host=127.0.0.1`, `--port=${port}`, ...(options.extraArgs ?? [])]
      : ['start', `--host=127.0.0.1`, `--port=${port}`, ...(options.extraArgs ?? [])];
  const child: ChildProcess = spawn(emulatorScript(options.sdkRoot, kind), args, {
    detached: true,
    stdio: ['ignore', out, out],
    cwd: dir,
    env: realClockEnv(process.env),
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start the ${kind} emulator`);
  child.unref();

  let exited = false;
  child.once('exit', () => (exited = true));
  const stop = async () => {
    if (exited) return;
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      return;
    }
    const deadline = Date.now() + 5000;
    while (!exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (!exited) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  };

  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (!(await answers(kind, host))) {
    if (exited) throw new Error(`the ${kind} emulator exited while starting; see ${logFile}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `the ${kind} emulator did not answer on ${host} within ${options.timeoutMs ?? 30_000} ms; see ${logFile}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { kind, host, pid, logFile, stop };
}

/** Empties every document of a Firestore emulator project (between tests). */
export async function resetFirestoreEmulator(host: string, projectId: string): Promise<void> {
  const res = await fetch(`http://${host}/emulator/v1/projects/${projectId}/databases/(default)/documents`, {
    method: 'DELETE',
  });
  if (!res.ok) throw new Error(`Firestore emulator reset failed: HTTP ${res.status}`);
}
