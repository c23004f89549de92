/**
 * What a deployed function builds once per instance: config from the
 * environment, the backend, a logger. Cold start pays for it; every later
 * event reuses it. Only function entry points call this (they are the only
 * code besides the CLI that may read the process environment).
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

const runtimes = new Map<string, Promise<FunctionRuntime>>();

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
  env: NodeJS.ProcessEnv = process.env,
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
