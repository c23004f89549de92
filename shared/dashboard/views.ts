/**
 * What the dashboard shows, read through the ports (so it works on the
 * embedded backend and on the emulators alike): the fleet with its live
 * accuracy from the latest health check against the thresholds, the alerts
 * alert-dispatch keeps, rollback and validation history (one book's
 * forecast against its actual sales is in chart-view.ts). Read-only.
 */
import { COLLECTIONS } from '../contracts/collections';
import type { AlertState } from '../contracts/documents/alert-state';
import { DEFAULT_RUNBOOK_BASE_URL, runbookFor } from '../contracts/runbooks';
import type { HealthReport, ModelHealth } from '../contracts/documents/health-report';
import type { LastKnownGood } from '../contracts/documents/last-known-good';
import type { RollbackRecord } from '../contracts/documents/rollback';
import type { ValidationReport } from '../contracts/documents/validation-report';
import type { Config } from '../config';
import { thresholdsFor, type Thresholds } from '../domain/thresholds';
import type { Clock } from '../ports/clock';
import type { ModelRegistry } from '../ports/model-registry';
import type { SalesData } from '../ports/sales-data';
import type { ServingTarget } from '../ports/serving-target';
import type { ScheduleMonitor } from '../ports/schedule-monitor';
import type { StateStore } from '../ports/state-store';
import type { CostServiceSettings } from '../services/cost';
import type { BillingExport } from '../ports/billing-export';

/** The ports and settings the views read. */
export interface ViewPorts {
  config: Pick<Config, 'environment' | 'thresholds'>;
  state: StateStore;
  registry: ModelRegistry;
  serving: ServingTarget;
  sales: SalesData;
  /** The backend's clock (the fleet clock on the embedded backend): "now" when a book has no sales yet. */
  clock: Clock;
  /** The scheduler's jobs (the watch panel); absent where there is no scheduler to read. */
  schedules?: ScheduleMonitor;
  /**
   * The cost panel's settings (price table and deployment defaults), read
   * when asked so a bad price table fails the panel, not the dashboard.
   * Absent: the cost panel says there is no price table.
   */
  costSettings?: () => CostServiceSettings;
  /** The Cloud Billing export (FG_BILLING_EXPORT_TABLE), when set: the cost panel shows actual cost beside the estimate. */
  costBilling?: BillingExport;
}

export interface FleetRow {
  isbn: string;
  title: string;
  /** Version with the most traffic; null when nothing serves. */
  serving: string | null;
  lastKnownGood: string | null;
  /**
   * From the newest health report that checked this book, with the alert
   * kinds that run raised for it: the health check judges the rules (on
   * confidence bounds and a level-adjusted baseline), the dashboard does not
   * judge them again.
   */
  live:
    | (Pick<ModelHealth, 'rmse' | 'mape' | 'baselineRmse' | 'baselineMape' | 'version'> & {
        at: string;
        firing: string[];
      })
    | null;
  /** The environment's rules for this book (null = off): absolute limits, and percentages over baseline. */
  limits: Pick<Thresholds, 'rmseMax' | 'mapeMax' | 'rmseSpikePct' | 'mapeIncreasePct' | 'degradationMaxPct'>;
  /** healthy | degraded | unhealthy (health report), `rolled back` is not a status: see `serving` vs `lastKnownGood`. */
  status: string;
}

export interface FleetView {
  environment: string;
  lastHealthCheck: Pick<HealthReport, 'runId' | 'trigger' | 'status' | 'finishedAt' | 'durationMs'> | null;
  books: FleetRow[];
}

const REPORTS_SCANNED = 25;

async function recentHealthReports(state: StateStore): Promise<HealthReport[]> {
  const docs = await state.query<HealthReport>(COLLECTIONS.healthReports, {
    orderBy: { field: 'startedAt', direction: 'desc' },
    limit: REPORTS_SCANNED,
  });
  return docs.map((d) => d.data);
}

/** The version taking the most traffic; null when nothing is deployed. */
export function servingVersionOf(
  deployments: Array<{ version: string; trafficPercent: number }>,
): string | null {
  const top = deployments
    .filter((d) => d.trafficPercent > 0)
    .sort((a, b) => b.trafficPercent - a.trafficPercent)[0];
  return top?.version ?? null;
}

/** The fleet table; `titles` caches book titles (they never change) across calls. */
export async function fleetView(ports: ViewPorts, titles: Map<string, string>): Promise<FleetView> {
  const [isbns, reports] = await Promise.all([ports.registry.listModels(), recentHealthReports(ports.state)]);
  // A manual check of one book is newer than the last fleet run: take each book's own newest figures.
  const latest = new Map<string, { health: ModelHealth; at: string; firing: string[] }>();
  for (const report of reports) {
    for (const m of report.models) {
      if (latest.has(m.isbn)) continue;
      const firing = report.alerts.filter((a) => a.isbn === m.isbn).map((a) => a.kind);
      latest.set(m.isbn, { health: m, at: report.finishedAt, firing });
    }
  }
  const books = await Promise.all(
    isbns.sort().map(async (isbn): Promise<FleetRow> => {
      const [servingState, lkg, title] = await Promise.all([
        ports.serving.getServing(isbn),
        ports.state.get<LastKnownGood>(COLLECTIONS.lastKnownGood, isbn),
        titleOf(isbn, ports.sales, titles),
      ]);
      const t = thresholdsFor(ports.config.environment, isbn, ports.config.thresholds.overrides);
      const health = latest.get(isbn);
      const serving = servingVersionOf(servingState?.deployments ?? []);
      const live = health
        ? {
            version: health.health.version,
            rmse: health.health.rmse,
            mape: health.health.mape,
            baselineRmse: health.health.baselineRmse,
            baselineMape: health.health.baselineMape,
            at: health.at,
            firing: health.firing,
          }
        : null;
      return {
        isbn,
        title,
        serving,
        lastKnownGood: lkg?.data.version ?? null,
        live,
        limits: {
          rmseMax: t.rmseMax,
          mapeMax: t.mapeMax,
          rmseSpikePct: t.rmseSpikePct,
          mapeIncreasePct: t.mapeIncreasePct,
          degradationMaxPct: t.degradationMaxPct,
        },
        // A report about a version that no longer serves says nothing about what serves now.
        status: !health
          ? 'not checked yet'
          : health.health.version !== serving
            ? 'changed since check'
            : health.health.status,
      };
    }),
  );
  const newest = reports[0];
  return {
    environment: ports.config.environment,
    lastHealthCheck: newest
      ? {
          runId: newest.runId,
          trigger: newest.trigger,
          status: newest.status,
          finishedAt: newest.finishedAt,
          durationMs: newest.durationMs,
        }
      : null,
    books,
  };
}

/** A book's title from its sales series, remembered in `titles` (titles never change). */
export async function titleOf(isbn: string, sales: SalesData, titles: Map<string, string>): Promise<string> {
  const known = titles.get(isbn);
  if (known !== undefined) return known;
  const series = await sales.getSeries(isbn).catch(() => undefined);
  const title = series?.title ?? '';
  if (series) titles.set(isbn, title);
  return title;
}

export type AlertRow = Pick<
  AlertState,
  | 'fingerprint'
  | 'kind'
  | 'severity'
  | 'status'
  | 'isbn'
  | 'firstSeenAt'
  | 'lastSeenAt'
  | 'lastNotifiedAt'
  | 'notifyCount'
  | 'acknowledgedBy'
  | 'silencedUntil'
> & {
  summary: string;
  /** The kind's runbook (`<FG_RUNBOOK_BASE_URL><kind>.md`): a link when http(s), else a repository path. */
  runbook: string;
};

/** Alert states, newest first; resolved ones only when `includeResolved`; each with its kind's runbook under `runbookBaseUrl`. */
export async function alertsView(
  state: StateStore,
  includeResolved: boolean,
  runbookBaseUrl: string = DEFAULT_RUNBOOK_BASE_URL,
): Promise<AlertRow[]> {
  const docs = await state.query<AlertState>(COLLECTIONS.alertStates, {
    orderBy: { field: 'lastSeenAt', direction: 'desc' },
    limit: 200,
  });
  return docs
    .map((d) => d.data)
    .filter((a) => includeResolved || a.status !== 'resolved')
    .map((a) => ({
      fingerprint: a.fingerprint,
      kind: a.kind,
      severity: a.severity,
      status: a.status,
      isbn: a.isbn,
      firstSeenAt: a.firstSeenAt,
      lastSeenAt: a.lastSeenAt,
      lastNotifiedAt: a.lastNotifiedAt,
      notifyCount: a.notifyCount,
      acknowledgedBy: a.acknowledgedBy,
      silencedUntil: a.silencedUntil,
      summary: a.lastAlert?.summary ?? '',
      runbook: runbookFor(a.kind, runbookBaseUrl),
    }));
}

export interface HistoryView {
  rollbacks: Array<Omit<RollbackRecord, 'requestedBy'> & { requestedBy: string }>;
  validations: Array<
    Pick<
      ValidationReport,
      'reportId' | 'isbn' | 'version' | 'passed' | 'predictions' | 'startedAt' | 'durationMs'
    > & {
      failed: string[];
    }
  >;
}

/** The newest rollback audit lines and validation reports. */
export async function historyView(state: StateStore, limit = 50): Promise<HistoryView> {
  const [rollbacks, validations] = await Promise.all([
    state.query<RollbackRecord>(COLLECTIONS.rollbackRecords, {
      orderBy: { field: 'at', direction: 'desc' },
      limit,
    }),
    state.query<ValidationReport>(COLLECTIONS.validationReports, {
      orderBy: { field: 'startedAt', direction: 'desc' },
      limit,
    }),
  ]);
  return {
    rollbacks: rollbacks.map((d) => ({ ...d.data, requestedBy: String(d.data.requestedBy) })),
    validations: validations.map(({ data: v }) => ({
      reportId: v.reportId,
      isbn: v.isbn,
      version: v.version,
      passed: v.passed,
      predictions: v.predictions,
      startedAt: v.startedAt,
      durationMs: v.durationMs,
      failed: (v.checks ?? []).filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`),
    })),
  };
}
