/**
 * Routing by severity: critical → Slack and email at once; warning → kept
 * for the daily summary (only logged when it is told); info → log only. An
 * escalation goes to the escalation channel; the daily digest to Slack and
 * email. The log channel always gets a line too: it costs nothing and it is
 * what a Cloud Logging query finds. Only channels that are configured are
 * returned; with none of the wanted ones, the log still gets it. Each
 * channel gets its own delivery document, retried on its own, so a Slack
 * outage never re-sends the email.
 */
import type { Notification } from '../../contracts/notification';
import type { ComposedNotification } from './grouping';
import { newDelivery, type OutboxDoc } from './outbox';

/** Channel names as the notifier registry knows them. */
export const CHANNELS = {
  slack: 'slack',
  escalation: 'slack-escalation',
  email: 'email',
  log: 'log',
} as const;

/** The channels `notification` goes to, among the `available` ones, in a stable order. */
export function channelsFor(
  notification: Pick<Notification, 'severity' | 'kind'>,
  available: readonly string[],
): string[] {
  const wanted = wantedChannels(notification, available);
  const out = wanted.filter((c) => available.includes(c));
  if (out.length === 0 && available.includes(CHANNELS.log)) out.push(CHANNELS.log);
  return [...new Set(out)];
}

function wantedChannels(n: Pick<Notification, 'severity' | 'kind'>, available: readonly string[]): string[] {
  if (n.kind === 'escalation') {
    // No escalation webhook configured: escalate where people are already paged rather than nowhere.
    return available.includes(CHANNELS.escalation)
      ? [CHANNELS.escalation, CHANNELS.log]
      : [CHANNELS.slack, CHANNELS.email, CHANNELS.log];
  }
  if (n.kind === 'digest') return [CHANNELS.slack, CHANNELS.email, CHANNELS.log];
  if (n.severity === 'critical') return [CHANNELS.slack, CHANNELS.email, CHANNELS.log];
  return [CHANNELS.log];
}

/** The delivery documents for `composed` on the `available` channels, claimed by the caller, who sends them next. */
export function routeDeliveries(
  composed: readonly ComposedNotification[],
  available: readonly string[],
  now: Date,
): OutboxDoc[] {
  return composed.flatMap((c) =>
    channelsFor(c.notification, available).map((channel) =>
      newDelivery(c.notification, c.fingerprints, channel, now),
    ),
  );
}
