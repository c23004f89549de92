/** Validation rules: post-deploy checks, deployment gates, canary and outcome planning. Pure. */
export * from './check';
export * from './batch-plan';
export * from './response-checks';
export * from './edge-cases';
export * from './accuracy';
export * from './latency';
export * from './ljung-box';
export * from './arima-sanity';
export * from './explanation';
export * from './data-quality';
export * from './registry-consistency';
export * from './deploy-gates';
export * from './canary';
export * from './outcome';
