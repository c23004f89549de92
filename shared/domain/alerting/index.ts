/**
 * Alerting rules, pure: the decisions of alert dispatch's stages (observe,
 * fingerprint, state machine, inhibition, dedup plan, grouping, routing,
 * outbox documents, expansion, retry backoff, redelivery), escalation and
 * the daily digest.
 */
export * from './observation';
export * from './fingerprint';
export * from './policy';
export * from './state-machine';
export * from './operator-actions';
export * from './inhibition';
export * from './dedup';
export * from './group-item';
export * from './grouping';
export * from './routing';
export * from './outbox';
export * from './expansion';
export * from './escalation';
export * from './backoff';
export * from './redelivery';
export * from './digest';
