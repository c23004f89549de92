/** Pure health-check logic: live accuracy, drift, fleet checks, findings and their resolution. */
export * from './statistics';
export * from './live-accuracy';
export * from './findings';
export * from './accuracy-findings';
export * from './drift';
export * from './fleet-findings';
