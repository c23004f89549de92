/** The health-check use case: `runHealthCheck` over the ports, with its settings. */
export { runHealthCheck, runIdForMessage } from './run-health-check';
export type { HealthCheckRun, HealthCheckResult, ModelResult } from './run-health-check';
export type { HealthCheckSettings } from './settings';
// Transitional: functions/health-check/index.ts still imports the mapping from
// here. It lives in shared/wiring/health-check.ts; delete this line once that
// import points there (a services → wiring import the layer rules reject).
export { healthCheckSettings } from '../../wiring/health-check';
export type { HealthCheckDeps } from './deps';
export { forEachBounded } from '../bounded';
