/** Opens the configured backend for one command and always closes it. */
import { loadConfig, type Config } from '../shared/config';
import { openBackend, type Backend } from '../shared/wiring/backend';
import { ensureLocalTopology } from '../shared/wiring/topology-setup';
import type { CommandContext } from './command';

export function configFrom(ctx: CommandContext): Config {
  return loadConfig(ctx.env);
}

/**
 * Runs `fn` with the backend. On the embedded backend (and emulators) the
 * topology's topics and subscriptions are created first, so a publish never
 * lands on a missing topic; on Google Cloud, Terraform owns them.
 */
export async function withBackend<T>(ctx: CommandContext, fn: (backend: Backend) => Promise<T>): Promise<T> {
  const config = configFrom(ctx);
  const backend = openBackend(config);
  try {
    await ensureLocalTopology(config, backend.bus);
    return await fn(backend);
  } finally {
    await backend.close();
  }
}
