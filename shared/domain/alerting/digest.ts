/**
 * The daily summary: one message with the day's warnings (which never page
 * anyone), the fleet's health from the latest health-check report (counts
 * and the worst models), the critical alerts still open, and notifications
 * still waiting for their channel. Pure: the service gathers, this writes.
 */
import { createHash } from 'node:crypto';
import type { AlertState } from '../../contracts/documents/alert-state';
import type { HealthReport, ModelHealth } from '../../contracts/documents/health-report';
import type { Environment } from '../../contracts/primitives';
import type { Notification } from '../../contracts/notification';
import { runbooksFor } from '../../contracts/runbooks';
import { reportAge } from '../health/report-age';

/** Everything the digest reports, gathered by the daily-summary service. */
export interface DigestInput {
  /** Notification id: one digest per environment and day. */
  id: string;
  /** The UTC day summarised, YYYY-MM-DD. */
  date: string;
  environment: Environment;
  correlationId: string;
  /** Warnings seen that day or still open. */
  warnings: readonly AlertState[];
  /** Critical alerts firing now. */
  criticals: readonly AlertState[];
  /** The latest health-check report, if there is one. */
  report?: HealthReport;
  /** Notifications not delivered yet. */
  undelivered: number;
  /** Base of the runbook links: the digest links the runbook of every kind it lists; none when absent. */
  runbookBaseUrl?: string;
  /**
   * When the digest is written (the backend's clock): with it, a newest report
   * more than two hours old (or none) leads the digest with a line saying the
   * health check has stopped (domain/health/report-age.ts).
   */
  now?: Date;
}

/** The UTC day a digest covers. */
export interface DayWindow {
  /** YYYY-MM-DD (UTC). */
  date: string;
  start: string;
  end: string;
}

/** The UTC day `date`, or the day before `now` when absent (the day that just ended). */
export function dayWindow(date: string | undefined, now: Date): DayWindow {
  const day = date ?? new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
  const start = new Date(`${day}T00:00:00.000Z`);
  return { date: day, start: start.toISOString(), end: new Date(start.getTime() + 86_400_000).toISOString() };
}

/** The numbers the digest leads with (also returned to the caller). */
export interface DigestCounts {
  warnings: number;
  newWarnings: number;
  resolvedWarnings: number;
  openCriticals: number;
  models: number;
  healthy: number;
  degraded: number;
  unhealthy: number;
}

/** The digest notification and what it counted. */
export interface Digest {
  notification: Notification;
  counts: DigestCounts;
  /** The worst models of the latest report, worst first. */
  worst: ModelHealth[];
}

/** Models listed as the worst of the latest health check. */
export const DIGEST_WORST_MODELS = 5;
/** Alerts listed by name per section; the rest are counted. */
export const DIGEST_LISTED_ALERTS = 25;

const STATUS_RANK = { unhealthy: 2, degraded: 1, healthy: 0 } as const;

/** The most alert fingerprints a digest's outbox documents name. */
export const DIGEST_MAX_FINGERPRINTS = 200;

/**
 * The digest's notification id: one per environment and day, so a
 * redelivered request or a second scheduler run never sends it twice; a
 * manual request is its own (an operator may want it again).
 */
export function digestId(
  environment: Environment,
  date: string,
  request: { trigger?: string; correlationId: string },
): string {
  if (request.trigger !== 'manual') return `digest-${environment}-${date}`;
  const own = createHash('sha256').update(request.correlationId).digest('hex').slice(0, 12);
  return `digest-${environment}-${date}-${own}`;
}

/** The alerts a digest tells about, open criticals first (capped); `digest` when there are none. */
export function digestFingerprints(input: Pick<DigestInput, 'criticals' | 'warnings'>): string[] {
  const fingerprints = [...input.criticals, ...input.warnings]
    .map((s) => s.fingerprint)
    .slice(0, DIGEST_MAX_FINGERPRINTS);
  return fingerprints.length > 0 ? fingerprints : ['digest'];
}

/** The worst `n` models of a report: unhealthy before degraded, then by live RMSE over baseline; healthy ones left out. */
export function worstModels(report: HealthReport | undefined, n = DIGEST_WORST_MODELS): ModelHealth[] {
  if (!report) return [];
  const ratio = (m: ModelHealth) => (m.baselineRmse > 0 ? m.rmse / m.baselineRmse : m.rmse);
  return report.models
    .filter((m) => m.status !== 'healthy')
    .sort(
      (a, b) =>
        STATUS_RANK[b.status] - STATUS_RANK[a.status] || ratio(b) - ratio(a) || a.isbn.localeCompare(b.isbn),
    )
    .slice(0, n);
}

/** Writes the digest for `input`. */
export function composeDigest(input: DigestInput): Digest {
  const report = input.report;
  const models = report?.models ?? [];
  const count = (s: keyof typeof STATUS_RANK) => models.filter((m) => m.status === s).length;
  const open = input.warnings.filter((w) => w.status !== 'resolved');
  const counts: DigestCounts = {
    warnings: open.length,
    newWarnings: open.filter((w) => w.firstSeenAt.slice(0, 10) === input.date).length,
    resolvedWarnings: input.warnings.length - open.length,
    openCriticals: input.criticals.length,
    models: models.length,
    healthy: count('healthy'),
    degraded: count('degraded'),
    unhealthy: count('unhealthy'),
  };
  const worst = worstModels(report);
  const age = input.now === undefined ? undefined : reportAge(report, input.now);
  const lines = [
    ...(age?.line ? [age.line] : []),
    ...healthLines(report, counts, worst),
    ...criticalLines(input.criticals, counts),
    ...warningLines(open, input.date, counts),
  ];
  if (input.undelivered > 0) {
    lines.push(`${input.undelivered} notifications are still waiting for their channel (retrying).`);
  }

  const worstSeverity =
    counts.openCriticals > 0 || counts.warnings > 0 || counts.unhealthy > 0 || age?.stale === true;
  const notification: Notification = {
    id: input.id,
    severity: worstSeverity ? 'warning' : 'info',
    kind: 'digest',
    title: `Daily summary ${input.date} (${input.environment}): ${age?.stale ? 'NO HEALTH CHECK FOR 2 H, ' : ''}${counts.openCriticals} open critical, ${counts.warnings} warnings, fleet ${report?.status ?? 'unchecked'}`,
    lines,
    correlationId: input.correlationId,
  };
  const listed = [...input.criticals.slice(0, DIGEST_LISTED_ALERTS), ...open.slice(0, DIGEST_LISTED_ALERTS)];
  if (input.runbookBaseUrl !== undefined && listed.length > 0) {
    notification.runbooks = runbooksFor(
      listed.map((a) => a.kind),
      input.runbookBaseUrl,
    );
  }
  return { notification, counts, worst };
}

/** The fleet's health from the latest report: counts, registry trouble, the worst models. */
function healthLines(
  report: HealthReport | undefined,
  counts: DigestCounts,
  worst: readonly ModelHealth[],
): string[] {
  if (!report) return ['Fleet health: no health-check report yet.'];
  const lines = [
    `Fleet health: ${report.status} — ${counts.models} models: ${counts.healthy} healthy, ${counts.degraded} degraded, ${counts.unhealthy} unhealthy (health check ${report.runId} at ${report.finishedAt}).`,
  ];
  if (!report.registry.ok)
    lines.push(
      `Registry unreachable at that check${report.registry.error ? `: ${report.registry.error}` : ''}.`,
    );
  if (worst.length === 0) return [...lines, 'Every model was healthy.'];
  lines.push('Worst models:');
  for (const m of worst) {
    const over =
      m.baselineRmse > 0
        ? ` (${pct(m.rmse / m.baselineRmse - 1)} vs baseline ${m.baselineRmse.toFixed(1)})`
        : '';
    lines.push(
      `• ${m.isbn} v${m.version}: ${m.status}, RMSE ${m.rmse.toFixed(1)}${over}, MAPE ${m.mape.toFixed(1)}%`,
    );
  }
  return lines;
}

/** The critical alerts still open, listed up to DIGEST_LISTED_ALERTS. */
function criticalLines(criticals: readonly AlertState[], counts: DigestCounts): string[] {
  const lines = [`Open critical alerts: ${counts.openCriticals}`];
  for (const c of criticals.slice(0, DIGEST_LISTED_ALERTS)) {
    const ack = c.acknowledgedBy ? `acknowledged by ${c.acknowledgedBy}` : 'not acknowledged';
    lines.push(
      `• ${c.kind}${c.isbn ? ` ${c.isbn}` : ''}: ${c.lastAlert.summary} (since ${c.firstSeenAt}, ${ack}) [${c.fingerprint}]`,
    );
  }
  more(lines, criticals.length);
  return lines;
}

/** The open warnings (new ones marked), listed up to DIGEST_LISTED_ALERTS. */
function warningLines(open: readonly AlertState[], date: string, counts: DigestCounts): string[] {
  const lines = [
    `Warnings: ${counts.warnings} open (${counts.newWarnings} new on ${date}), ${counts.resolvedWarnings} cleared`,
  ];
  for (const w of open.slice(0, DIGEST_LISTED_ALERTS)) {
    const fresh = w.firstSeenAt.slice(0, 10) === date ? 'new' : `since ${w.firstSeenAt.slice(0, 10)}`;
    lines.push(
      `• ${w.kind}${w.isbn ? ` ${w.isbn}` : ''}: ${w.lastAlert.summary} (${fresh}) [${w.fingerprint}]`,
    );
  }
  more(lines, open.length);
  return lines;
}

function more(lines: string[], total: number): void {
  if (total > DIGEST_LISTED_ALERTS) {
    lines.push(`… and ${total - DIGEST_LISTED_ALERTS} more: forecast-guard alerts list`);
  }
}

function pct(x: number): string {
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)}%`;
}
