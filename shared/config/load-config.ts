/**
 * `loadConfig`: the environment in, one frozen `Config` out, or a
 * `ConfigError` whose single line lists every problem at once (an operator
 * fixing a deployment should not discover them one restart at a time).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parseThresholdOverrides, type ThresholdOverrides } from '../domain/thresholds';
import { ConfigError } from '../errors';
import type { Config } from './config';
import { EnvSchema, isLoopbackHttp, VARIABLE_NAMES } from './env-schema';
import { ALIASES, VARIABLES } from './variables';

export interface LoadConfigOptions {
  /** Relative paths (FG_STATE_DIR, FG_THRESHOLDS_FILE) resolve against this. Default: the process's. */
  cwd?: string;
  /** Reads FG_THRESHOLDS_FILE. Default: the file system. */
  readFile?: (path: string) => string;
}

interface Problem {
  variable: string;
  message: string;
}

// 6-30 characters, a letter first, no trailing hyphen; old domain-scoped ids carry an `example.com:` prefix.
const PROJECT_ID = /^(?:[a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/**
 * Validates the environment and builds the config. Unset and empty variables
 * take their defaults; unknown variables are ignored, except that an `FG_`
 * name one or two letters away from a real one is reported in `warnings`.
 */
export function loadConfig(env: Record<string, string | undefined>, options: LoadConfigOptions = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  const raw: Record<string, string> = {};
  for (const name of VARIABLE_NAMES) {
    const value = env[name]?.trim();
    if (value) raw[name] = value;
  }

  const problems: Problem[] = [];
  const parsed = EnvSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push({ variable: String(issue.path[0] ?? 'environment'), message: issue.message });
    }
  }
  problems.push(...crossChecks(raw));

  let overrides: ThresholdOverrides = {};
  const thresholdsFile = raw.FG_THRESHOLDS_FILE ? resolve(cwd, raw.FG_THRESHOLDS_FILE) : undefined;
  if (raw.FG_THRESHOLDS_FILE && thresholdsFile) {
    const result = readOverrides(raw.FG_THRESHOLDS_FILE, thresholdsFile, options.readFile);
    if (typeof result === 'string') problems.push({ variable: 'FG_THRESHOLDS_FILE', message: result });
    else overrides = result;
  }

  if (problems.length > 0 || !parsed.success) {
    // Report in the schema's order, so the line reads like the variable list whatever check found it.
    const rank = (v: string) => (VARIABLE_NAMES as string[]).indexOf(v);
    problems.sort((a, b) => rank(a.variable) - rank(b.variable));
    throw new ConfigError(
      problems.map((p) => p.message).join('; '),
      [...new Set(problems.map((p) => p.variable))].join(','),
    );
  }
  const e = parsed.data;

  const config: Config = {
    environment: e.FG_ENVIRONMENT,
    backend: e.FG_BACKEND,
    stateDir: isAbsolute(e.FG_STATE_DIR) ? e.FG_STATE_DIR : resolve(cwd, e.FG_STATE_DIR),
    registry: e.FG_REGISTRY,
    logLevel: e.FG_LOG_LEVEL,
    gcp: {
      projectId: e.GOOGLE_CLOUD_PROJECT,
      region: e.FG_REGION ?? e.GOOGLE_CLOUD_REGION ?? 'europe-west2',
      vertexEndpointPrefix: e.FG_VERTEX_ENDPOINT_PREFIX,
      vertexApiEndpoint: e.FG_VERTEX_API_ENDPOINT,
      vertexDeadlineMs: e.FG_VERTEX_DEADLINE,
      vertexLroDeadlineMs: e.FG_VERTEX_LRO_DEADLINE,
      vertexQuotaShare: e.FG_VERTEX_QUOTA_SHARE,
      vertexQuotas: e.FG_VERTEX_QUOTAS ?? {},
      vertexEndpointPattern: e.FG_VERTEX_ENDPOINT_PATTERN,
      vertexEndpointLabels: e.FG_VERTEX_ENDPOINT_LABELS,
      vertexValidationEndpoint: e.FG_VERTEX_VALIDATION_ENDPOINT,
      schedulerApiEndpoint: e.FG_SCHEDULER_API_ENDPOINT,
      emulators: {
        pubsub: e.PUBSUB_EMULATOR_HOST,
        firestore: e.FIRESTORE_EMULATOR_HOST,
        storage: e.STORAGE_EMULATOR_HOST,
      },
    },
    mlflow: e.MLFLOW_TRACKING_URI
      ? { trackingUri: e.MLFLOW_TRACKING_URI, token: e.MLFLOW_TRACKING_TOKEN }
      : undefined,
    sales: {
      // A local path resolves like FG_STATE_DIR; gs:// and bq:// stay as written.
      uri:
        e.FG_SALES_URI === undefined || /^(gs|bq):\/\//.test(e.FG_SALES_URI) || isAbsolute(e.FG_SALES_URI)
          ? e.FG_SALES_URI
          : resolve(cwd, e.FG_SALES_URI),
      columns: e.FG_SALES_COLUMNS,
    },
    pipeline: { trainStart: e.FG_PIPELINE_TRAIN_START },
    notify: {
      slackWebhookUrl: e.SLACK_WEBHOOK_URL,
      slackEscalationWebhookUrl: e.SLACK_ESCALATION_WEBHOOK_URL,
      smtpUrl: e.SMTP_URL,
      emailTo: e.ALERT_EMAIL_TO ?? [],
      emailFrom: e.ALERT_EMAIL_FROM,
    },
    rollbackToken: e.FG_ROLLBACK_TOKEN,
    flush: { auth: e.FG_FLUSH_AUTH, token: e.FG_FLUSH_TOKEN },
    rollbackAudiences: e.FG_ROLLBACK_AUDIENCE,
    deployerPrincipals: e.FG_DEPLOYER_PRINCIPALS ?? [],
    thresholds: { file: thresholdsFile, overrides },
    cost: {
      ...(e.FG_PRICE_TABLE ? { priceTableFile: resolve(cwd, e.FG_PRICE_TABLE) } : {}),
      ...(e.FG_BILLING_EXPORT_TABLE ? { billingExportTable: e.FG_BILLING_EXPORT_TABLE } : {}),
    },
    alerting: {
      repeatIntervalMs: { critical: e.FG_REPEAT_INTERVAL_CRITICAL, warning: e.FG_REPEAT_INTERVAL_WARNING },
      escalateAfterMs: e.FG_ESCALATE_AFTER,
      pendingPeriodMs: e.FG_PENDING_PERIOD,
      groupWaitMs: e.FG_GROUP_WAIT,
      pipelineStaleAfterMs: e.FG_PIPELINE_STALE_AFTER,
      dataFreshnessWeeks: e.FG_DATA_FRESHNESS_WEEKS,
      healthConcurrency: e.FG_HEALTH_CONCURRENCY,
      healthSlice: e.FG_HEALTH_SLICE,
      runbookBaseUrl: e.FG_RUNBOOK_BASE_URL,
    },
    salesUpdates: { prefix: e.FG_SALES_UPDATES_PREFIX },
    anomaly: {
      metrics: e.FG_ANOMALY_METRICS,
      k: e.FG_ANOMALY_K,
      baseline: e.FG_ANOMALY_BASELINE,
      history: e.FG_ANOMALY_HISTORY,
      seedPoints: e.FG_ANOMALY_SEED_POINTS,
    },
    history: { pointRetentionMs: e.FG_METRIC_RETENTION, rollupRetentionMs: e.FG_METRIC_ROLLUP_RETENTION },
    defaulted: VARIABLES.filter((v) => v.default !== undefined && !isSet(raw, v.name)).map((v) => v.name),
    warnings: warnings(env, raw),
  };
  return deepFreeze(dropUndefined(config));
}

/** Rules that span variables. They read the raw strings so they report even when another variable is malformed. */
/**
 * The kept history must hold the baseline and the 3-observation test window,
 * or the detector never has enough to judge. Only when both parse: the schema
 * reports a malformed value itself.
 */
function anomalyHistoryCheck(raw: Record<string, string>): Problem[] {
  const history = Number(raw.FG_ANOMALY_HISTORY ?? '60');
  const baseline = Number(raw.FG_ANOMALY_BASELINE ?? '26');
  if (!Number.isInteger(history) || !Number.isInteger(baseline) || history >= baseline + 3) return [];
  return [
    problem(
      'FG_ANOMALY_HISTORY',
      `must be at least FG_ANOMALY_BASELINE + 3 = ${baseline + 3} (got ${JSON.stringify(raw.FG_ANOMALY_HISTORY ?? '60')})`,
    ),
  ];
}

function crossChecks(raw: Record<string, string>): Problem[] {
  const out: Problem[] = [];
  const needsProject = [
    raw.FG_BACKEND === 'gcp' ? 'FG_BACKEND=gcp' : undefined,
    raw.FG_REGISTRY === 'vertex' ? 'FG_REGISTRY=vertex' : undefined,
  ].filter(Boolean);
  const emulated = !!(raw.PUBSUB_EMULATOR_HOST || raw.FIRESTORE_EMULATOR_HOST);
  const project = raw.GOOGLE_CLOUD_PROJECT;
  if (!project && needsProject.length > 0) {
    out.push(problem('GOOGLE_CLOUD_PROJECT', `is required when ${needsProject.join(' or ')}`));
  } else if (project && !emulated && !PROJECT_ID.test(project)) {
    out.push(
      problem(
        'GOOGLE_CLOUD_PROJECT',
        `must be a project id: 6-30 lowercase letters, digits or hyphens, starting with a letter (got ${JSON.stringify(project)})`,
      ),
    );
  } else if (project && emulated && /[\s/]/.test(project)) {
    out.push(
      problem('GOOGLE_CLOUD_PROJECT', `must not contain spaces or slashes (got ${JSON.stringify(project)})`),
    );
  }
  if (raw.FG_REGISTRY === 'mlflow' && !raw.MLFLOW_TRACKING_URI) {
    out.push(problem('MLFLOW_TRACKING_URI', 'is required when FG_REGISTRY=mlflow'));
  }
  if (raw.SMTP_URL && !raw.ALERT_EMAIL_TO)
    out.push(problem('ALERT_EMAIL_TO', 'is required when SMTP_URL is set'));
  if (raw.SMTP_URL && !raw.ALERT_EMAIL_FROM)
    out.push(problem('ALERT_EMAIL_FROM', 'is required when SMTP_URL is set'));
  if (raw.ALERT_EMAIL_TO && !raw.SMTP_URL)
    out.push(problem('SMTP_URL', 'is required when ALERT_EMAIL_TO is set'));
  out.push(...anomalyHistoryCheck(raw));
  if (raw.FG_ENVIRONMENT === 'production') {
    // A fake Slack on this machine is for tests; production alerts must leave it.
    for (const name of ['SLACK_WEBHOOK_URL', 'SLACK_ESCALATION_WEBHOOK_URL']) {
      if (raw[name] && isLoopbackHttp(raw[name])) {
        out.push(problem(name, 'must be an https URL when FG_ENVIRONMENT=production (value hidden)'));
      }
    }
  }
  return out;
}

function problem(variable: string, rest: string): Problem {
  return { variable, message: `${variable} ${rest}` };
}

function readOverrides(
  given: string,
  path: string,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): ThresholdOverrides | string {
  const where = `FG_THRESHOLDS_FILE ${JSON.stringify(given)}`;
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return `${where} cannot be read (${code === 'ENOENT' ? 'no such file' : (code ?? (err as Error).message)})`;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's own message varies between Node versions; the operator needs the file, not the offset.
    return `${where} is not valid JSON`;
  }
  try {
    return parseThresholdOverrides(json);
  } catch (err) {
    return `${where}: ${(err as Error).message}`;
  }
}

function isSet(raw: Record<string, string>, name: string): boolean {
  if (raw[name] !== undefined) return true;
  return Object.entries(ALIASES).some(([alias, main]) => main === name && raw[alias] !== undefined);
}

function warnings(env: Record<string, string | undefined>, raw: Record<string, string>): string[] {
  const out: string[] = [];
  const known = new Set<string>(VARIABLE_NAMES);
  for (const name of Object.keys(env)) {
    if (!name.startsWith('FG_') || known.has(name)) continue;
    const near = VARIABLE_NAMES.find((k) => k.startsWith('FG_') && editDistance(name, k) <= 2);
    if (near) out.push(`${name} is not a setting forecast-guard reads; did you mean ${near}?`);
  }
  if (raw.FG_REGION && raw.GOOGLE_CLOUD_REGION && raw.FG_REGION !== raw.GOOGLE_CLOUD_REGION) {
    out.push(
      `FG_REGION (${raw.FG_REGION}) is used; GOOGLE_CLOUD_REGION (${raw.GOOGLE_CLOUD_REGION}) is ignored`,
    );
  }
  if (raw.FG_ENVIRONMENT === 'production' && !raw.SLACK_WEBHOOK_URL && !raw.SMTP_URL) {
    out.push(
      'FG_ENVIRONMENT=production has no alert channel (SLACK_WEBHOOK_URL or SMTP_URL): alerts are only logged',
    );
  }
  return out;
}

/** Levenshtein distance, for "did you mean". */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

function dropUndefined<T>(value: T): T {
  if (Array.isArray(value) || typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = dropUndefined(v);
  return out as T;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
