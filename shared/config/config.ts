/**
 * The configuration every entry point (functions, CLI, local stack) builds
 * its world from: read once from the environment by `loadConfig`, validated,
 * frozen. Durations are milliseconds; paths are absolute.
 */
import type { SalesColumns } from './sales-columns';
import type { VertexQuotaClass } from '../adapters/gcp/vertex-quota';
import type { Environment } from '../contracts/primitives';
import type { ThresholdOverrides } from '../domain/thresholds';
import type { LogLevel } from '../logging/logger';

export type Backend = 'local' | 'gcp';
export type RegistryKind = 'local' | 'vertex' | 'mlflow';

export interface GcpConfig {
  /** Required for the gcp backend and the Vertex registry; any id works against the emulators. */
  readonly projectId?: string;
  readonly region: string;
  /** Vertex endpoints are named `<prefix><isbn>`. */
  readonly vertexEndpointPrefix: string;
  /** Overrides the Vertex AI API host (a local gRPC server in tests); host:port. */
  readonly vertexApiEndpoint?: string;
  /** Deadline of every Vertex AI call, and of waiting for a long-running operation. */
  readonly vertexDeadlineMs: number;
  readonly vertexLroDeadlineMs: number;
  /** Share (0–1] of each Vertex request quota the process's rate limiter uses. */
  readonly vertexQuotaShare: number;
  /** Per-minute quotas where the project's differ from the documented defaults. */
  readonly vertexQuotas: Readonly<Partial<Record<VertexQuotaClass, number>>>;
  /** Display name of existing book endpoints, with `{isbn}` (the pipeline's `book-sales-{isbn}`). */
  readonly vertexEndpointPattern?: string;
  /** Labels those endpoints must carry. */
  readonly vertexEndpointLabels?: Readonly<Record<string, string>>;
  /** Where versions without the whole traffic are asked (no Explain). */
  readonly vertexValidationEndpoint?: string;
  /** Overrides the Cloud Scheduler API host (the local stack's scheduler server); host:port. */
  readonly schedulerApiEndpoint?: string;
  /**
   * Local stand-ins for Google's services. The wiring hands each to the client
   * it builds (and reads pubsub/firestore to know the emulators are in use);
   * the clients are never left to find them in process.env.
   */
  readonly emulators: {
    /** host:port of the Pub/Sub emulator. */
    readonly pubsub?: string;
    /** host:port of the Firestore emulator. */
    readonly firestore?: string;
    /** Base URL of a Cloud Storage JSON API server (http://host:port), for gs:// sales. */
    readonly storage?: string;
  };
}

export interface MlflowConfig {
  readonly trackingUri: string;
  /** Secret. */
  readonly token?: string;
}

export interface NotifyConfig {
  /** Secret: posting rights to the channel. */
  readonly slackWebhookUrl?: string;
  /** Secret: where unacknowledged criticals escalate. */
  readonly slackEscalationWebhookUrl?: string;
  /** Secret: may hold user:password. */
  readonly smtpUrl?: string;
  readonly emailTo: readonly string[];
  readonly emailFrom?: string;
}

export interface AlertingConfig {
  /** How often a still-firing alert is notified again, by severity. */
  readonly repeatIntervalMs: { readonly critical: number; readonly warning: number };
  /** An unacknowledged critical escalates after this. */
  readonly escalateAfterMs: number;
  /** A condition must hold this long before it fires (0: at first sight). */
  readonly pendingPeriodMs: number;
  /** The alerts of one health-check run are collected this long, then go out as one notification per book. */
  readonly groupWaitMs: number;
  /** No successful training run for this long is an alert (training is weekly). */
  readonly pipelineStaleAfterMs: number;
  /** Actual sales older than this many weeks mean the data feed stalled. */
  readonly dataFreshnessWeeks: number;
  /** Books checked at once by a health check. */
  readonly healthConcurrency: number;
  /** Books a health check reads and checks per slice: its memory follows this, not the fleet. */
  readonly healthSlice: number;
  /** Base of the runbook links, `<base><kind>.md` (FG_RUNBOOK_BASE_URL); the loader always sets it. */
  readonly runbookBaseUrl?: string;
}

/**
 * `token`: the caller must send `Authorization: Bearer <FG_FLUSH_TOKEN>` (refused
 * while unset). `iam`: Cloud Run IAM admitted only the scheduler's identity
 * before the code runs (infra sets it on the deployed flush function only).
 */
export interface FlushAuthConfig {
  readonly auth: 'token' | 'iam';
  /** Secret. */
  readonly token?: string;
}

/** FG_SALES_URI and FG_SALES_COLUMNS. */
export interface SalesConfig {
  /** gs://bucket/object, gs://bucket/prefix/, bq://project.dataset.table or a local path; unset → <FG_STATE_DIR>/sales.csv on the embedded backend. */
  readonly uri?: string;
  /** Field → column; unset → the publisher's or forecast-guard's header is recognised. */
  readonly columns?: SalesColumns;
}

/** FG_SALES_UPDATES_PREFIX: sales-data-events acts only on objects whose name starts with it. */
export interface SalesUpdatesConfig {
  /** Object-name prefix, e.g. `raw_data/`; empty: every object the bucket's notification sends. */
  readonly prefix: string;
}

/** FG_ANOMALY_*: what the metric-anomaly detector watches and how wide its band is. */
export interface AnomalyConfig {
  /** Error metrics watched (mape, rmse, smape, mase); empty turns the detector off. */
  readonly metrics: readonly string[];
  /** Band half-width in robust sigmas. */
  readonly k: number;
  /** Observations in the trailing baseline. */
  readonly baseline: number;
  /** Distinct observations kept per book (metric-observations). */
  readonly history: number;
  /** MetricPoints read once per book to seed its observation history. */
  readonly seedPoints: number;
}

export interface Config {
  readonly environment: Environment;
  readonly backend: Backend;
  /** Absolute; the embedded backend's files and local logs live here. */
  readonly stateDir: string;
  readonly registry: RegistryKind;
  readonly logLevel: LogLevel;
  readonly gcp: GcpConfig;
  /** Present when MLFLOW_TRACKING_URI is set (required for the mlflow registry). */
  readonly mlflow?: MlflowConfig;
  /** Where weekly actuals are read (docs/sales-data.md). */
  readonly sales: SalesConfig;
  /** What forecast-guard assumes of the publisher's training pipeline (README, "What forecast-guard needs from a pipeline"). */
  readonly pipeline: { readonly trainStart: string };
  readonly notify: NotifyConfig;
  /** Secret: bearer token the local HTTP rollback function demands; unset means HTTP rollback is refused. */
  readonly rollbackToken?: string;
  /** Who may call the alert-dispatch flush entry (what a scheduler calls between alerts). */
  readonly flush: FlushAuthConfig;
  /**
   * FG_ROLLBACK_AUDIENCE: when set (infra sets it on Google Cloud), the HTTP
   * rollback function accepts only a Google-signed identity token whose
   * audience is one of these URLs, and never the bearer token. Chosen here,
   * explicitly, never by K_SERVICE (which anyone may set).
   */
  readonly rollbackAudiences?: readonly string[];
  /**
   * FG_DEPLOYER_PRINCIPALS: forecast-guard's own identities (service account
   * emails; infra sets them). Vertex audit entries of their deployments are
   * skipped by post-deploy validation: forecast-guard announces those itself.
   */
  readonly deployerPrincipals: readonly string[];
  readonly thresholds: {
    /** Absolute path of FG_THRESHOLDS_FILE, when set. */
    readonly file?: string;
    readonly overrides: ThresholdOverrides;
  };
  readonly cost: {
    /** Absolute path of FG_PRICE_TABLE, when set; otherwise the shipped config/prices.json is read. */
    readonly priceTableFile?: string;
    /** FG_BILLING_EXPORT_TABLE: the Cloud Billing standard usage export table `cost` reads actual cost from, when set. */
    readonly billingExportTable?: string;
  };
  readonly alerting: AlertingConfig;
  /** How long the metric series is kept (docs/trends.md). */
  readonly history: {
    /** A health check's per-book MetricPoint expires this long after its run (FG_METRIC_RETENTION). */
    readonly pointRetentionMs: number;
    /** A weekly MetricRollup expires this long after its week (FG_METRIC_ROLLUP_RETENTION). */
    readonly rollupRetentionMs: number;
  };
  /** Which new sales objects (sales-data-updates notifications) trigger a health check. */
  readonly salesUpdates: SalesUpdatesConfig;
  /** The health check's metric-anomaly detector (docs/anomaly.md). */
  readonly anomaly: AnomalyConfig;
  /** Variables that were unset and took their default. */
  readonly defaulted: readonly string[];
  /** Things worth saying at start that are not errors (a likely typo in a variable name, no alert channel in production). */
  readonly warnings: readonly string[];
}
