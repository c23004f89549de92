/**
 * What a deployed function builds once per instance: config from the
 * environment, the backend, a logger. Cold start pays for it; every later
 * event reuses it. Only function entry points call this (they are the only
 * code besides the CLI that may read the process environment).
 *
 * The environment comes from `process.env` unless a caller in the same
 * process (the tests, which run the functions in-process) installs another
 * with `useFunctionEnvironment`, so nothing has to write to `process.env`.
 */
import { loadConfig, type Config } from '../config';
import { createLogger, type Logger } from '../logging/logger';
import { randomIds, type IdGenerator } from '../ports/clock';
import { openBackend, type Backend } from './backend';
import { ensureLocalTopology } from './topology-setup';
import { configSecrets } from '../config/secrets';

export interface FunctionRuntime {
  config: Config;
  backend: Backend;
  logger: Logger;
  ids: IdGenerator;
}

/** The variables a function reads its config from: `process.env` or a stand-in. */
export type FunctionEnvironment = Readonly<Record<string, string | undefined>>;

const runtimes = new Map<string, Promise<FunctionRuntime>>();

// undefined means process.env, read when a runtime is built, not when this module loads.
let installed: FunctionEnvironment | undefined;

/**
 * Makes every runtime built from now on read `env` instead of `process.env`;
 * returns the function that puts the previous source back. Runtimes already
 * built keep their config: close them (`closeFunctionRuntimes`) to rebuild.
 */
export function useFunctionEnvironment(env: FunctionEnvironment): () => void {
  const previous = installed;
  installed = env;
  return () => {
    installed = previous;
  };
}

/** The environment the next runtime will read. */
export function functionEnvironment(): FunctionEnvironment {
  return installed ?? process.env;
}

/** Builds a logger that follows the config (level, environment, project, secrets). */
export function loggerFor(config: Config, component: string): Logger {
  return createLogger({
    component,
    level: config.logLevel,
    projectId: config.gcp.projectId,
    environment: config.environment,
    secrets: configSecrets(config),
  });
}

/** The runtime for one function in this process, built on first use. */
export function functionRuntime(
  component: string,
  env: FunctionEnvironment = functionEnvironment(),
): Promise<FunctionRuntime> {
  let runtime = runtimes.get(component);
  if (!runtime) {
    runtime = (async () => {
      const config = loadConfig(env);
      const logger = loggerFor(config, component);
      const backend = openBackend(config);
      await ensureLocalTopology(config, backend.bus);
      return { config, backend, logger, ids: randomIds };
    })();
    // A failed start (bad config) is not cached: the next event tries again and logs it again.
    runtime.catch(() => runtimes.delete(component));
    runtimes.set(component, runtime);
  }
  return runtime;
}

/** Closes every runtime (tests, graceful shutdown of the local stack). */
export async function closeFunctionRuntimes(): Promise<void> {
  const all = [...runtimes.values()];
  runtimes.clear();
  for (const r of all) {
    try {
      await (await r).backend.close();
    } catch {
      /* a runtime that never started has nothing to close */
    }
  }
}
