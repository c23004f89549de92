/**
 * A stand-in for Cloud Logging's read API: a grpc-js server implementing
 * `google.logging.v2.LoggingServiceV2/ListLogEntries` from the .proto files
 * `@google-cloud/logging` depends on (`@google-cloud/logging-api`'s
 * build/protos; the common Google protos from its google-gax), so
 * `@google-cloud/logging`'s own client talks to it unchanged.
 *
 * It refuses what the real service refuses, as logging.proto documents
 * `ListLogEntriesRequest` (INVALID_ARGUMENT): no `resource_names`, more than
 * 100 of them, or one that is not a project or a bucket view; a filter over
 * 20,000 characters, or one it cannot parse (filter.ts: the subset of the
 * Logging query language it reads); `order_by` other than `timestamp asc` or
 * `timestamp desc`; `page_size` negative or over 1000 (0 means the default,
 * 50); a `page_token` it did not issue for the same request. Entries are
 * returned oldest first unless `timestamp desc`, equal times by insert id.
 * It does not check credentials (the client sends none over plaintext).
 */
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import {
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { FilterError, matches, parseFilter } from './filter';

const LOGGING_API = dirname(require.resolve('@google-cloud/logging-api'));
const PROTOS = join(LOGGING_API, '../protos');
const GAX_PROTOS = join(dirname(require.resolve('google-gax', { paths: [LOGGING_API] })), '../protos');

export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_FILTER_CHARS = 20_000;
export const MAX_RESOURCE_NAMES = 100;

const PARENT =
  /^(projects|organizations|folders|billingAccounts)\/[^/]+(\/locations\/[^/]+\/buckets\/[^/]+\/views\/[^/]+)?$/;

/** An entry as a test writes it: what the functions' stdout lines become. */
export interface StoredEntry {
  /** The bucket view (or project) it is read through. */
  parent: string;
  logName: string;
  resource: { type: string; labels: Record<string, string> };
  timestamp: string;
  severity: string;
  labels: Record<string, string>;
  jsonPayload: Record<string, unknown>;
  insertId: string;
}

export interface LocalLoggingServer {
  readonly apiEndpoint: string;
  readonly port: number;
  readonly entries: StoredEntry[];
  /** Every request as received, for tests that check what the client sent. */
  readonly requests: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

type Value = Record<string, unknown>;
function toValue(v: unknown): Value {
  if (v === null || v === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(toValue) } };
  return { structValue: toStruct(v as Record<string, unknown>) };
}
function toStruct(o: Record<string, unknown>): Value {
  return { fields: Object.fromEntries(Object.entries(o).map(([k, v]) => [k, toValue(v)])) };
}

function wire(e: StoredEntry): Value {
  const ms = Date.parse(e.timestamp);
  return {
    logName: e.logName,
    resource: e.resource,
    timestamp: { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 },
    severity: e.severity,
    labels: e.labels,
    insertId: e.insertId,
    jsonPayload: toStruct(e.jsonPayload),
  };
}

class Refused extends Error {}

interface Request {
  resourceNames?: string[];
  filter?: string;
  orderBy?: string;
  pageSize?: number;
  pageToken?: string;
}

function checkRequest(req: Request): void {
  const names = req.resourceNames ?? [];
  if (names.length === 0) throw new Refused('resource_names: at least one resource name is required');
  if (names.length > MAX_RESOURCE_NAMES) throw new Refused(`resource_names: at most ${MAX_RESOURCE_NAMES}`);
  for (const n of names)
    if (!PARENT.test(n)) throw new Refused(`resource_names: invalid resource name "${n}"`);
  if ((req.filter ?? '').length > MAX_FILTER_CHARS)
    throw new Refused(`filter: longer than ${MAX_FILTER_CHARS} characters`);
  if (!['', 'timestamp asc', 'timestamp desc'].includes(req.orderBy ?? '')) {
    throw new Refused(
      `order_by: only "timestamp asc" and "timestamp desc" are supported (got "${req.orderBy}")`,
    );
  }
  const size = req.pageSize ?? 0;
  if (size < 0 || size > MAX_PAGE_SIZE)
    throw new Refused(`page_size: must be 0 to ${MAX_PAGE_SIZE} (got ${size})`);
}

function listEntries(entries: StoredEntry[], req: Request): { entries: Value[]; nextPageToken: string } {
  checkRequest(req);
  let expr;
  try {
    expr = parseFilter(req.filter ?? '');
  } catch (err) {
    throw new Refused(`filter: unparseable filter: ${(err as Error).message}`);
  }
  const key = createHash('sha256')
    .update(JSON.stringify([req.resourceNames, req.filter ?? '', req.orderBy ?? '']))
    .digest('hex')
    .slice(0, 16);
  let offset = 0;
  if (req.pageToken) {
    const [k, o] = Buffer.from(req.pageToken, 'base64url').toString().split(':');
    if (k !== key || !/^\d+$/.test(o ?? '')) throw new Refused('page_token: not a token of this request');
    offset = Number(o);
  }
  const names = new Set(req.resourceNames);
  const desc = req.orderBy === 'timestamp desc';
  const found = entries
    .filter((e) => names.has(e.parent) && matchesEntry(expr, e))
    .sort(
      (a, b) =>
        (Date.parse(a.timestamp) - Date.parse(b.timestamp) || a.insertId.localeCompare(b.insertId)) *
        (desc ? -1 : 1),
    );
  const size = req.pageSize || DEFAULT_PAGE_SIZE;
  const page = found.slice(offset, offset + size);
  const next =
    offset + size < found.length ? Buffer.from(`${key}:${offset + size}`).toString('base64url') : '';
  return { entries: page.map(wire), nextPageToken: next };
}

function matchesEntry(expr: ReturnType<typeof parseFilter>, e: StoredEntry): boolean {
  try {
    return matches(expr, e as unknown as Record<string, unknown>);
  } catch (err) {
    if (err instanceof FilterError) throw new Refused(`filter: ${err.message}`);
    throw err;
  }
}

export async function startLoggingServer(): Promise<LocalLoggingServer> {
  const loaded = loadSync(['google/logging/v2/logging.proto'], {
    includeDirs: [PROTOS, GAX_PROTOS],
    keepCase: false,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  const definition = loaded['google.logging.v2.LoggingServiceV2'] as ServiceDefinition;
  const entries: StoredEntry[] = [];
  const requests: Array<Record<string, unknown>> = [];
  const server = new Server();
  server.addService(definition, {
    listLogEntries: (call: ServerUnaryCall<Request, unknown>, callback: sendUnaryData<unknown>) => {
      requests.push({ ...call.request });
      try {
        callback(null, listEntries(entries, call.request));
      } catch (err) {
        if (!(err instanceof Refused)) return callback({ code: status.INTERNAL, details: String(err) });
        callback({ code: status.INVALID_ARGUMENT, details: err.message });
      }
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  return {
    apiEndpoint: `127.0.0.1:${port}`,
    port,
    entries,
    requests,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
