/**
 * Stage 6, route: which configured channels each composed notification goes
 * to (severity rules in domain/alerting/routing.ts), as one delivery
 * document per channel, each retried on its own so a Slack outage never
 * re-sends the email.
 */
import type { ComposedNotification } from '../../domain/alerting/grouping';
import { channelsFor } from '../../domain/alerting/routing';
import type { Notifier } from '../../ports/notifier';
import { newDelivery, type OutboxDoc } from './outbox';

/** The delivery documents for `composed`, claimed by the caller, who sends them next. */
export function routeNotifications(
  composed: readonly ComposedNotification[],
  notifiers: readonly Notifier[],
  now: Date,
): OutboxDoc[] {
  const available = notifiers.map((n) => n.channel);
  return composed.flatMap((c) =>
    channelsFor(c.notification, available).map((channel) =>
      newDelivery(c.notification, c.fingerprints, channel, now),
    ),
  );
}
