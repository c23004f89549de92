/**
 * A BigQuery REST server on this machine for @google-cloud/bigquery pointed
 * at it with the `apiEndpoint` option (BigQuery has no emulator here).
 * Follows https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/query
 * and …/jobs/getQueryResults:
 * - POST /bigquery/v2/projects/{p}/queries with `query`, `useLegacySql:false`,
 *   `parameterMode: NAMED` (the client writes "named"; case is ignored) and `queryParameters` ({name, parameterType:{type},
 *   parameterValue:{value}}); the answer is a QueryResponse with `schema`,
 *   `jobReference`, `totalRows` (int64 as a string), `rows` as `{f:[{v}]}` with
 *   every scalar a string (NULL → null), `jobComplete: true`, and `pageToken`
 *   while rows remain.
 * - GET /bigquery/v2/projects/{p}/queries/{jobId}?pageToken&maxResults pages on.
 *   A page holds at most maxResults rows and never more than the documented
 *   10 MB response limit.
 * - No credentials are checked: with a custom apiEndpoint the client (through
 *   @google-cloud/common) deliberately sends none, as to any local server.
 * It evaluates only the two query shapes shared/adapters/gcp/bigquery-sales-data.ts
 * sends and the one shared/adapters/gcp/bigquery-billing-export.ts sends over a
 * Cloud Billing standard usage export table
 * (https://cloud.google.com/billing/docs/how-to/export-data-bigquery-tables/standard-usage:
 * `service.description`, `cost`, `currency`, `usage_start_time` TIMESTAMP,
 * `project.id`, and `credits` an ARRAY of {amount}; a table here holds each
 * row's credits summed in a `credits.amount` column); any other SQL, a missing or unnamed parameter, an unknown table or
 * column is refused with BigQuery's error envelope (400 invalidQuery, 404 notFound),
 * https://cloud.google.com/bigquery/docs/error-messages.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

export type BqType = 'STRING' | 'INTEGER' | 'FLOAT' | 'DATE' | 'TIMESTAMP';
export interface BqTableData {
  schema: { name: string; type: BqType }[];
  rows: (string | number | null)[][];
}

export interface BigQueryServer {
  apiEndpoint: string;
  /** Creates or replaces table `project.dataset.table`. */
  setTable(id: string, data: BqTableData): void;
  requests: { method: string; path: string; body?: Record<string, unknown>; query: URLSearchParams }[];
  stop(): Promise<void>;
}

const RESPONSE_LIMIT_BYTES = 10 * 1024 * 1024; // "maximum response size is 10 MB" (jobs.query maxResults)

class BqError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}
const invalidQuery = (message: string) => new BqError(400, 'invalidQuery', message);

const ISBN_EXPR = (col: string) =>
  `REPLACE\\(REPLACE\\(CAST\\(\`(${col})\` AS STRING\\), '-', ''\\), ' ', ''\\)`;
const LIST = new RegExp(`^SELECT DISTINCT ${ISBN_EXPR('[^`]+')} AS isbn FROM \`([^\`]+)\` ORDER BY isbn$`);
const SERIES = new RegExp(
  `^SELECT CAST\\(\`([^\`]+)\` AS STRING\\) AS week, \`([^\`]+)\` AS volume, CAST\\(\`([^\`]+)\` AS STRING\\) AS title FROM \`([^\`]+)\` WHERE ${ISBN_EXPR('[^`]+')} = @isbn ORDER BY week$`,
);

const BILLING =
  /^SELECT service\.description AS service, SUM\(cost\) \+ SUM\(IFNULL\(\(SELECT SUM\(c\.amount\) FROM UNNEST\(credits\) c\), 0\)\) AS cost, ANY_VALUE\(currency\) AS currency FROM `([^`]+)` WHERE usage_start_time >= TIMESTAMP\(@from\) AND usage_start_time < TIMESTAMP\(@to\) AND project\.id = @project GROUP BY service ORDER BY cost DESC$/;

interface Result {
  schema: { name: string; type: string; mode: string }[];
  rows: { f: { v: string | null }[] }[];
}

export async function startBigQueryServer(): Promise<BigQueryServer> {
  const tables = new Map<string, BqTableData>();
  const jobs = new Map<string, { project: string; result: Result }>();
  const requests: BigQueryServer['requests'] = [];

  const tableOf = (id: string) => {
    const t = tables.get(id);
    if (!t) {
      const [p, d, name] = id.split('.');
      throw new BqError(404, 'notFound', `Not found: Table ${p}:${d}.${name} was not found in location US`);
    }
    return t;
  };
  const columnOf = (t: BqTableData, name: string) => {
    const i = t.schema.findIndex((c) => c.name.toLowerCase() === name.toLowerCase()); // names are case-insensitive
    if (i < 0) throw invalidQuery(`Unrecognized name: ${name} at [1:1]`);
    return i;
  };
  const text = (v: string | number | null) => (v === null ? null : String(v));
  const normal = (v: string | number | null) => (v === null ? null : String(v).replace(/[- ]/g, ''));

  const evaluate = (sql: string, params: Map<string, string>): Result => {
    let m = LIST.exec(sql);
    if (m) {
      const t = tableOf(m[2]!);
      const c = columnOf(t, m[1]!);
      const values = [...new Set(t.rows.map((r) => normal(r[c] ?? null)))].sort((a, b) =>
        a === null ? -1 : b === null ? 1 : a < b ? -1 : a > b ? 1 : 0,
      );
      return {
        schema: [{ name: 'isbn', type: 'STRING', mode: 'NULLABLE' }],
        rows: values.map((v) => ({ f: [{ v }] })),
      };
    }
    m = SERIES.exec(sql);
    if (m) {
      const t = tableOf(m[4]!);
      const [week, volume, title, isbn] = [m[1]!, m[2]!, m[3]!, m[5]!].map((name) => columnOf(t, name)) as [
        number,
        number,
        number,
        number,
      ];
      const wanted = params.get('isbn');
      if (wanted === undefined) throw invalidQuery("Query parameter 'isbn' not found at [1:1]");
      const rows = t.rows
        .filter((r) => normal(r[isbn] ?? null) === wanted)
        .map(
          (r) =>
            [text(r[week] ?? null), text(r[volume] ?? null), text(r[title] ?? null)] as (string | null)[],
        )
        .sort((a, b) => ((a[0] ?? '') < (b[0] ?? '') ? -1 : (a[0] ?? '') > (b[0] ?? '') ? 1 : 0));
      return {
        schema: [
          { name: 'week', type: 'STRING', mode: 'NULLABLE' },
          { name: 'volume', type: t.schema[volume]!.type, mode: 'NULLABLE' },
          { name: 'title', type: 'STRING', mode: 'NULLABLE' },
        ],
        rows: rows.map((r) => ({ f: r.map((v) => ({ v })) })),
      };
    }
    m = BILLING.exec(sql);
    if (m) return billing(tableOf(m[1]!), params);
    throw invalidQuery(
      "Syntax error: this local BigQuery server evaluates only the sales adapter's two queries and the billing export query at [1:1]",
    );
  };

  /** Charges per service in [from, to) for one project, credits included, costliest first. */
  const billing = (t: BqTableData, params: Map<string, string>): Result => {
    const [service, cost, credits, currency, start, project] = [
      'service.description',
      'cost',
      'credits.amount',
      'currency',
      'usage_start_time',
      'project.id',
    ].map((name) => columnOf(t, name)) as [number, number, number, number, number, number];
    const param = (name: string) => {
      const v = params.get(name);
      if (v === undefined) throw invalidQuery(`Query parameter '${name}' not found at [1:1]`);
      return v;
    };
    const time = (name: string) => {
      const ms = Date.parse(param(name));
      if (Number.isNaN(ms)) throw invalidQuery(`Invalid timestamp: '${param(name)}'`);
      return ms;
    };
    const [from, to, wanted] = [time('from'), time('to'), param('project')];
    const sums = new Map<string | null, { cost: number; currency: string | null }>();
    for (const r of t.rows) {
      const at = Date.parse(String(r[start]));
      if (!(at >= from && at < to) || text(r[project] ?? null) !== wanted) continue;
      const key = text(r[service] ?? null);
      const entry = sums.get(key) ?? { cost: 0, currency: text(r[currency] ?? null) };
      entry.cost += Number(r[cost] ?? 0) + Number(r[credits] ?? 0);
      sums.set(key, entry);
    }
    return {
      schema: [
        { name: 'service', type: 'STRING', mode: 'NULLABLE' },
        { name: 'cost', type: 'FLOAT', mode: 'NULLABLE' },
        { name: 'currency', type: 'STRING', mode: 'NULLABLE' },
      ],
      rows: [...sums.entries()]
        .sort((a, b) => b[1].cost - a[1].cost)
        .map(([k, v]) => ({ f: [{ v: k }, { v: String(v.cost) }, { v: v.currency }] })),
    };
  };

  /** One page from row `start`: at most `max` rows and RESPONSE_LIMIT_BYTES. */
  const page = (project: string, jobId: string, result: Result, start: number, max: number, kind: string) => {
    const rows: Result['rows'] = [];
    let bytes = 0;
    for (let i = start; i < result.rows.length && rows.length < max; i++) {
      bytes += JSON.stringify(result.rows[i]).length + 1;
      if (bytes > RESPONSE_LIMIT_BYTES && rows.length) break;
      rows.push(result.rows[i]!);
    }
    const next = start + rows.length;
    return {
      kind,
      schema: { fields: result.schema },
      jobReference: { projectId: project, jobId, location: 'US' },
      totalRows: String(result.rows.length),
      ...(rows.length ? { rows } : {}),
      ...(next < result.rows.length
        ? { pageToken: Buffer.from(`${jobId}:${next}`).toString('base64url') }
        : {}),
      totalBytesProcessed: '0',
      jobComplete: true,
      cacheHit: false,
    };
  };

  const maxOf = (v: unknown) => {
    if (v === undefined || v === null || v === '') return Number.MAX_SAFE_INTEGER;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0)
      throw new BqError(400, 'invalid', `Invalid value for maxResults: ${JSON.stringify(v)}`);
    return n === 0 ? Number.MAX_SAFE_INTEGER : n;
  };

  const runQuery = (project: string, body: Record<string, unknown>) => {
    if (typeof body.query !== 'string')
      throw new BqError(400, 'invalid', 'Required parameter is missing: query');
    if (body.useLegacySql !== false)
      throw invalidQuery('This server runs GoogleSQL only: set useLegacySql to false');
    const params = new Map<string, string>();
    const list = (body.queryParameters ?? []) as {
      name?: string;
      parameterType?: { type?: string };
      parameterValue?: { value?: string };
    }[];
    if (list.length && String(body.parameterMode).toUpperCase() !== 'NAMED')
      throw invalidQuery('Positional parameters are not used by this query; set parameterMode NAMED');
    for (const p of list) {
      if (!p.name) throw invalidQuery('Query parameter must have a name when parameterMode is NAMED');
      if (p.parameterType?.type !== 'STRING')
        throw invalidQuery(`Query parameter '${p.name}' must be STRING here`);
      params.set(p.name, String(p.parameterValue?.value ?? ''));
    }
    const result = evaluate(body.query.trim(), params);
    const jobId = `job_${randomUUID().replace(/-/g, '')}`;
    jobs.set(jobId, { project, result });
    return page(project, jobId, result, 0, maxOf(body.maxResults), 'bigquery#queryResponse');
  };

  const getResults = (project: string, jobId: string, query: URLSearchParams) => {
    const job = jobs.get(jobId);
    if (!job || job.project !== project)
      throw new BqError(404, 'notFound', `Not found: Job ${project}:US.${jobId}`);
    let start = Number(query.get('startIndex') ?? 0);
    const token = query.get('pageToken');
    if (token) {
      const [id, at] = Buffer.from(token, 'base64url').toString('utf8').split(':');
      if (id !== jobId || !/^[0-9]+$/.test(at ?? ''))
        throw new BqError(400, 'invalid', 'Invalid page token.');
      start = Number(at);
    }
    return page(
      project,
      jobId,
      job.result,
      start,
      maxOf(query.get('maxResults') ?? undefined),
      'bigquery#getQueryResultsResponse',
    );
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      try {
        const body = chunks.length
          ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
          : undefined;
        requests.push({ method: req.method ?? '', path: url.pathname, body, query: url.searchParams });
        const q = /^\/bigquery\/v2\/projects\/([^/]+)\/queries$/.exec(url.pathname);
        const r = /^\/bigquery\/v2\/projects\/([^/]+)\/queries\/([^/]+)$/.exec(url.pathname);
        if (q && req.method === 'POST') return send(res, 200, runQuery(q[1]!, body ?? {}));
        if (r && req.method === 'GET')
          return send(res, 200, getResults(r[1]!, decodeURIComponent(r[2]!), url.searchParams));
        throw new BqError(404, 'notFound', `Not found: ${req.method} ${url.pathname}`);
      } catch (err) {
        const e = err instanceof BqError ? err : new BqError(400, 'invalid', String(err));
        send(res, e.status, {
          error: {
            code: e.status,
            message: e.message,
            errors: [
              {
                message: e.message,
                domain: 'global',
                reason: e.reason,
                ...(e.reason === 'invalidQuery' ? { location: 'q', locationType: 'parameter' } : {}),
              },
            ],
            status:
              e.status === 404 ? 'NOT_FOUND' : e.status === 401 ? 'UNAUTHENTICATED' : 'INVALID_ARGUMENT',
          },
        });
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  return {
    apiEndpoint: `http://127.0.0.1:${port}`,
    requests,
    setTable: (id, data) => void tables.set(id, data),
    stop: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
