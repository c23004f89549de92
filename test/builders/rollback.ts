/**
 * The rollback service takes its ports and its settings apart
 * (`applyRollback(request, ports, settings)`); tests build both in one object
 * and hand it over split.
 */
import type { RollbackDeps, RollbackPorts, RollbackSettings } from '../../shared/services/rollback';

/** `deps` as the service's two arguments: its ports, then its settings. */
export function portsAndSettings(deps: RollbackDeps): [RollbackPorts, RollbackSettings] {
  const { holder, options, environment, verifiedCaller, ...ports } = deps;
  const settings: RollbackSettings = {
    holder,
    ...(options ? { options } : {}),
    ...(environment ? { environment } : {}),
    ...(verifiedCaller ? { verifiedCaller } : {}),
  };
  return [ports, settings];
}
