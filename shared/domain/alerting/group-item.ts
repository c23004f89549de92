/**
 * One alert's contribution to a notification: what the grouping stage keeps
 * (in the PendingNotification that collects a run's alerts) and what the
 * notification text is written from. Plain JSON, so it can be stored.
 */
import type { Alert, AlertKind } from '../../contracts/messages/alert';
import type { Environment, Severity } from '../../contracts/primitives';
import type { NotifyKind } from './state-machine';

/** One alert to be told, as stored in its group and written into its notification. */
export interface GroupItem {
  fingerprint: string;
  kind: AlertKind;
  /** The severity people were paged with (for a resolution: the severity that fired). */
  severity: Severity;
  notify: NotifyKind;
  environment: Environment;
  isbn?: string;
  modelVersion?: string;
  summary: string;
  correlationId: string;
  observedAt: string;
  runId?: string;
  links?: Array<{ label: string; url: string }>;
}

// Detail fields producers use for links (pipeline-events: consoleUrl; health-check: logUrl…).
const LINK_FIELDS: ReadonlyArray<[string, string]> = [
  ['consoleUrl', 'Console'],
  ['logUrl', 'Logs'],
  ['dashboardUrl', 'Dashboard'],
  ['runbookUrl', 'Runbook'],
];

/** The item for one observation that is to be told, with `severity` being the one to route by. */
export function groupItemFrom(
  alert: Alert,
  context: { fingerprint: string; environment: Environment; notify: NotifyKind; severity: Severity },
): GroupItem {
  const item: GroupItem = {
    fingerprint: context.fingerprint,
    kind: alert.kind,
    severity: context.severity,
    notify: context.notify,
    environment: context.environment,
    summary: alert.summary,
    correlationId: alert.correlationId,
    observedAt: alert.observedAt,
  };
  if (alert.isbn !== undefined) item.isbn = alert.isbn;
  if (alert.modelVersion !== undefined) item.modelVersion = alert.modelVersion;
  if (alert.runId !== undefined) item.runId = alert.runId;
  const links = linksFrom(alert.details);
  if (links.length > 0) item.links = links;
  return item;
}

/** http(s) links found in an alert's details, labelled. */
export function linksFrom(details: Record<string, unknown>): Array<{ label: string; url: string }> {
  const out: Array<{ label: string; url: string }> = [];
  for (const [field, label] of LINK_FIELDS) {
    const value = details[field];
    if (typeof value === 'string' && /^https?:\/\//.test(value)) out.push({ label, url: value });
  }
  return out;
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** The highest severity among `items` (info when empty). */
export function maxSeverity(items: ReadonlyArray<{ severity: Severity }>): Severity {
  let worst: Severity = 'info';
  for (const i of items) if (SEVERITY_RANK[i.severity] > SEVERITY_RANK[worst]) worst = i.severity;
  return worst;
}
