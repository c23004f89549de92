/**
 * The escalation notice: a critical alert nobody acknowledged within the
 * escalation time goes to the escalation channel, saying how long it has
 * been open and how to acknowledge it.
 */
import type { AlertState } from '../../contracts/documents/alert-state';
import type { Notification } from '../../contracts/notification';
import { runbooksFor } from '../../contracts/runbooks';
import { linksFrom } from './group-item';

/** The notification escalating `state` at `now`; `id` is stable for the episode; it links the kind's runbook under `runbookBaseUrl`. */
export function composeEscalation(
  state: AlertState,
  id: string,
  now: Date,
  runbookBaseUrl?: string,
): Notification {
  const a = state.lastAlert;
  const minutes = Math.round(
    (now.getTime() - Date.parse(state.lastNotifiedAt ?? state.firstSeenAt)) / 60_000,
  );
  const who = state.isbn === undefined ? '' : `${state.isbn}${a.modelVersion ? ` v${a.modelVersion}` : ''}: `;
  const notification: Notification = {
    id,
    severity: 'critical',
    kind: 'escalation',
    title: `${who}${a.summary} — unacknowledged for ${minutes} min`,
    lines: [
      `• ${state.kind} (critical): ${a.summary} [fingerprint ${state.fingerprint}]`,
      `First told at ${state.lastNotifiedAt ?? state.firstSeenAt}; still firing (last seen ${state.lastSeenAt}) and nobody has acknowledged it.`,
      `environment ${state.environment}${a.runId ? ` · run ${a.runId}` : ''}`,
      `Acknowledge: forecast-guard alerts ack ${state.fingerprint} --by YOUR-NAME`,
    ],
    correlationId: a.correlationId,
  };
  const links = linksFrom(a.details);
  if (links.length > 0) notification.links = links;
  if (runbookBaseUrl !== undefined) notification.runbooks = runbooksFor([state.kind], runbookBaseUrl);
  return notification;
}
