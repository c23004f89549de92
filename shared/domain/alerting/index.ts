/** Alerting rules, pure: fingerprint, state machine, inhibition, grouping, routing, escalation, digest, retry backoff. */
export * from './fingerprint';
export * from './policy';
export * from './state-machine';
export * from './operator-actions';
export * from './inhibition';
export * from './group-item';
export * from './grouping';
export * from './escalation';
export * from './routing';
export * from './backoff';
export * from './digest';
