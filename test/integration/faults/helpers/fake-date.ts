/**
 * The fault suite's fake clock: jest fakes `Date` only, so the in-process
 * functions, the queue's backoff and the outbox all read one clock the test
 * steps, while timers, microtasks and `performance` stay real.
 */
type ModernConfig = Extract<NonNullable<Parameters<typeof jest.useFakeTimers>[0]>, { doNotFake?: unknown }>;

const REAL: NonNullable<ModernConfig['doNotFake']> = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'requestIdleCallback',
  'cancelIdleCallback',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
];

/** Fakes `Date` alone, starting at `now` (ms since the epoch); step it with `jest.setSystemTime`. */
export function fakeDateOnly(now: number): void {
  jest.useFakeTimers({ now, doNotFake: REAL });
}
