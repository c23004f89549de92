export { traceBook } from './trace-book';
export type * from './types';
