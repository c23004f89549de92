/** Gated deployment: quality gates, approvals, canary, switch. */
export * from './deps';
export * from './gather';
export * from './approvals';
export * from './switch';
export * from './canary-run';
export * from './deploy-models';
