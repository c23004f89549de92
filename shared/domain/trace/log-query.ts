/**
 * The Cloud Logging query that shows every forecast-guard function's lines
 * for one correlation id, in the Logging query language
 * (https://cloud.google.com/logging/docs/view/logging-query-language):
 *
 * - `resource.type="cloud_run_revision"`: a 2nd-gen Cloud Function runs as a
 *   Cloud Run service, and its stdout lines are entries of that resource type;
 * - `resource.labels.service_name=("a" OR "b" …)`: the functions of topology
 *   (a 2nd-gen function's service has the function's name; infra/locals.tf
 *   `service_names` uses the same list);
 * - `(labels.correlationId="C" OR jsonPayload.correlationId="C")`: the logger
 *   writes the id twice (shared/logging/logger.ts): as a field of the JSON
 *   payload and in `logging.googleapis.com/labels`, which Cloud Logging lifts
 *   into the entry's `labels`. Either is enough; both keep a line that lost
 *   one (a line cut to fit Cloud Logging's entry size keeps its labels);
 * - `timestamp>="…" AND timestamp<"…"`: the time range, so the search stays in
 *   the days that matter (Logs Explorer and `entries.list` search a bounded
 *   range faster, and the API says to narrow it when a page comes back empty).
 *
 * Strings are double-quoted with `\` and `"` escaped, as the language
 * requires. Pure.
 */
import { isValidCorrelationId } from '../../contracts/primitives';
import { ValidationError } from '../../errors';

/** `ListLogEntriesRequest.filter`: "The maximum length of a filter is 20,000 characters" (logging.proto). */
export const MAX_LOGGING_FILTER_CHARS = 20_000;

/** The resource type of a 2nd-gen Cloud Function's (a Cloud Run service's) log entries. */
export const FUNCTION_RESOURCE_TYPE = 'cloud_run_revision';

export interface LogQueryInput {
  correlationId: string;
  /** Cloud Run service names (the functions); empty: any service of the resource type. */
  services: readonly string[];
  /** ISO 8601 instants bounding the search: from inclusive, to exclusive. */
  from?: string;
  to?: string;
}

/** A string literal of the Logging query language: double quotes, `\` and `"` escaped. */
export function quoteLoggingString(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

function checkInstant(field: 'from' | 'to', value: string | undefined): void {
  if (value === undefined) return;
  if (Number.isNaN(Date.parse(value)) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    throw new ValidationError(`${field}: must be an ISO 8601 date-time (got ${JSON.stringify(value)})`, [
      field,
    ]);
  }
}

/** The filter: its clauses joined by AND, one a line, as Logs Explorer shows a query. */
export function cloudLoggingFilter(input: LogQueryInput): string {
  if (!isValidCorrelationId(input.correlationId)) {
    throw new ValidationError(
      `correlationId: must be 1 to 128 of A-Z a-z 0-9 . _ : @ - (got ${JSON.stringify(input.correlationId)})`,
      ['correlationId'],
    );
  }
  checkInstant('from', input.from);
  checkInstant('to', input.to);
  const id = quoteLoggingString(input.correlationId);
  const lines = [`resource.type=${quoteLoggingString(FUNCTION_RESOURCE_TYPE)}`];
  if (input.services.length > 0) {
    lines.push(`resource.labels.service_name=(${input.services.map(quoteLoggingString).join(' OR ')})`);
  }
  lines.push(`(labels.correlationId=${id} OR jsonPayload.correlationId=${id})`);
  if (input.from !== undefined) lines.push(`timestamp>=${quoteLoggingString(input.from)}`);
  if (input.to !== undefined) lines.push(`timestamp<${quoteLoggingString(input.to)}`);
  const filter = lines.join('\nAND ');
  if (filter.length > MAX_LOGGING_FILTER_CHARS) {
    throw new ValidationError(
      `services: the filter would be ${filter.length} characters, over Cloud Logging's ${MAX_LOGGING_FILTER_CHARS}`,
      ['services'],
    );
  }
  return filter;
}

/** A Logs Explorer link that opens the query (the `query` matrix parameter, URL-encoded). */
export function logsExplorerUrl(filter: string, projectId: string | undefined): string {
  const base = `https://console.cloud.google.com/logs/query;query=${encodeURIComponent(filter)}`;
  return projectId ? `${base}?project=${encodeURIComponent(projectId)}` : base;
}
