/**
 * LogReader over Cloud Logging, with `@google-cloud/logging`'s `getEntries`
 * (`entries.list`, gRPC `google.logging.v2.LoggingServiceV2/ListLogEntries`).
 * The filter is `cloudLoggingFilter` (shared/domain/trace/log-query.ts): the
 * functions' Cloud Run services, the correlation id in the payload or the
 * label, the time range. It reads the `forecast-guard` log bucket's
 * `_AllLogs` view, which the `fg-function-logs` sink fills
 * (infra/logging.tf) and keeps longer than `_Default`'s 30 days.
 *
 * The limits are those of `ListLogEntriesRequest` (logging.proto, shipped in
 * @google-cloud/logging-api): `page_size` at most 1000, `order_by` only
 * `timestamp asc|desc`, a filter of at most 20,000 characters. Pages are
 * fetched oldest first until `limit` lines are in hand; an empty page with a
 * `next_page_token` means the search has not finished (the API says so) and
 * is followed, up to MAX_PAGES. A search without `from` reads the last 24
 * hours only: `getEntries` adds `timestamp >= <a day ago>` to a filter that
 * names no timestamp (the trace always passes the run's time range).
 */
import type { Logging } from '@google-cloud/logging';
import { cloudLoggingFilter } from '../../domain/trace/log-query';
import {
  checkLogSearch,
  type LogLine,
  type LogReader,
  type LogSearch,
  type LogSearchResult,
} from '../../ports/log-reader';

/** `ListLogEntriesRequest.page_size`: "If the value is negative or exceeds 1000, the request is rejected." */
export const MAX_PAGE_SIZE = 1000;
/** Pages followed per search, empty ones included, before it stops and says the result is truncated. */
export const MAX_PAGES = 50;

const SEVERITIES: Record<number, string> = {
  0: 'DEFAULT',
  100: 'DEBUG',
  200: 'INFO',
  300: 'NOTICE',
  400: 'WARNING',
  500: 'ERROR',
  600: 'CRITICAL',
  700: 'ALERT',
  800: 'EMERGENCY',
};

export interface CloudLoggingReaderOptions {
  projectId: string;
  /** The functions' Cloud Run service names (topology's functions). */
  services: readonly string[];
  /** Log bucket and view the search reads; default the `forecast-guard` bucket's `_AllLogs`, location `global`. */
  bucket?: { location: string; id: string; view: string };
}

/** A view's resource name, as `ListLogEntriesRequest.resource_names` takes it. */
export function bucketViewName(
  projectId: string,
  bucket: { location: string; id: string; view: string },
): string {
  return `projects/${projectId}/locations/${bucket.location}/buckets/${bucket.id}/views/${bucket.view}`;
}

/** One entry as `Entry.fromApiResponse_` gives it: `data` the decoded payload, `metadata` the rest. */
interface ApiEntry {
  data?: unknown;
  metadata: {
    timestamp?: Date | string | null;
    severity?: string | number | null;
    labels?: Record<string, string> | null;
    logName?: string | null;
  };
}

export function lineOf(entry: ApiEntry): LogLine {
  const payload =
    entry.data !== null && typeof entry.data === 'object' && !Array.isArray(entry.data)
      ? (entry.data as Record<string, unknown>)
      : { message: String(entry.data ?? '') };
  const { message, severity: _severity, time, ...fields } = payload;
  const { timestamp, severity, labels, logName } = entry.metadata;
  const at =
    timestamp instanceof Date
      ? timestamp.toISOString()
      : typeof timestamp === 'string'
        ? timestamp
        : String(time ?? '');
  return {
    at,
    severity:
      typeof severity === 'number' ? (SEVERITIES[severity] ?? String(severity)) : (severity ?? 'DEFAULT'),
    component: labels?.component ?? '',
    message: typeof message === 'string' ? message : '',
    source: logName ?? '',
    fields,
  };
}

type LoggingClient = Pick<Logging, 'getEntries'>;

export class CloudLoggingReader implements LogReader {
  private readonly view: string;
  private client: LoggingClient | undefined;

  /** `logging`: the client, or a function that builds it on the first search. */
  constructor(
    private readonly logging: LoggingClient | (() => LoggingClient),
    private readonly options: CloudLoggingReaderOptions,
  ) {
    this.view = bucketViewName(
      options.projectId,
      options.bucket ?? { location: 'global', id: 'forecast-guard', view: '_AllLogs' },
    );
  }

  private connect(): LoggingClient {
    this.client ??= typeof this.logging === 'function' ? this.logging() : this.logging;
    return this.client;
  }

  async search(search: LogSearch): Promise<LogSearchResult> {
    checkLogSearch(search);
    const filter = cloudLoggingFilter({
      correlationId: search.correlationId,
      services: this.options.services,
      ...(search.from !== undefined ? { from: search.from } : {}),
      ...(search.to !== undefined ? { to: search.to } : {}),
    });
    const lines: LogLine[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const [entries, , response] = await this.connect().getEntries({
        resourceNames: [this.view],
        filter,
        orderBy: 'timestamp asc',
        pageSize: Math.min(MAX_PAGE_SIZE, search.limit + 1 - lines.length),
        autoPaginate: false,
        ...(pageToken !== undefined ? { pageToken } : {}),
      });
      for (const entry of entries) lines.push(lineOf(entry as unknown as ApiEntry));
      pageToken = (response as { nextPageToken?: string | null } | undefined)?.nextPageToken || undefined;
      pages += 1;
    } while (pageToken !== undefined && lines.length <= search.limit && pages < MAX_PAGES);
    return {
      lines: lines.slice(0, search.limit),
      truncated: lines.length > search.limit || pageToken !== undefined,
      searched: this.view,
    };
  }
}
