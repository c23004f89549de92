/**
 * The fleet-level reads of a health check: is the registry up, how is the
 * training pipeline doing. Each returns findings and whether it could decide
 * at all (a failed read decides nothing, so nothing is resolved from it).
 */
import { findingKey, type Finding } from '../../domain/health/findings';
import { pipelineFindings, registryFinding } from '../../domain/health/fleet-findings';
import { describeError } from '../../errors';
import type { RegistryPing } from '../../ports/model-registry';
import type { HealthCheckDeps } from './deps';
import type { HealthCheckSettings } from './settings';

/** The outcome of one fleet-level check. */
export interface FleetCheck {
  findings: Finding[];
  /** Keys of the conditions this check decided. */
  evaluated: string[];
  note?: string;
}

/** `ModelRegistry.ping`, which never throws by contract; a throwing adapter is treated as a failed ping. */
export async function pingRegistry(deps: HealthCheckDeps): Promise<RegistryPing> {
  const now = deps.monotonic ?? (() => performance.now());
  const started = now();
  try {
    return await deps.registry.ping();
  } catch (err) {
    return { ok: false, latencyMs: now() - started, detail: describeError(err) };
  }
}

/** The registry check from its ping: it always decides `registry_unreachable`. */
export function registryCheck(ping: RegistryPing): FleetCheck {
  const finding = registryFinding(ping);
  return {
    findings: finding ? [finding] : [],
    evaluated: [findingKey({ kind: 'registry_unreachable' })],
  };
}

/** Reads the recent pipeline runs once for the whole fleet. */
export async function pipelineCheck(
  deps: HealthCheckDeps,
  settings: HealthCheckSettings,
): Promise<FleetCheck> {
  try {
    const runs = await deps.pipelines.listRuns({ limit: settings.pipelineRunsLimit });
    return {
      findings: pipelineFindings(runs, deps.clock.now(), settings.pipelineStaleAfterMs),
      evaluated: [findingKey({ kind: 'pipeline_failed' }), findingKey({ kind: 'pipeline_stale' })],
    };
  } catch (err) {
    return { findings: [], evaluated: [], note: `pipeline status unknown: ${describeError(err)}` };
  }
}
