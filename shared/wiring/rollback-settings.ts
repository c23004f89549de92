/**
 * The loaded Config mapped to the rollback service's settings, in one place,
 * so the function (Pub/Sub and HTTP) and the `rollback` CLI run it the same
 * way. Wiring is the only layer that reads Config; the service sees plain values.
 */
import { hostname } from 'node:os';
import type { Config } from '../config';
import type { RollbackSettings } from '../services/rollback';

/** A lease holder naming this process, e.g. `rollback@host:4242`: recovery asks whether it still runs. */
export function processHolder(role: string): string {
  return `${role}@${hostname()}:${process.pid}`;
}

/** Settings from the loaded config, for one call as `holder` (and `verifiedCaller` when it proved who it is). */
export function rollbackSettings(
  config: Config,
  call: Pick<RollbackSettings, 'holder'> & Partial<RollbackSettings>,
): RollbackSettings {
  return { environment: config.environment, ...call };
}
