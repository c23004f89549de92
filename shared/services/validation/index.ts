/** The validation service: post-deploy validation, `validate`, the registry consistency check. */
export * from './deps';
export * from './prepare';
export * from './validate-versions';
export * from './apply-outcome';
export * from './post-deploy';
export * from './registry-check';
export * from './run-validation';
