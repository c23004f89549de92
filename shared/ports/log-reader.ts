/**
 * LogReader: the log lines forecast-guard's own processes wrote for one
 * correlation id, oldest first. Cloud Logging on Google Cloud (the functions'
 * stdout, lifted into log entries), the local stack's JSON log files on one
 * machine (`<stateDir>/logs/<component>.log` and their rotated copies).
 *
 * Semantics every adapter keeps: only lines carrying that correlation id (in
 * the JSON payload or the `correlationId` label) between `from` (inclusive)
 * and `to` (exclusive) when given; at most `limit`, the oldest first, with
 * `truncated` set when more matched; a bad correlation id is a
 * ValidationError naming `correlationId`.
 */
import { isValidCorrelationId } from '../contracts/primitives';
import { ValidationError } from '../errors';

export interface LogSearch {
  correlationId: string;
  /** ISO 8601 instants. */
  from?: string;
  to?: string;
  /** Lines at most (1 to MAX_LOG_LINES). */
  limit: number;
}

/** The most lines one search returns: enough for an incident, small enough to print. */
export const MAX_LOG_LINES = 5000;

export interface LogLine {
  /** The line's own time (ISO 8601). */
  at: string;
  /** Cloud Logging severity (`INFO`, `ERROR`…). */
  severity: string;
  /** Which part of the system wrote it: the `component` label (the function's name). */
  component: string;
  message: string;
  /** Where it was read: a file path, or the Cloud Logging entry's log name. */
  source: string;
  /** The other fields of the line (step, isbn, durationMs…), as written. */
  fields: Record<string, unknown>;
}

export interface LogSearchResult {
  lines: LogLine[];
  truncated: boolean;
  /** What was searched, in words: the directory, or the project and bucket. */
  searched: string;
}

export interface LogReader {
  search(search: LogSearch): Promise<LogSearchResult>;
}

/** Checks what every LogReader refuses. */
export function checkLogSearch(search: LogSearch): void {
  if (!isValidCorrelationId(search.correlationId)) {
    throw new ValidationError(
      `correlationId: must be 1 to 128 of A-Z a-z 0-9 . _ : @ - (got ${JSON.stringify(search.correlationId)})`,
      ['correlationId'],
    );
  }
  if (!Number.isInteger(search.limit) || search.limit < 1 || search.limit > MAX_LOG_LINES) {
    throw new ValidationError(`limit: must be an integer from 1 to ${MAX_LOG_LINES} (got ${search.limit})`, [
      'limit',
    ]);
  }
  for (const field of ['from', 'to'] as const) {
    const value = search[field];
    if (value !== undefined && Number.isNaN(Date.parse(value))) {
      throw new ValidationError(`${field}: must be an ISO 8601 date-time (got ${JSON.stringify(value)})`, [
        field,
      ]);
    }
  }
}
