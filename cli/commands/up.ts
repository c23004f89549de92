/**
 * `up [--emulators] [--tick S] [--port N] [--only a,b]` (= `npm start`): the
 * whole system on this machine until Ctrl-C (see shared/local-stack). With
 * `--json`, one JSON document saying where everything is, once it is ready.
 */
import { join } from 'node:path';
import {
  detectEmulatorSupport,
  startEmulator,
  type RunningEmulator,
} from '../../shared/adapters/gcp/emulators';
import { BackendUnavailableError } from '../../shared/errors';
import { consoleLineFor, renderBanner } from '../../shared/local-stack/banner';
import { startLocalStack, type LocalStack } from '../../shared/local-stack/stack';
import { LOCAL_PROJECT_ID } from '../../shared/local-stack/stack-plan';
import { isSeeded } from '../../shared/wiring/seed';
import type { Command, CommandContext } from '../command';
import { configFrom } from '../backend';
import { EXIT, type ExitCode } from '../exit-codes';
import { FLAGS } from '../flag-table';
import { parseNameList } from '../flags';
import { helpOf } from './help-table';

async function startEmulators(): Promise<RunningEmulator[]> {
  const support = detectEmulatorSupport();
  if (!support.available || !support.sdkRoot) {
    throw new BackendUnavailableError(
      `--emulators needs Google's emulators: ${support.reason} (gcloud components install pubsub-emulator cloud-firestore-emulator)`,
      'emulators',
    );
  }
  const sdkRoot = support.sdkRoot;
  const started: RunningEmulator[] = [];
  try {
    for (const kind of ['pubsub', 'firestore'] as const) {
      started.push(await startEmulator(kind, { sdkRoot }));
    }
  } catch (err) {
    for (const e of started) await e.stop();
    throw new BackendUnavailableError(
      `could not start the emulators: ${(err as Error).message}`,
      'emulators',
      {
        cause: err,
      },
    );
  }
  return started;
}

/** `signal` resolves on the first SIGINT or SIGTERM; a second one calls `onSecond`. `dispose` removes the handlers. */
function onSignals(onSecond: () => void): { signal: Promise<NodeJS.Signals>; dispose(): void } {
  let seen = false;
  let resolve: (s: NodeJS.Signals) => void = () => undefined;
  const signal = new Promise<NodeJS.Signals>((r) => (resolve = r));
  const handler = (s: NodeJS.Signals) => {
    if (seen) return onSecond();
    seen = true;
    resolve(s);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/** Where everything is, once ready: the banner, or with --json one document. */
function announce(ctx: CommandContext, stack: LocalStack, firstRun: boolean, readyMs: number): void {
  if (!ctx.out.json) {
    ctx.out.line(renderBanner(stack, firstRun, readyMs));
    return;
  }
  const status = stack.status();
  ctx.out.result({
    dashboardUrl: stack.dashboardUrl,
    readyMs,
    seeded: !stack.seed.cached,
    backend: status.backend,
    functionsFrom: status.functionsFrom,
    stateDir: status.stateDir,
    functions: status.functions,
    schedules: status.schedules,
    logs: join(status.stateDir, 'logs'),
  });
}

export const upCommand: Command = {
  ...helpOf('up'),
  async run(ctx: CommandContext): Promise<ExitCode> {
    const tickSeconds = ctx.flag(FLAGS.tick);
    const port = ctx.flag(FLAGS.port);
    const only = parseNameList(ctx.flag(FLAGS.only));
    const useEmulators = ctx.flag(FLAGS.emulators);
    const config = configFrom(ctx);
    const log = (text: string) => ctx.out.error(`${new Date().toTimeString().slice(0, 8)} ${text}`);
    for (const warning of config.warnings) log(`warning: ${warning}`);

    const started = Date.now();
    const firstRun = useEmulators ? true : !isSeeded(config.stateDir);
    let emulators: RunningEmulator[] = [];
    let stack: LocalStack | undefined;
    // Caught from the start, so a Ctrl-C while things start still stops what already runs.
    const signals = onSignals(() => {
      ctx.out.error('stopping at once');
      process.exit(130);
    });
    try {
      let env = ctx.env;
      if (useEmulators) {
        log("starting Google's Pub/Sub and Firestore emulators…");
        emulators = await startEmulators();
        const [pubsub, firestore] = emulators as [RunningEmulator, RunningEmulator];
        // The stack's config, and so every client it builds, gets the hosts from here.
        env = { ...ctx.env, PUBSUB_EMULATOR_HOST: pubsub.host, FIRESTORE_EMULATOR_HOST: firestore.host };
        log(`emulators up: pubsub ${pubsub.host}, firestore ${firestore.host}`);
      }
      if (firstRun) log(`first run: seeding the fleet into ${config.stateDir} …`);
      const [pubsubEmulator, firestoreEmulator] = emulators;
      stack = await startLocalStack({
        env,
        tickSeconds,
        port,
        only,
        ...(pubsubEmulator && firestoreEmulator
          ? {
              emulators: {
                pubsub: pubsubEmulator.host,
                firestore: firestoreEmulator.host,
                projectId: config.gcp.projectId ?? LOCAL_PROJECT_ID,
              },
            }
          : {}),
        onEvent: log,
        onFunctionLine: (name, line) => {
          const text = consoleLineFor(name, line);
          if (text) ctx.out.error(text);
        },
      });
      const readyMs = Date.now() - started;
      announce(ctx, stack, firstRun, readyMs);
      const signal = await signals.signal;
      log(`${signal}: stopping every process this stack started…`);
      return EXIT.ok;
    } finally {
      signals.dispose();
      await stack?.stop();
      for (const e of emulators) await e.stop();
      if (stack) log('stopped');
    }
  },
};
