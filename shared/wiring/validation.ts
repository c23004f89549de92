/**
 * The loaded Config mapped to post-deploy validation's settings, in one
 * place, so the function and the `validate` CLI judge a version the same
 * way. Wiring is the only layer that reads Config; the service sees plain values.
 */
import type { Config } from '../config';
import type { DeploymentAuditSettings } from '../services/validation/deployment-audit';

/** Settings from the loaded config; `overrides` for a CLI flag, a test or a bench. */
export function validationSettings(
  config: Config,
  overrides: Partial<DeploymentAuditSettings> = {},
): DeploymentAuditSettings {
  return {
    environment: config.environment,
    overrides: config.thresholds.overrides,
    ownPrincipals: config.deployerPrincipals,
    ...overrides,
  };
}
