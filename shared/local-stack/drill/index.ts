/** The game day: `runDrill` and how its result reads. */
export * from './run-drill';
export * from './report';
export { TARGETS } from './context';
