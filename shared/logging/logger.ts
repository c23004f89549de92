/**
 * The structured logger. Each line is one JSON object in the shape Cloud
 * Logging lifts out of a function's stdout (`severity`, `message`, `time`,
 * `logging.googleapis.com/labels`, `…/trace`, `…/spanId`), so the same line
 * reads well on a laptop and is queryable in Google Cloud. Secrets are
 * redacted before anything is written; a log call never throws.
 */
import type { Clock } from '../ports/clock';
import { redactString, redactValue } from './redact';
import { serializeError } from './serialize-error';

/** Threshold levels, as `FG_LOG_LEVEL` accepts them. */
export const LOG_LEVELS = ['debug', 'info', 'warning', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Cloud Logging severities this logger writes. */
export type LogSeverity = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR' | 'CRITICAL';

const RANK: Record<LogSeverity, number> = {
  DEBUG: 100,
  INFO: 200,
  NOTICE: 300,
  WARNING: 400,
  ERROR: 500,
  CRITICAL: 600,
};
const LEVEL_RANK: Record<LogLevel, number> = { debug: 100, info: 200, warning: 400, error: 500 };

/**
 * Extra fields on a line. These keys mean something: `correlationId` (top
 * level and label), `traceId` / `spanId` / `traceSampled` (Cloud Trace
 * links), `labels` (merged into the entry's labels). An Error under `error`
 * or `err` also fills `stack_trace`, which Error Reporting picks up.
 */
export type LogFields = Record<string, unknown>;

export const LABELS_KEY = 'logging.googleapis.com/labels';
export const TRACE_KEY = 'logging.googleapis.com/trace';
export const SPAN_KEY = 'logging.googleapis.com/spanId';
export const TRACE_SAMPLED_KEY = 'logging.googleapis.com/trace_sampled';

// Written by the logger itself; a field of the same name would corrupt the entry, so it is dropped.
const RESERVED = new Set(['severity', 'message', 'time', LABELS_KEY, TRACE_KEY, SPAN_KEY, TRACE_SAMPLED_KEY]);
const SPECIAL = new Set(['correlationId', 'traceId', 'spanId', 'traceSampled', 'labels']);

export interface LoggerOptions {
  /** Which part of the system speaks (`health-check`, `cli`); becomes the `component` label. */
  component: string;
  /** Lines below this are dropped. Default `info`. */
  level?: LogLevel;
  /** Receives each line without a trailing newline. Default: stdout. */
  write?: (line: string) => void;
  /** Source of `time` and timer durations. Default: the system clock. */
  clock?: Pick<Clock, 'now'>;
  /** Needed to write `logging.googleapis.com/trace` (it names the project); without it `traceId` stays a plain field. */
  projectId?: string;
  /** Becomes the `environment` label. */
  environment?: string;
  /** More labels on every line. */
  labels?: Record<string, string>;
  /** Exact secret values (tokens from config) to scrub wherever they appear. */
  secrets?: readonly string[];
  /** Fields bound to every line, as `child` would bind them. */
  fields?: LogFields;
}

/** Measures one step; `end` or `fail` logs it with `durationMs` (only the first call logs). */
export interface StepTimer {
  /** Logs `<step> done` at INFO and returns the duration in ms. */
  end(fields?: LogFields): number;
  /** Logs `<step> failed` at ERROR with the error and returns the duration in ms. */
  fail(error: unknown, fields?: LogFields): number;
}

export interface Logger {
  readonly level: LogLevel;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  notice(message: string, fields?: LogFields): void;
  warning(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  critical(message: string, fields?: LogFields): void;
  /** Whether a line of this severity would be written (skip building costly fields otherwise). */
  isEnabled(severity: LogSeverity): boolean;
  /** A logger that adds `fields` to every line; `labels` merge with the parent's. */
  child(fields: LogFields): Logger;
  startTimer(step: string, fields?: LogFields): StepTimer;
}

const defaultWrite = (line: string): void => {
  process.stdout.write(line + '\n');
};
const systemNow = { now: () => new Date() };

/** A logger for one component. Only the composition root should use the default stdout writer. */
export function createLogger(options: LoggerOptions): Logger {
  const base: Bound = {
    level: options.level ?? 'info',
    write: options.write ?? defaultWrite,
    clock: options.clock ?? systemNow,
    projectId: options.projectId,
    secrets: (options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length > 0),
    labels: {
      component: options.component,
      ...(options.environment ? { environment: options.environment } : {}),
      ...options.labels,
    },
    fields: {},
  };
  return make(options.fields ? bind(base, options.fields) : base);
}

interface Bound {
  level: LogLevel;
  write: (line: string) => void;
  clock: Pick<Clock, 'now'>;
  projectId?: string;
  secrets: readonly string[];
  labels: Record<string, string>;
  fields: LogFields;
}

function bind(parent: Bound, fields: LogFields): Bound {
  const { labels, ...rest } = fields;
  return {
    ...parent,
    labels: { ...parent.labels, ...stringLabels(labels) },
    fields: { ...parent.fields, ...rest },
  };
}

function make(b: Bound): Logger {
  const log = (severity: LogSeverity) => (message: string, fields?: LogFields) => {
    if (RANK[severity] >= LEVEL_RANK[b.level]) emit(b, severity, message, fields);
  };
  const logger: Logger = {
    level: b.level,
    debug: log('DEBUG'),
    info: log('INFO'),
    notice: log('NOTICE'),
    warning: log('WARNING'),
    error: log('ERROR'),
    critical: log('CRITICAL'),
    isEnabled: (severity) => RANK[severity] >= LEVEL_RANK[b.level],
    child: (fields) => make(bind(b, fields)),
    startTimer: (step, fields) => {
      const started = b.clock.now().getTime();
      let finished: number | undefined;
      const finish = (severity: LogSeverity, verb: string, extra: LogFields): number => {
        if (finished !== undefined) return finished;
        finished = Math.max(0, b.clock.now().getTime() - started);
        log(severity)(`${step} ${verb}`, { ...fields, ...extra, step, durationMs: finished });
        return finished;
      };
      return {
        end: (extra) => finish('INFO', 'done', extra ?? {}),
        fail: (error, extra) => finish('ERROR', 'failed', { ...extra, error }),
      };
    },
  };
  return logger;
}

function emit(b: Bound, severity: LogSeverity, message: string, callFields: LogFields | undefined): void {
  try {
    b.write(formatEntry(b, severity, message, callFields));
  } catch {
    // A log call must never take the caller down (EPIPE, a full disk); the line is lost.
  }
}

/** Builds the JSON line: fixed Cloud Logging fields first, then the caller's fields, all redacted. */
function formatEntry(
  b: Bound,
  severity: LogSeverity,
  message: string,
  callFields: LogFields | undefined,
): string {
  const { labels: callLabels, ...call } = callFields ?? {};
  const fields: LogFields = { ...b.fields, ...call };
  const labels = { ...b.labels, ...stringLabels(callLabels) };

  const entry: Record<string, unknown> = {
    severity,
    message: String(message),
    time: safeIso(b.clock),
  };
  for (const [key, value] of Object.entries(fields)) {
    if (RESERVED.has(key) || SPECIAL.has(key) || value === undefined) continue;
    entry[key] = value instanceof Error ? serializeError(value) : value;
  }

  const correlationId = fields.correlationId;
  if (typeof correlationId === 'string' && correlationId) {
    entry.correlationId = correlationId;
    labels.correlationId = correlationId;
  }
  entry[LABELS_KEY] = labels;

  const traceId = fields.traceId;
  if (typeof traceId === 'string' && traceId) {
    if (b.projectId) entry[TRACE_KEY] = `projects/${b.projectId}/traces/${traceId}`;
    else entry.traceId = traceId;
  }
  if (typeof fields.spanId === 'string' && fields.spanId) entry[SPAN_KEY] = fields.spanId;
  if (typeof fields.traceSampled === 'boolean') entry[TRACE_SAMPLED_KEY] = fields.traceSampled;

  const err =
    fields.error instanceof Error ? fields.error : fields.err instanceof Error ? fields.err : undefined;
  if (err?.stack && RANK[severity] >= RANK.ERROR) entry.stack_trace = err.stack;

  try {
    return JSON.stringify(redactValue(entry, b.secrets));
  } catch (e) {
    return JSON.stringify({
      severity: 'ERROR',
      message: redactString(`log entry could not be serialised: ${(e as Error).message}`, b.secrets),
      time: safeIso(b.clock),
      [LABELS_KEY]: redactValue(b.labels, b.secrets),
    });
  }
}

function stringLabels(labels: unknown): Record<string, string> {
  if (typeof labels !== 'object' || labels === null) return {};
  const out: Record<string, string> = {};
  // Cloud Logging labels are map<string, string>; anything else is stringified.
  for (const [k, v] of Object.entries(labels)) if (v !== undefined && v !== null) out[k] = String(v);
  return out;
}

function safeIso(clock: Pick<Clock, 'now'>): string {
  const d = clock.now();
  return Number.isNaN(d.getTime()) ? new Date(0).toISOString() : d.toISOString();
}
