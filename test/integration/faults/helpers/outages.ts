/**
 * Outages of Google's emulators for the fault suite, on emulators this suite
 * starts itself (killing the shared ones of jest's global setup would break
 * every other suite running beside it).
 *
 * - Pub/Sub: killed (SIGKILL) and started again on the same port. It keeps
 *   topics, subscriptions and messages in memory only, so they are gone after
 *   the restart; the caller recreates the topology, which a real Pub/Sub
 *   outage would not need.
 * - Firestore: clients reach it through a TCP proxy on a fixed port. An
 *   outage cuts every client connection and refuses new ones (Firestore
 *   unreachable), exports the emulator's data (nothing can write now), kills
 *   it (SIGKILL), starts it again on the same port importing that export, and
 *   lets clients in again. Committed data survives, as it does on the real
 *   service; open transactions and their locks do not. The emulator offers no
 *   other way: `--export-on-exit` exports nothing when the emulator is run on
 *   its own (tried), and an export taken while clients still write would lose
 *   what they commit after it.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  detectEmulatorSupport,
  freePort,
  startEmulator,
  type RunningEmulator,
} from '../../../../shared/adapters/gcp/emulators';

const support = detectEmulatorSupport();

/** `describe` when gcloud, both emulators and Java are present; otherwise skipped, saying why. */
export function describeWithOwnEmulators(name: string, fn: () => void): void {
  if (support.available) {
    describe(`${name} [own emulators]`, fn);
    return;
  }
  console.warn(`SKIPPED ${name}: ${support.reason}`);
  describe.skip(`${name} [skipped: ${support.reason}]`, fn);
}

function sdkRoot(): string {
  if (!support.sdkRoot) throw new Error(`emulators unavailable: ${support.reason}`);
  return support.sdkRoot;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once nothing accepts connections on the port (a killed emulator has let go of it). */
async function portReleased(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (!open) return;
    await sleep(50);
  }
  throw new Error(`port ${port} still answers ${timeoutMs} ms after the emulator was killed`);
}

function kill(emulator: RunningEmulator): void {
  try {
    process.kill(-emulator.pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/** An emulator of this suite that can be killed and started again on the same port. */
export interface OwnEmulator {
  /** host:port clients use (the same before and after a restart). */
  readonly host: string;
  /** Stops it for good. */
  stop(): Promise<void>;
}

export interface OwnPubSub extends OwnEmulator {
  /** SIGKILL, then a new emulator on the same port; its topics, subscriptions and messages are gone. */
  restart(): Promise<{ downMs: number }>;
}

export async function startOwnPubSub(): Promise<OwnPubSub> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fg-faults-pubsub-'));
  let running = await startEmulator('pubsub', { sdkRoot: sdkRoot(), dataDir });
  const port = Number(running.host.split(':')[1]);
  return {
    host: running.host,
    async restart() {
      const started = performance.now();
      kill(running);
      await portReleased(port);
      running = await startEmulator('pubsub', { sdkRoot: sdkRoot(), dataDir, port });
      return { downMs: Math.round(performance.now() - started) };
    },
    async stop() {
      await running.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A TCP proxy on a fixed loopback port: `cut()` drops every connection and
 * refuses new ones (the backend is unreachable); `restore()` listens again
 * on the same port. `onClientData` sees each chunk a client sends.
 */
export interface CutProxy {
  readonly port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  onClientData(fn: (() => void) | undefined): void;
  close(): Promise<void>;
}

export async function startCutProxy(backendPort: number, port?: number): Promise<CutProxy> {
  const listenPort = port ?? (await freePort());
  const sockets = new Set<Socket>();
  let listener: (() => void) | undefined;
  let server: Server | undefined;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const srv = createServer((client) => {
        const upstream = connect({ host: '127.0.0.1', port: backendPort });
        sockets.add(client).add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('data', (chunk: Buffer) => {
          listener?.();
          // A cut may have come from the listener: nothing of this chunk reaches the backend then.
          if (!client.destroyed) upstream.write(chunk);
        });
        upstream.on('data', (chunk: Buffer) => client.write(chunk));
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
      });
      srv.once('error', reject);
      srv.listen(listenPort, '127.0.0.1', () => {
        server = srv;
        resolve();
      });
    });
  await listen();
  const stopListening = async () => {
    const srv = server;
    server = undefined;
    for (const s of sockets) s.destroy();
    sockets.clear();
    if (srv) await new Promise<void>((resolve) => srv.close(() => resolve()));
  };
  return {
    port: listenPort,
    cut: stopListening,
    restore: async () => {
      if (!server) await listen();
    },
    onClientData: (fn) => (listener = fn),
    close: stopListening,
  };
}

export interface OwnFirestore extends OwnEmulator {
  /**
   * The outage described in the file comment: clients cut off, data
   * exported, emulator killed and started on the same port with the export,
   * clients let in again after `downMs` at least.
   */
  outage(options?: { downMs?: number }): Promise<{ downMs: number; exported: boolean }>;
  /** Cut clients off now (no restart yet); `outage` then completes it. */
  cut(): Promise<void>;
  /** Calls `fn` on every chunk a client sends (to start an outage in the middle of an operation). */
  onClientData(fn: (() => void) | undefined): void;
}

export async function startOwnFirestore(projects: () => string[]): Promise<OwnFirestore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fg-faults-firestore-'));
  let running = await startEmulator('firestore', { sdkRoot: sdkRoot(), dataDir });
  const backendPort = Number(running.host.split(':')[1]);
  const proxy = await startCutProxy(backendPort);
  let generation = 0;
  return {
    host: `127.0.0.1:${proxy.port}`,
    cut: () => proxy.cut(),
    onClientData: (fn) => proxy.onClientData(fn),
    async outage(options = {}) {
      const started = performance.now();
      await proxy.cut();
      generation += 1;
      const exportDir = join(dataDir, `export-${generation}`);
      mkdirSync(exportDir);
      // One project per export call; the emulator then imports one metadata file, so one project is carried.
      const [project, ...others] = projects();
      if (others.length > 0) throw new Error('the Firestore outage carries one project over');
      let exported = false;
      if (project) {
        const res = await fetch(`http://${running.host}/emulator/v1/projects/${project}:export`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            database: `projects/${project}/databases/(default)`,
            export_directory: exportDir,
          }),
        });
        if (!res.ok)
          throw new Error(`Firestore emulator export failed: HTTP ${res.status} ${await res.text()}`);
        exported = true;
      }
      kill(running);
      await portReleased(backendPort);
      const metadata = exported ? findMetadata(exportDir) : undefined;
      running = await startEmulator('firestore', {
        sdkRoot: sdkRoot(),
        dataDir,
        port: backendPort,
        ...(metadata ? { extraArgs: [`--import-data=${metadata}`] } : {}),
      });
      const left = (options.downMs ?? 0) - (performance.now() - started);
      if (left > 0) await sleep(left);
      await proxy.restore();
      return { downMs: Math.round(performance.now() - started), exported };
    },
    async stop() {
      await proxy.close();
      await running.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function findMetadata(dir: string): string {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.overall_export_metadata'))
      return join(entry.parentPath, entry.name);
  }
  throw new Error(`no export metadata under ${dir}`);
}
