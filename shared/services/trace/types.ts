/** What `traceBook` reads through, how it is tuned, and what it answers. */
import type { AlertKind } from '../../contracts/messages/alert';
import type { ModelMetrics, PipelineRun } from '../../contracts/model';
import type { ServingFact, ServingSegment } from '../../domain/trace/serving-timeline';
import type { Clock } from '../../ports/clock';
import type { LogLine, LogReader } from '../../ports/log-reader';
import type { ModelRegistry } from '../../ports/model-registry';
import type { PipelineMonitor } from '../../ports/pipeline-monitor';
import type { ServingTarget } from '../../ports/serving-target';
import type { StateStore } from '../../ports/state-store';

export interface TracePorts {
  state: StateStore;
  registry: ModelRegistry;
  serving: ServingTarget;
  pipelines: PipelineMonitor;
  logs: LogReader;
  clock: Clock;
}

export interface TraceSettings {
  /** The functions' Cloud Run service names, for the Cloud Logging query. */
  services: readonly string[];
  projectId?: string;
  /** FG_PIPELINE_TRAIN_START: the training window's start when a version does not record its length. */
  configuredTrainStart: string;
  /** Log lines printed at most. */
  logLimit: number;
  /**
   * Whether log lines carry the same clock as the stored records: true on
   * Google Cloud; false on the embedded backend, whose records run at the
   * seeded fleet's date while log lines carry the machine's time (the log
   * search then is by correlation id alone).
   */
  logsShareStateClock: boolean;
}

export interface TraceRequest {
  isbn: string;
  /** Any day of the week asked about (YYYY-MM-DD). */
  week?: string;
  correlationId?: string;
}

/** A run that touched the book, with the correlation id its log lines carry. */
export interface TraceRun {
  kind: 'health-check' | 'rollback' | 'validation' | 'alert';
  id: string;
  at: string;
  correlationId?: string;
  detail: string;
}

export interface TraceCause {
  via: ServingFact['via'];
  at: string;
  by?: string;
  reason?: string;
  rollbackId?: string;
  correlationId?: string;
  /** Who the caller proved to be (a rollback's verified caller). */
  verifiedCaller?: string;
  approvals?: Array<{ id: string; approvedBy: string; approvedAt: string; reason: string }>;
  source: string;
}

export interface TraceVersion {
  version: string;
  /** When it started serving (exact, or the first time a record saw it). */
  since?: string;
  sinceExact: boolean;
  /** An unrecorded change happened after this and by `since`. */
  changedAfter?: string;
  /** The deploy or rollback that put it there; absent when nothing recorded it (see `notes`). */
  cause?: TraceCause;
  registeredAt?: string;
  pipelineRunId?: string;
  pipelineRun?: Pick<PipelineRun, 'id' | 'pipelineName' | 'state' | 'startTime' | 'endTime'>;
  trainingWindow?: {
    start: string;
    startFrom: 'version params' | 'FG_PIPELINE_TRAIN_START';
    trainedThrough: string;
  };
  dataHash?: string;
  metrics?: ModelMetrics;
  quarantined?: { reason: string; at: string; by: string };
  lastKnownGood: boolean;
}

export interface TraceValidation {
  reportId: string;
  version: string;
  passed: boolean;
  startedAt: string;
  predictions: number;
  correlationId: string;
  failed: string[];
}

export interface TraceAlert {
  fingerprint: string;
  kind: AlertKind;
  severity: string;
  status: string;
  firstSeenAt: string;
  lastSeenAt: string;
  resolvedAt?: string;
  modelVersion?: string;
  summary: string;
  correlationId?: string;
  /** Open at some time in the week traced. */
  inForce: boolean;
  /** Versions serving while it was open (first seen to resolved, or now). */
  servingWhileOpen: string[];
}

export interface TraceLogs {
  /** The Cloud Logging query (Logging query language) for the correlation id. */
  correlationId: string;
  query: string;
  explorerUrl: string;
  gcloud: string;
}

export interface TraceReport {
  isbn: string;
  asked: { week?: string; correlationId?: string };
  /** The ISO week examined (Monday 00:00 UTC to the next Monday). */
  week: { week: string; from: string; to: string };
  /** Which version served that week (most of it), and every version that served in it. */
  forecast: {
    version?: string;
    segments: Array<{
      version: string;
      from: string;
      until?: string;
      changedAfter?: string;
      fromExact: boolean;
      servedHours: number;
    }>;
  };
  version?: TraceVersion;
  validation?: TraceValidation;
  validations: TraceValidation[];
  alerts: TraceAlert[];
  runs: TraceRun[];
  /** Queries for the correlation ids of the cause and the runs, and the lines of the one asked about. */
  logs: {
    queries: TraceLogs[];
    read?: { correlationId: string; searched: string; truncated: boolean; lines: LogLine[] };
  };
  /** Every spell the records show, oldest first, with how many records speak for it and the first and last few. */
  timeline: Array<
    Omit<ServingSegment, 'evidence' | 'cause'> & { cause?: string; evidenceCount: number; evidence: string[] }
  >;
  notes: string[];
}
