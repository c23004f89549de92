/**
 * Inhibition, as Alertmanager does it: while a fleet-level alert fires, the
 * per-book alerts it explains are muted — when the registry cannot be
 * reached or the sales feed is stale, 5,000 "RMSE above threshold" pages say
 * nothing the one fleet-level page does not.
 */
import type { AlertState } from '../../contracts/documents/alert-state';
import { MODEL_METRIC_ALERT_KINDS, type AlertKind } from '../../contracts/messages/alert';

/** A fleet-level alert (`source`, no ISBN) mutes per-book alerts of the kinds in `mutes`, in the same environment. */
export interface InhibitionRule {
  source: AlertKind;
  mutes: readonly AlertKind[];
  /** Why, for the notification and the logs. */
  because: string;
}

/** The rules; the first that matches names the inhibitor. */
export const INHIBITION_RULES: readonly InhibitionRule[] = [
  {
    source: 'registry_unreachable',
    mutes: [...MODEL_METRIC_ALERT_KINDS, 'endpoint_unhealthy', 'data_drift', 'validation_failed'],
    because: 'without the registry, baselines and versions cannot be read',
  },
  {
    source: 'data_stale',
    mutes: [...MODEL_METRIC_ALERT_KINDS, 'data_drift', 'data_stale'],
    because: 'accuracy and drift measured on stale sales data mean nothing',
  },
];

/** What inhibition needs to know of an alert. */
export interface InhibitionSubject {
  kind: AlertKind;
  isbn?: string;
  status: 'firing' | 'resolved';
}

/** The fleet-level kinds that could mute `alert` (only firing per-book alerts can be muted). */
export function possibleInhibitors(alert: InhibitionSubject): AlertKind[] {
  if (alert.isbn === undefined || alert.status !== 'firing') return [];
  return INHIBITION_RULES.filter((r) => r.mutes.includes(alert.kind)).map((r) => r.source);
}

/** True when `alert` is a fleet-level alert that mutes others while it fires. */
export function isInhibitor(alert: Pick<InhibitionSubject, 'kind' | 'isbn'>): boolean {
  return alert.isbn === undefined && INHIBITION_RULES.some((r) => r.source === alert.kind);
}

/** True while a stored fleet-level alert mutes others: seen and not resolved (a warning waiting for the digest counts). */
export function isActiveInhibitor(state: AlertState | undefined): boolean {
  return state !== undefined && state.isbn === undefined && state.status !== 'resolved';
}

/** The first of `activeSources` (fleet-level kinds firing now) that mutes `alert`, if any. */
export function inhibitingKind(
  alert: InhibitionSubject,
  activeSources: ReadonlySet<AlertKind>,
): AlertKind | undefined {
  return possibleInhibitors(alert).find((kind) => activeSources.has(kind));
}
