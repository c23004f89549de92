/**
 * What the dashboard shows of the local stack that serves it: its function
 * processes and schedules, as the page reads them. Declared on the
 * dashboard's side so the dashboard never imports the stack that starts it
 * (the stack's own status satisfies this shape).
 */

/** One function process, one row of the page's process table. */
export interface StackProcessView {
  name: string;
  entryPoint: string;
  signatureType: string;
  trigger?: string;
  url: string;
  pid?: number;
  state: string;
  failure?: string;
}

/** One schedule, one row of the page's schedule table. */
export interface StackScheduleView {
  name: string;
  topic: string;
  when: string;
  nextAt?: string;
  /** `at` is sent as JSON, so the page reads an ISO string. */
  lastFire?: { at: Date | string; error?: string };
}

/** The stack as `GET /api/health` reports it under `stack`. */
export interface StackStatusView {
  backend: string;
  functionsFrom: string;
  stateDir: string;
  startedAt: string;
  functions: readonly StackProcessView[];
  schedules: readonly StackScheduleView[];
}
