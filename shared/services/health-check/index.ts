/** The health-check use case: `runHealthCheck` over the ports, with its settings. */
export { runHealthCheck, runIdForMessage } from './run-health-check';
export type { HealthCheckRun, HealthCheckResult, ModelResult } from './run-health-check';
export type { HealthCheckSettings } from './settings';
export type { HealthCheckDeps } from './deps';
export { forEachBounded } from '../bounded';
