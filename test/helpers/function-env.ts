/**
 * The environment the in-process Cloud Functions (functions/*) read their
 * config from, set without writing to process.env: a test installs
 * process.env plus its own variables (undefined unsets one) through the seam
 * in shared/wiring/function-runtime.ts, and `restore` puts the previous
 * source back. Runtimes already built keep their config, so a test that
 * changes the environment between cases closes them (closeFunctionRuntimes).
 */
import { useFunctionEnvironment } from '../../shared/wiring/function-runtime';

export type EnvVars = Record<string, string | undefined>;

export interface FunctionEnv {
  /** What the functions read: a copy of process.env with `vars` laid over it; also for loadConfig. */
  env: EnvVars;
  restore(): void;
}

/** process.env with `vars` over it; a variable given as undefined is absent. */
export function overProcessEnv(vars: EnvVars): EnvVars {
  const env: EnvVars = { ...process.env };
  for (const [name, value] of Object.entries(vars)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Makes the in-process functions read process.env with `vars` over it, until `restore`. */
export function useFunctionEnv(vars: EnvVars): FunctionEnv {
  const env = overProcessEnv(vars);
  return { env, restore: useFunctionEnvironment(env) };
}
