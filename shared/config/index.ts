/** Configuration: `loadConfig` (environment → frozen, validated Config), redaction and the variable table. */
export * from './config';
export * from './load-config';
export * from './redact-config';
export * from './secrets';
export * from './duration';
export { VARIABLES, ALIASES, type VariableInfo } from './variables';
export { VARIABLE_NAMES } from './env-schema';
