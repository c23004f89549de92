/**
 * The zod schema of the environment, one entry per variable, each with the
 * one-line message an operator sees when it is wrong: the variable, what it
 * accepts, and what it got — except for secrets, whose values are never
 * echoed. Empty values are removed before parsing (an empty `FOO=` in an
 * env file means unset). Rules that span variables live in `load-config.ts`.
 */
import { z } from 'zod';
import { LOG_LEVELS } from '../logging/logger';
import { stripUrlPassword } from '../logging/redact';
import { parseDuration } from './duration';
import { parseSalesColumns } from './sales-columns';
import { MAX_METRIC_OBSERVATIONS } from '../contracts/documents/metric-observations';
import { VERTEX_QUOTA_CLASSES, type VertexQuotaClass } from '../adapters/gcp/vertex-quota';

const got = (value: unknown) => `(got ${JSON.stringify(value)})`;

/**
 * A comma-separated list, blanks dropped, whose every item passes `valid`;
 * the first item that does not is named after `message`.
 */
function commaList(valid: (item: string) => boolean, message: string, options: { allowEmpty: boolean }) {
  return z
    .string()
    .transform((s, ctx) => {
      const list = s
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a !== '');
      const bad = list.find((a) => !valid(a));
      if (bad !== undefined || (!options.allowEmpty && list.length === 0)) {
        ctx.addIssue({ code: 'custom', message: `${message} ${got(bad ?? s)}` });
        return z.NEVER;
      }
      return list;
    })
    .optional();
}
const HIDDEN = '(value hidden)';

function oneOf<const T extends readonly [string, ...string[]]>(name: string, values: T, fallback: T[number]) {
  return z
    .enum(values, { error: (iss) => `${name} must be one of ${values.join('|')} ${got(iss.input)}` })
    .default(fallback as never);
}

function text(
  name: string,
  accepts: string,
  test: (s: string) => boolean,
  options: { secret?: boolean } = {},
) {
  return z.string().refine(test, {
    error: (iss) => `${name} must be ${accepts} ${options.secret ? HIDDEN : got(iss.input)}`,
  });
}

function duration(name: string, fallback: string, options: { allowZero?: boolean } = {}) {
  return z
    .string()
    .default(fallback)
    .transform((s, ctx) => {
      const ms = parseDuration(s);
      if (ms === undefined || (ms === 0 && !options.allowZero)) {
        const zero = options.allowZero ? '' : ', greater than 0';
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a duration like 90s, 30m, 4h or 8d${zero} ${got(s)}`,
        });
        return z.NEVER;
      }
      return ms;
    });
}

function wholeNumber(name: string, fallback: number, min: number, max: number) {
  return z
    .string()
    .default(String(fallback))
    .transform((s, ctx) => {
      const n = /^[0-9]+$/.test(s.trim()) ? Number(s.trim()) : NaN;
      if (!(n >= min && n <= max)) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a whole number from ${min} to ${max} ${got(s)}`,
        });
        return z.NEVER;
      }
      return n;
    });
}

/** A share like 0.9: a number greater than 0 and at most 1. */
function fraction(name: string, fallback: number) {
  return z
    .string()
    .default(String(fallback))
    .transform((s, ctx) => {
      const n = /^(0?\.[0-9]+|1(\.0*)?)$/.test(s.trim()) ? Number(s.trim()) : NaN;
      if (!(n > 0 && n <= 1)) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a number greater than 0 and at most 1 ${got(s)}`,
        });
        return z.NEVER;
      }
      return n;
    });
}

/** A decimal number from `min` to `max`, e.g. a band width in sigmas. */
function decimal(name: string, fallback: number, min: number, max: number) {
  return z
    .string()
    .default(String(fallback))
    .transform((s, ctx) => {
      const n = /^[0-9]+(\.[0-9]+)?$/.test(s.trim()) ? Number(s.trim()) : NaN;
      if (!(n >= min && n <= max)) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a number from ${min} to ${max} ${got(s)}` });
        return z.NEVER;
      }
      return n;
    });
}

/** The error metrics the anomaly detector can watch (shared/services/health-check/anomaly-check.ts). */
const ANOMALY_METRIC_NAMES = ['mape', 'rmse', 'smape', 'mase'];

/** `class=perMinute,…` for the Vertex quota classes, e.g. `resource_management=1200`. */
function quotaOverrides(name: string) {
  return z.string().transform((s, ctx) => {
    const out: Partial<Record<VertexQuotaClass, number>> = {};
    for (const part of s
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const [key = '', value = ''] = part.split('=').map((x) => x.trim());
      const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
      if (!(VERTEX_QUOTA_CLASSES as readonly string[]).includes(key) || !(n >= 1)) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be class=requestsPerMinute pairs, classes ${VERTEX_QUOTA_CLASSES.join('|')} ${got(part)}`,
        });
        return z.NEVER;
      }
      out[key as VertexQuotaClass] = n;
    }
    return out;
  });
}

function url(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** https anywhere, or plain http to this machine (local tests run a fake Slack). */
export function isWebhookUrl(value: string): boolean {
  const u = url(value);
  if (!u || !u.hostname) return false;
  return u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.has(u.hostname));
}

/** True for an http(s) URL on a loopback host. */
export function isLoopbackHttp(value: string): boolean {
  const u = url(value);
  return !!u && u.protocol === 'http:' && LOOPBACK.has(u.hostname);
}

const EMAIL = /^[^\s@<>,"]+@[^\s@<>,"]+\.[^\s@<>,"]+$|^[^\s@<>,"]+@localhost$/;
const NAMED_EMAIL = /^[^<>]*<([^<>]+)>$/;

/** An address, bare or as `Name <address>`. */
export function isEmailAddress(value: string): boolean {
  const named = NAMED_EMAIL.exec(value.trim());
  return EMAIL.test(named ? named[1]!.trim() : value.trim());
}

/**
 * An identity-token audience Cloud Run accepts: one of the service's https
 * URLs, or an OAuth client id (`gcloud auth print-identity-token` for a
 * user carries gcloud's own).
 */
function isAudience(value: string): boolean {
  const u = url(value);
  if (u) return u.protocol === 'https:' && !!u.hostname;
  return /^[0-9]+-?[a-z0-9-]*\.apps\.googleusercontent\.com$/.test(value);
}

/** A sales source: gs:// (bucket and optional object or prefix), bq://project.dataset.table, or a path (no other scheme). */
function isSalesUri(value: string): boolean {
  if (value.startsWith('gs://')) return /^gs:\/\/[a-z0-9][a-z0-9._-]{1,220}[a-z0-9](\/.*)?$/.test(value);
  if (value.startsWith('bq://'))
    return /^bq:\/\/[a-z][a-z0-9-]{4,28}[a-z0-9]\.[A-Za-z0-9_]{1,1024}\.[^.\s]{1,1024}$/.test(value);
  return value.trim() !== '' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(value);
}

const HOST_PORT = /^(?:\[[0-9a-f:]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$/;
const REGION = /^[a-z]+-[a-z]+[0-9]+$/;

/** The schema; keys are the variable names, in the order problems are reported. */
export const EnvSchema = z.object({
  FG_ENVIRONMENT: oneOf('FG_ENVIRONMENT', ['development', 'staging', 'production'], 'development'),
  FG_BACKEND: oneOf('FG_BACKEND', ['local', 'gcp'], 'local'),
  FG_STATE_DIR: z.string().default('.forecast-guard'),
  FG_REGISTRY: oneOf('FG_REGISTRY', ['local', 'vertex', 'mlflow'], 'local'),
  FG_LOG_LEVEL: oneOf('FG_LOG_LEVEL', LOG_LEVELS, 'info'),
  GOOGLE_CLOUD_PROJECT: z.string().optional(),
  FG_REGION: text('FG_REGION', 'a Google Cloud region like europe-west2', (s) => REGION.test(s)).optional(),
  GOOGLE_CLOUD_REGION: text('GOOGLE_CLOUD_REGION', 'a Google Cloud region like europe-west2', (s) =>
    REGION.test(s),
  ).optional(),
  FG_VERTEX_ENDPOINT_PREFIX: text(
    'FG_VERTEX_ENDPOINT_PREFIX',
    'at most 40 lowercase letters, digits or hyphens',
    (s) => /^[a-z0-9-]{1,40}$/.test(s),
  ).default('forecast-'),
  FG_VERTEX_API_ENDPOINT: text('FG_VERTEX_API_ENDPOINT', 'host:port', (s) => HOST_PORT.test(s)).optional(),
  FG_VERTEX_DEADLINE: duration('FG_VERTEX_DEADLINE', '60s'),
  FG_VERTEX_LRO_DEADLINE: duration('FG_VERTEX_LRO_DEADLINE', '30m'),
  FG_VERTEX_QUOTA_SHARE: fraction('FG_VERTEX_QUOTA_SHARE', 0.9),
  FG_VERTEX_QUOTAS: quotaOverrides('FG_VERTEX_QUOTAS').optional(),
  FG_VERTEX_ENDPOINT_PATTERN: text(
    'FG_VERTEX_ENDPOINT_PATTERN',
    'an endpoint display name holding {isbn} once, e.g. book-sales-{isbn}',
    (s) => s.split('{isbn}').length === 2 && !s.includes('"'),
  ).optional(),
  FG_VERTEX_ENDPOINT_LABELS: z
    .string()
    .transform((s, ctx) => {
      const pairs = s.split(',').map((p) => p.trim().split('='));
      const bad = pairs.find(
        (p) => p.length !== 2 || !/^[a-z][a-z0-9_-]{0,62}$/.test(p[0]!) || !/^[a-z0-9_-]{0,63}$/.test(p[1]!),
      );
      if (bad !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `FG_VERTEX_ENDPOINT_LABELS must be comma-separated key=value Vertex labels, e.g. purpose=book_sales_forecasting (${JSON.stringify(bad.join('='))} is not one)`,
        });
        return z.NEVER;
      }
      return Object.fromEntries(pairs) as Record<string, string>;
    })
    .optional(),
  FG_VERTEX_VALIDATION_ENDPOINT: text(
    'FG_VERTEX_VALIDATION_ENDPOINT',
    'a Vertex AI endpoint id or projects/…/locations/…/endpoints/<id>',
    (s) => /^(projects\/[^/\s]+\/locations\/[^/\s]+\/endpoints\/)?[a-z0-9][a-z0-9-]{0,62}$/.test(s),
  ).optional(),
  PUBSUB_EMULATOR_HOST: text('PUBSUB_EMULATOR_HOST', 'host:port', (s) => HOST_PORT.test(s)).optional(),
  FIRESTORE_EMULATOR_HOST: text('FIRESTORE_EMULATOR_HOST', 'host:port', (s) => HOST_PORT.test(s)).optional(),
  STORAGE_EMULATOR_HOST: text('STORAGE_EMULATOR_HOST', 'an http(s) URL such as http://localhost:9023', (s) =>
    /^https?:$/.test(url(s)?.protocol ?? ''),
  ).optional(),
  MLFLOW_TRACKING_URI: z
    .string()
    .refine((s) => /^https?:$/.test(url(s)?.protocol ?? ''), {
      error: (iss) =>
        `MLFLOW_TRACKING_URI must be an http or https URL ${got(stripUrlPassword(String(iss.input)))}`,
    })
    .optional(),
  MLFLOW_TRACKING_TOKEN: text('MLFLOW_TRACKING_TOKEN', 'a token without spaces', (s) => !/\s/.test(s), {
    secret: true,
  }).optional(),
  FG_SALES_URI: text(
    'FG_SALES_URI',
    'gs://bucket/object, gs://bucket/prefix/, bq://project.dataset.table or a local path',
    isSalesUri,
  ).optional(),
  FG_SALES_COLUMNS: z
    .string()
    .transform((s, ctx) => {
      try {
        return parseSalesColumns(s);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    })
    .optional(),
  FG_PIPELINE_TRAIN_START: text(
    'FG_PIPELINE_TRAIN_START',
    'a date like 2012-01-01',
    (s) =>
      /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(s) &&
      !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) &&
      new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
  ).default('2012-01-01'),
  SLACK_WEBHOOK_URL: text('SLACK_WEBHOOK_URL', 'an https URL', isWebhookUrl, { secret: true }).optional(),
  SLACK_ESCALATION_WEBHOOK_URL: text('SLACK_ESCALATION_WEBHOOK_URL', 'an https URL', isWebhookUrl, {
    secret: true,
  }).optional(),
  SMTP_URL: text(
    'SMTP_URL',
    'an smtp:// or smtps:// URL with a host',
    (s) => /^smtps?:$/.test(url(s)?.protocol ?? '') && !!url(s)?.hostname,
    { secret: true },
  ).optional(),
  ALERT_EMAIL_TO: z
    .string()
    .transform((s, ctx) => {
      const list = s.split(',').map((a) => a.trim());
      const bad = list.find((a) => !isEmailAddress(a));
      if (bad !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `ALERT_EMAIL_TO must be a comma-separated list of email addresses (${JSON.stringify(bad)} is not one)`,
        });
        return z.NEVER;
      }
      return list;
    })
    .optional(),
  ALERT_EMAIL_FROM: text(
    'ALERT_EMAIL_FROM',
    'an email address, bare or as "Name <address>"',
    isEmailAddress,
  ).optional(),
  FG_THRESHOLDS_FILE: z.string().optional(),
  FG_PRICE_TABLE: z.string().optional(),
  FG_BILLING_EXPORT_TABLE: text(
    'FG_BILLING_EXPORT_TABLE',
    'a BigQuery table id project.dataset.table, like acme-billing.billing.gcp_billing_export_v1_0123AB_4567CD_89EF01',
    (s) => /^[a-z][a-z0-9-]{4,28}[a-z0-9]\.[A-Za-z0-9_]{1,1024}\.[A-Za-z0-9_]{1,1024}$/.test(s),
  ).optional(),
  FG_ROLLBACK_TOKEN: text(
    'FG_ROLLBACK_TOKEN',
    'at least 16 characters without spaces',
    (s) => s.length >= 16 && !/\s/.test(s),
    { secret: true },
  ).optional(),
  FG_FLUSH_TOKEN: text(
    'FG_FLUSH_TOKEN',
    'at least 16 characters without spaces',
    (s) => s.length >= 16 && !/\s/.test(s),
    { secret: true },
  ).optional(),
  FG_FLUSH_AUTH: oneOf('FG_FLUSH_AUTH', ['token', 'iam'], 'token'),
  FG_ROLLBACK_AUDIENCE: commaList(
    isAudience,
    "FG_ROLLBACK_AUDIENCE must be a comma-separated list of https URLs (the rollback-http function's own URLs) or OAuth client ids (….apps.googleusercontent.com)",
    { allowEmpty: false },
  ),
  FG_DEPLOYER_PRINCIPALS: commaList(
    (a) => /^[^@\s,]+@[^@\s,]+$/.test(a),
    "FG_DEPLOYER_PRINCIPALS must be a comma-separated list of email addresses (forecast-guard's service accounts)",
    { allowEmpty: true },
  ),
  FG_REPEAT_INTERVAL_CRITICAL: duration('FG_REPEAT_INTERVAL_CRITICAL', '4h'),
  FG_REPEAT_INTERVAL_WARNING: duration('FG_REPEAT_INTERVAL_WARNING', '1d'),
  FG_ESCALATE_AFTER: duration('FG_ESCALATE_AFTER', '30m'),
  FG_RUNBOOK_BASE_URL: text(
    'FG_RUNBOOK_BASE_URL',
    'an http(s) URL or a repository-relative path without spaces (e.g. docs/runbooks/)',
    (s) => s.trim() !== '' && !/\s/.test(s) && (/^https?:\/\//.test(s) || !/^[a-z][a-z0-9+.-]*:/i.test(s)),
  ).default('docs/runbooks/'),
  FG_PENDING_PERIOD: duration('FG_PENDING_PERIOD', '0s', { allowZero: true }),
  FG_GROUP_WAIT: duration('FG_GROUP_WAIT', '2s', { allowZero: true }),
  FG_PIPELINE_STALE_AFTER: duration('FG_PIPELINE_STALE_AFTER', '8d'),
  FG_DATA_FRESHNESS_WEEKS: wholeNumber('FG_DATA_FRESHNESS_WEEKS', 2, 1, 52),
  FG_HEALTH_CONCURRENCY: wholeNumber('FG_HEALTH_CONCURRENCY', 4, 1, 64),
  FG_HEALTH_SLICE: wholeNumber('FG_HEALTH_SLICE', 500, 1, 100_000),
  FG_ANOMALY_METRICS: z
    .string()
    .default('mape')
    .transform((s, ctx) => {
      if (s.trim() === 'none') return [];
      const list = s
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a !== '');
      const bad = list.find((a) => !ANOMALY_METRIC_NAMES.includes(a));
      if (bad !== undefined || list.length === 0) {
        ctx.addIssue({
          code: 'custom',
          message: `FG_ANOMALY_METRICS must be none or a comma-separated list of ${ANOMALY_METRIC_NAMES.join('|')} ${got(bad ?? s)}`,
        });
        return z.NEVER;
      }
      return [...new Set(list)];
    }),
  FG_ANOMALY_K: decimal('FG_ANOMALY_K', 2, 0.5, 10),
  FG_ANOMALY_BASELINE: wholeNumber('FG_ANOMALY_BASELINE', 26, 8, 104),
  FG_ANOMALY_HISTORY: wholeNumber('FG_ANOMALY_HISTORY', 60, 11, MAX_METRIC_OBSERVATIONS),
  FG_ANOMALY_SEED_POINTS: wholeNumber('FG_ANOMALY_SEED_POINTS', 7000, 50, 20000),
  // An object name, not a URI: the bucket is the notification's (infra sets both from one variable).
  FG_SALES_UPDATES_PREFIX: z
    .string()
    .default('')
    .refine((s) => !/^gs:\/\//.test(s) && !s.startsWith('/') && s.length <= 1024, {
      message:
        'FG_SALES_UPDATES_PREFIX must be an object-name prefix such as raw_data/ (no gs://bucket, no leading /, at most 1,024 bytes)',
    }),
  FG_SCHEDULER_API_ENDPOINT: text('FG_SCHEDULER_API_ENDPOINT', 'host:port', (s) =>
    HOST_PORT.test(s),
  ).optional(),
  FG_METRIC_RETENTION: duration('FG_METRIC_RETENTION', '35d'),
  FG_METRIC_ROLLUP_RETENTION: duration('FG_METRIC_ROLLUP_RETENTION', '730d'),
});
export type ParsedEnv = z.infer<typeof EnvSchema>;

/** Every variable the configuration reads. */
export const VARIABLE_NAMES = Object.keys(EnvSchema.shape) as Array<keyof ParsedEnv>;
