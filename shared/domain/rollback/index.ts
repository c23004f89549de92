/** Rollback planning, pure: snapshots in, a plan out (see plan.ts); the service acts on it. */
export * from './types';
export * from './serving';
export * from './history';
export * from './targets';
export * from './ids';
export * from './plan';
export * from './validate-plan';
export * from './scope';
export * from './recovery';
export * from './run';
export * from './backup-chunks';
