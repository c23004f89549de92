/**
 * What each variable means, its default and whether it is secret — the
 * source of `describeConfig` (the README table, `forecast-guard config`).
 * A unit test holds this list and the schema in `env-schema.ts` to the same
 * names, so neither can gain a variable the other does not know.
 */
import type { Config } from './config';
import { formatDuration } from './duration';

export interface VariableInfo {
  name: string;
  description: string;
  /** The value used when unset, as an operator would write it. */
  default?: string;
  secret: boolean;
  /** The variable's effective value in a loaded config, as text; undefined when unset. */
  show(config: Config): string | undefined;
}

const v = (
  name: string,
  description: string,
  show: (c: Config) => string | number | undefined,
  extra: { default?: string; secret?: boolean } = {},
): VariableInfo => ({
  name,
  description,
  default: extra.default,
  secret: extra.secret ?? false,
  show: (c) => {
    const value = show(c);
    return value === undefined ? undefined : String(value);
  },
});

const ms = (n: number) => formatDuration(n);

/** Variables read only as another's fallback; documented under the main one. */
export const ALIASES: Readonly<Record<string, string>> = { GOOGLE_CLOUD_REGION: 'FG_REGION' };

/** Every variable, in the order a README would document them. */
export const VARIABLES: readonly VariableInfo[] = [
  v(
    'FG_ENVIRONMENT',
    'development|staging|production: picks thresholds and severities',
    (c) => c.environment,
    {
      default: 'development',
    },
  ),
  v('FG_BACKEND', 'local (embedded SQLite) or gcp (Firestore, Pub/Sub)', (c) => c.backend, {
    default: 'local',
  }),
  v(
    'FG_STATE_DIR',
    'embedded backend files and local logs (relative to the working directory)',
    (c) => c.stateDir,
    {
      default: '.forecast-guard',
    },
  ),
  v('FG_REGISTRY', 'model registry: local, vertex or mlflow', (c) => c.registry, { default: 'local' }),
  v('FG_LOG_LEVEL', 'debug|info|warning|error', (c) => c.logLevel, { default: 'info' }),
  v(
    'GOOGLE_CLOUD_PROJECT',
    'project id; required for FG_BACKEND=gcp and FG_REGISTRY=vertex',
    (c) => c.gcp.projectId,
  ),
  v(
    'FG_REGION',
    'Google Cloud region (GOOGLE_CLOUD_REGION is read when this is unset)',
    (c) => c.gcp.region,
    {
      default: 'europe-west2',
    },
  ),
  v(
    'FG_VERTEX_ENDPOINT_PREFIX',
    'Vertex AI endpoints are named <prefix><isbn>',
    (c) => c.gcp.vertexEndpointPrefix,
    {
      default: 'forecast-',
    },
  ),
  v(
    'FG_VERTEX_API_ENDPOINT',
    'host:port of the Vertex AI API (a local server in tests)',
    (c) => c.gcp.vertexApiEndpoint,
  ),
  v('FG_VERTEX_DEADLINE', 'deadline of every Vertex AI call', (c) => ms(c.gcp.vertexDeadlineMs), {
    default: '60s',
  }),
  v(
    'FG_VERTEX_LRO_DEADLINE',
    'how long a Vertex AI long-running operation (DeployModel, …) is waited for',
    (c) => ms(c.gcp.vertexLroDeadlineMs),
    { default: '30m' },
  ),
  v(
    'FG_VERTEX_QUOTA_SHARE',
    "share of each Vertex AI request quota this process's rate limiter uses",
    (c) => c.gcp.vertexQuotaShare,
    { default: '0.9' },
  ),
  v(
    'FG_VERTEX_QUOTAS',
    "the project's Vertex AI quotas per minute where raised above the documented ones, e.g. resource_management=1200",
    (c) =>
      Object.entries(c.gcp.vertexQuotas)
        .map(([k, n]) => `${k}=${n}`)
        .join(',') || undefined,
  ),
  v(
    'FG_VERTEX_ENDPOINT_PATTERN',
    "display name of a book's existing Vertex AI endpoint, with {isbn}, e.g. book-sales-{isbn} (the pipeline's); <prefix><isbn> endpoints are found too",
    (c) => c.gcp.vertexEndpointPattern,
  ),
  v(
    'FG_VERTEX_ENDPOINT_LABELS',
    'comma-separated key=value labels those endpoints must carry, e.g. purpose=book_sales_forecasting',
    (c) =>
      c.gcp.vertexEndpointLabels &&
      Object.entries(c.gcp.vertexEndpointLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
  ),
  v(
    'FG_VERTEX_VALIDATION_ENDPOINT',
    'Vertex AI endpoint (id or resource name) where a version without the whole traffic is deployed and asked; unset: such a pinned prediction is refused',
    (c) => c.gcp.vertexValidationEndpoint,
  ),
  v('PUBSUB_EMULATOR_HOST', 'host:port of the Pub/Sub emulator, when used', (c) => c.gcp.emulators.pubsub),
  v(
    'FIRESTORE_EMULATOR_HOST',
    'host:port of the Firestore emulator, when used',
    (c) => c.gcp.emulators.firestore,
  ),
  v(
    'STORAGE_EMULATOR_HOST',
    'base URL (http://host:port) of a Cloud Storage JSON API server that gs:// sales are read from instead of Cloud Storage',
    (c) => c.gcp.emulators.storage,
  ),
  v(
    'MLFLOW_TRACKING_URI',
    'MLflow server (http/https); required for FG_REGISTRY=mlflow',
    (c) => c.mlflow?.trackingUri,
  ),
  v('MLFLOW_TRACKING_TOKEN', 'bearer token for the MLflow server', (c) => c.mlflow?.token, { secret: true }),
  v(
    'FG_SALES_URI',
    'weekly actuals: gs://bucket/object, gs://bucket/prefix/ (every drop under it), bq://project.dataset.table or a local file or folder; required for FG_BACKEND=gcp, unset on the embedded backend: <FG_STATE_DIR>/sales.csv (docs/sales-data.md)',
    (c) => c.sales.uri,
  ),
  v(
    'FG_SALES_COLUMNS',
    "sales columns as field=Column pairs, e.g. isbn=ISBN,week=End Date,volume=Volume,title=Title; unset: the publisher's or forecast-guard's header is recognised",
    (c) =>
      c.sales.columns &&
      Object.entries(c.sales.columns)
        .map(([field, column]) => `${field}=${column}`)
        .join(','),
  ),
  v(
    'FG_PIPELINE_TRAIN_START',
    "first day of the pipeline's training data: a pipeline version's trainedThrough is train_length weeks from its week",
    (c) => c.pipeline.trainStart,
    { default: '2012-01-01' },
  ),
  v('SLACK_WEBHOOK_URL', 'Slack incoming webhook for alerts', (c) => c.notify.slackWebhookUrl, {
    secret: true,
  }),
  v(
    'SLACK_ESCALATION_WEBHOOK_URL',
    'Slack webhook for escalations',
    (c) => c.notify.slackEscalationWebhookUrl,
    {
      secret: true,
    },
  ),
  v(
    'SMTP_URL',
    'smtps:// or smtp:// server for alert email; with user:password on smtp:// STARTTLS is required',
    (c) => c.notify.smtpUrl,
    {
      secret: true,
    },
  ),
  v('ALERT_EMAIL_TO', 'comma-separated recipients; required with SMTP_URL', (c) =>
    c.notify.emailTo.length > 0 ? c.notify.emailTo.join(',') : undefined,
  ),
  v('ALERT_EMAIL_FROM', 'sender address; required with SMTP_URL', (c) => c.notify.emailFrom),
  v('FG_THRESHOLDS_FILE', 'JSON file of per-ISBN threshold overrides', (c) => c.thresholds.file),
  v(
    'FG_PRICE_TABLE',
    'JSON price table `forecast-guard cost` reads (Vertex AI node-hour prices per region and machine type; a snapshot to check against the pricing page)',
    (c) => c.cost.priceTableFile,
    { default: 'config/prices.json' },
  ),
  v(
    'FG_BILLING_EXPORT_TABLE',
    'Cloud Billing standard usage export table (project.dataset.gcp_billing_export_v1_…) `forecast-guard cost` reads the last 30 days of actual cost from, beside the estimate (Google Cloud)',
    (c) => c.cost.billingExportTable,
  ),
  v('FG_ROLLBACK_TOKEN', 'bearer token the HTTP rollback function requires', (c) => c.rollbackToken, {
    secret: true,
  }),
  v(
    'FG_FLUSH_TOKEN',
    'bearer token the alert-dispatch flush entry requires (FG_FLUSH_AUTH=token); `up` makes one per run',
    (c) => c.flush.token,
    { secret: true },
  ),
  v(
    'FG_FLUSH_AUTH',
    'token (a bearer token, off Google Cloud) or iam (Cloud Run IAM checked the scheduler; set by infra)',
    (c) => c.flush.auth,
    { default: 'token' },
  ),
  v(
    'FG_ROLLBACK_AUDIENCE',
    'set on Google Cloud (infra does): rollback-http accepts only a Google-signed identity token for one of these comma-separated audiences (its URLs, an OAuth client id) and records its email; unset: FG_ROLLBACK_TOKEN',
    (c) => c.rollbackAudiences?.join(','),
  ),
  v(
    'FG_DEPLOYER_PRINCIPALS',
    "forecast-guard's own identities (comma-separated emails; set by infra): post-deploy validation skips Vertex audit entries of their deployments, which forecast-guard announces itself",
    (c) => (c.deployerPrincipals.length > 0 ? c.deployerPrincipals.join(',') : undefined),
  ),
  v(
    'FG_REPEAT_INTERVAL_CRITICAL',
    'renotify a still-firing critical alert after',
    (c) => ms(c.alerting.repeatIntervalMs.critical),
    { default: '4h' },
  ),
  v(
    'FG_REPEAT_INTERVAL_WARNING',
    'renotify a still-firing warning after',
    (c) => ms(c.alerting.repeatIntervalMs.warning),
    { default: '1d' },
  ),
  v('FG_ESCALATE_AFTER', 'escalate an unacknowledged critical after', (c) => ms(c.alerting.escalateAfterMs), {
    default: '30m',
  }),
  v(
    'FG_RUNBOOK_BASE_URL',
    'where the runbooks (`<kind>.md`) live: notifications and the dashboard link each alert to its runbook here, e.g. the GitHub URL of docs/runbooks/',
    (c) => c.alerting.runbookBaseUrl,
    { default: 'docs/runbooks/' },
  ),
  v(
    'FG_GROUP_WAIT',
    "collect one run's alerts this long before notifying (longer where deliveries retry, e.g. on Firestore)",
    (c) => ms(c.alerting.groupWaitMs),
    { default: '2s' },
  ),
  v(
    'FG_PENDING_PERIOD',
    'a condition must hold this long before it fires',
    (c) => ms(c.alerting.pendingPeriodMs),
    {
      default: '0s',
    },
  ),
  v(
    'FG_PIPELINE_STALE_AFTER',
    'alert when no training run succeeded for',
    (c) => ms(c.alerting.pipelineStaleAfterMs),
    { default: '8d' },
  ),
  v(
    'FG_DATA_FRESHNESS_WEEKS',
    'alert when the newest actual sales are older than this many weeks',
    (c) => c.alerting.dataFreshnessWeeks,
    { default: '2' },
  ),
  v('FG_HEALTH_CONCURRENCY', 'books checked at once by a health check', (c) => c.alerting.healthConcurrency, {
    default: '4',
  }),
  v(
    'FG_HEALTH_SLICE',
    'books a health check reads and checks per slice (actuals, versions, predictions), one slice after another: its memory follows the slice, not the fleet',
    (c) => c.alerting.healthSlice,
    { default: '500' },
  ),
  v(
    'FG_SALES_UPDATES_PREFIX',
    'object-name prefix (e.g. raw_data/) of the sales objects whose arrival (sales-data-updates) re-checks their books; empty: all the notification sends',
    (c) => c.salesUpdates.prefix || undefined,
  ),
  v(
    'FG_ANOMALY_METRICS',
    'error metrics the metric-anomaly detector watches per book (comma-separated mape|rmse|smape|mase), or none (docs/anomaly.md)',
    (c) => (c.anomaly.metrics.length > 0 ? c.anomaly.metrics.join(',') : 'none'),
    { default: 'mape' },
  ),
  v(
    'FG_ANOMALY_K',
    "metric_anomaly fires when the median of a book's last 3 observations is this many robust sigmas above its baseline",
    (c) => c.anomaly.k,
    { default: '2' },
  ),
  v('FG_ANOMALY_BASELINE', 'observations (weeks) in the metric-anomaly baseline', (c) => c.anomaly.baseline, {
    default: '26',
  }),
  v(
    'FG_ANOMALY_HISTORY',
    'distinct observations (weeks) the metric-anomaly step keeps per book in metric-observations; at least FG_ANOMALY_BASELINE + 3',
    (c) => c.anomaly.history,
    { default: '60' },
  ),
  v(
    'FG_ANOMALY_SEED_POINTS',
    'MetricPoints read once per book to seed its observation history when it has none (first run after an upgrade; hourly runs write 168 a week)',
    (c) => c.anomaly.seedPoints,
    { default: '7000' },
  ),
  v(
    'FG_SCHEDULER_API_ENDPOINT',
    "host:port of the Cloud Scheduler API the health check reads its own schedules from; `forecast-guard up` sets it to the local stack's scheduler",
    (c) => c.gcp.schedulerApiEndpoint,
  ),
  v(
    'FG_METRIC_RETENTION',
    "keep each health check's per-book figures (the trend series) this long",
    (c) => ms(c.history.pointRetentionMs),
    { default: '35d' },
  ),
  v(
    'FG_METRIC_ROLLUP_RETENTION',
    'keep the weekly rollups of those figures this long after their week',
    (c) => ms(c.history.rollupRetentionMs),
    { default: '730d' },
  ),
];
